"""jieba (Chinese word segmentation) with its dictionary cache kept where it survives a reboot.

jieba builds a prefix dictionary from its 349k-word ``dict.txt`` (seconds) and keeps it as a
marshal cache in the temp folder, which the OS empties. Ours is the bundled one when the
frozen build ships it (``core.analysis.prebuild``), else ``<user data dir>/cache``, built
once per PC.
"""
from __future__ import annotations

import sys

from core.paths import bundled_cache_dir, user_cache_dir


def jieba_cache_name() -> str:
    """The cache holds a marshal dump, whose format depends on the Python minor version."""
    import jieba

    return f"jieba-{jieba.__version__}-py{sys.version_info.major}{sys.version_info.minor}.cache"


def jieba_tokenizer():
    """A private jieba Tokenizer whose dictionary cache is the bundled one when it exists, else
    the user data dir's (built there on first use), else jieba's default in the temp folder."""
    import jieba

    tok = jieba.Tokenizer()
    tok.cache_file = jieba_cache_name()
    if (bundled_cache_dir() / tok.cache_file).is_file():
        tok.tmp_dir = str(bundled_cache_dir())
    else:
        folder = user_cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tok.tmp_dir = str(folder)
        except OSError:
            pass  # read-only home: jieba falls back to the temp folder
    return tok
