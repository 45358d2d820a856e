"""Cleaning review text: HTML, invisible and control characters, whitespace; the
normalised key for matching; platform placeholder texts; the text hash that keys caches.

All functions are pure and linear in the text length (a 200k-character review is fine).
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from core.paths import resource_root

PLACEHOLDERS_FILE = resource_root() / "resources" / "placeholders.txt"

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]{0,20}(?:\s[^<>]{0,500})?/?>")
_BR = re.compile(r"<\s*(?:br|/p|/div|/li|/tr)\s*/?>", re.I)
# Inline tags sit inside words ("质量<b>很好</b>"): drop them without a space.
_INLINE = re.compile(r"</?(?:b|i|u|em|strong|span|font|a|small|big|sub|sup|mark)(?:\s[^<>]{0,500})?/?>", re.I)
_EMOJI = "\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F"
_ZWJ_LONE = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
# zero-width and bidi controls (ZWJ is handled above: it glues emoji sequences together)
_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\ufeff\u2060\u202a-\u202e\u2066-\u2069\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HSPACE = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
_NEWLINES = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def clean_text(s: str) -> str:
    """Strip HTML tags/entities, invisible and control characters; normalise whitespace.

    Emoji are kept; line breaks are kept as single ``\\n`` (they separate clauses).
    """
    if not s:
        return ""
    s = str(s)
    if "<" in s:
        s = _BR.sub("\n", s)
        s = _INLINE.sub("", s)
        s = _TAG.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    s = _ZWJ_LONE.sub("", s)
    s = _INVISIBLE.sub("", s)
    s = s.replace("\r\n", "\n").replace("\t", " ")
    s = _CONTROL.sub("", s)
    s = _HSPACE.sub(" ", s)
    s = _NEWLINES.sub("\n", s)
    return s.strip()


_PUNCT_WS = re.compile(r"[\W_]+")


def normalize_for_match(s: str) -> str:
    """Case, width, punctuation and whitespace removed: the key for placeholder/duplicate matching."""
    s = unicodedata.normalize("NFKC", clean_text(s)).lower()
    return _PUNCT_WS.sub("", s)


@lru_cache(maxsize=4)
def _placeholders(path: str, mtime: float) -> frozenset[str]:  # noqa: ARG001 - mtime busts the cache
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    return frozenset(k for k in (normalize_for_match(ln) for ln in lines if not ln.startswith("#")) if k)


def _placeholder_set() -> frozenset[str]:
    try:
        mtime = PLACEHOLDERS_FILE.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _placeholders(str(PLACEHOLDERS_FILE), mtime)


_PLACEHOLDER_RE = re.compile(
    r"(默认好评|未填写评价|没有填写评价|未及时做出评价|didnotleaveareview|noreviewtext|nocomment|"
    r"此用户没有填写|未填写评论|默认评价)"
)


def is_placeholder(s: str) -> bool:
    """True for platform default texts ("此用户没有填写评价", "N/A", "-") and empty texts.

    Phrases come from ``resources/placeholders.txt`` (one per line, users may add more),
    matched after normalisation; short texts containing a known default phrase also count.
    """
    key = normalize_for_match(s or "")
    if not key:
        return True  # only punctuation, whitespace or nothing: no review content
    if key in _placeholder_set():
        return True
    m = _PLACEHOLDER_RE.search(key)
    return bool(m) and len(key) - len(m[0]) <= 10  # the default phrase is most of the text


def text_hash(s: str) -> str:
    """sha1 (hex) of the cleaned, NFKC-normalised text: the cache key for model outputs.

    Case and punctuation are kept (they can change a model's reading); invisible characters,
    HTML and whitespace runs are not.
    """
    norm = unicodedata.normalize("NFKC", clean_text(s or ""))
    return hashlib.sha1(norm.encode("utf-8", errors="surrogatepass")).hexdigest()
