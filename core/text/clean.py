"""Review text helpers: cleaning, placeholder and duplicate flags, language, clauses.

All functions are pure and linear in the text length (a 200k-character review is fine).
PII masking lives in ``core.text.pii``.
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from core.paths import resource_root
from core.text.pii import mask_pii

__all__ = ["clean_text", "is_placeholder", "detect_language", "split_clauses", "duplicate_groups",
           "text_hash", "mask_pii", "normalize_for_match", "PLACEHOLDERS_FILE"]

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


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_OTHER_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f]")


def detect_language(s: str) -> str:
    """'zh', 'en' or 'other', by script: one Han character weighs about as much as a Latin word."""
    if not s:
        return "other"
    sample = s[:5000]
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    kana = len(_KANA_HANGUL.findall(sample))
    other = len(_OTHER_LETTER.findall(sample))
    if kana > max(han, 1) * 0.2 and kana >= 2:
        return "other"
    if han and han * 4 >= latin and han >= other:
        return "zh"
    if latin and latin >= 2 and latin > other and latin > han * 4:
        return "en"
    return "other"


_SEP = re.compile(r"[，。！？；、,!?;…～~\n\r]+|(?<!\d)\.+|\.+(?!\d)")
_CONNECTIVE = re.compile(
    r"(?=(?:但是|(?<!不)但(?!是|凡|愿)|不过|可是|然而|只不过)[^\s])"
    r"|(?<=\s)(?=(?:but|however|though|although|yet)\b)",
    re.I,
)


def _tiny(c: str) -> bool:
    han = len(_HAN.findall(c))
    words = len(re.findall(r"[A-Za-z0-9]+", c))
    return han + words < 2 and len(c) < 4 or (han < 2 and words < 2 and len(c) < 3)


def split_clauses(s: str) -> list[str]:
    """Split a review into clauses on punctuation, line breaks and contrastive connectives.

    The separating punctuation is dropped; the words are kept as written (a connective stays
    at the start of its clause). Fragments too small to mean anything join their neighbour.
    """
    s = clean_text(s)
    parts: list[str] = []
    for piece in _SEP.split(s):
        for sub in _CONNECTIVE.split(piece):
            sub = sub.strip()
            if sub:
                parts.append(sub)
    out: list[str] = []
    for p in parts:
        if out and _tiny(p):
            out[-1] = f"{out[-1]} {p}" if p[:1].isascii() and out[-1][-1:].isascii() else out[-1] + p
        elif out and _tiny(out[-1]):
            out[-1] = f"{out[-1]} {p}" if p[:1].isascii() and out[-1][-1:].isascii() else out[-1] + p
        else:
            out.append(p)
    return out


def text_hash(s: str) -> str:
    """sha1 (hex) of the cleaned, NFKC-normalised text: the cache key for model outputs.

    Case and punctuation are kept (they can change a model's reading); invisible characters,
    HTML and whitespace runs are not.
    """
    norm = unicodedata.normalize("NFKC", clean_text(s or ""))
    return hashlib.sha1(norm.encode("utf-8", errors="surrogatepass")).hexdigest()


# ---------------------------------------------------------------- duplicates

_K, _BANDS = 20, 5  # 5 bands x 4 rows: J=0.9 pairs collide with p~0.995, J=0.5 with p~0.27
_P = np.uint64((1 << 61) - 1)


def _shingles(key: str) -> set[str]:
    return {key[i: i + 3] for i in range(len(key) - 2)} if len(key) >= 3 else {key}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def duplicate_groups(texts: Sequence[str], *, threshold: float = 0.9) -> list[int | None]:
    """For each text, the index of the first earlier text it duplicates, else None.

    Exact duplicates compare normalised text (case, width, punctuation, whitespace);
    near duplicates have character-3-gram Jaccard >= ``threshold``, found with MinHash +
    LSH banding and then verified exactly. The index returned is the group's first member,
    so every text of a group points at the same index. Empty texts are never duplicates.
    """
    n = len(texts)
    keys = [normalize_for_match(t or "") for t in texts]
    out: list[int | None] = [None] * n
    first: dict[str, int] = {}
    uniq: list[int] = []
    for i, k in enumerate(keys):
        if not k:
            continue
        j = first.setdefault(k, i)
        if j != i:
            out[i] = j
        elif len(k) >= 8:  # shorter texts cannot be 0.9-similar without being equal
            uniq.append(i)
    if len(uniq) < 2:
        return out
    # MinHash of every unique text at once: one long array of shingle hashes + offsets.
    ks = [keys[i] for i in uniq]
    codes = np.frombuffer("".join(ks).encode("utf-32-le", errors="surrogatepass"),
                          dtype=np.uint32).astype(np.uint64)
    lens = np.fromiter((len(k) for k in ks), dtype=np.int64, count=len(ks))
    starts = np.cumsum(lens) - lens
    cnt = lens - 2
    offsets = np.cumsum(cnt) - cnt
    idx = np.repeat(starts, cnt) + (np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(offsets, cnt))
    # Deterministic 3-gram hashes (Python's str hash is salted per process).
    x = (((codes[idx] * np.uint64(1000003)) ^ codes[idx + 1]) * np.uint64(1000003) ^ codes[idx + 2]) \
        & np.uint64(0xFFFFFFFF)
    rng = np.random.default_rng(12345)
    a = rng.integers(1, 1 << 31, size=_K, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=_K, dtype=np.uint64)
    sig = np.empty((len(uniq), _K), dtype=np.uint64)
    for h in range(_K):
        perm = (x * a[h] + b[h]) % _P  # < 2^63: no overflow for 32-bit x and 31-bit a, b
        sig[:, h] = np.minimum.reduceat(perm, offsets)
    r = _K // _BANDS
    band_keys = [sig[:, bnd * r:(bnd + 1) * r].tobytes() for bnd in range(_BANDS)]
    width = r * 8
    buckets: list[dict[bytes, list[int]]] = [dict() for _ in range(_BANDS)]
    cache: dict[int, set[str]] = {}

    def sh(i: int) -> set[str]:
        if i not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[i] = _shingles(keys[i])
        return cache[i]

    for pos, i in enumerate(uniq):
        cands: list[int] = []
        for bnd in range(_BANDS):
            key = band_keys[bnd][pos * width:(pos + 1) * width]
            members = buckets[bnd].setdefault(key, [])
            cands.extend(members)
            if len(members) < 50:  # bound the work on degenerate buckets
                members.append(i)
        best = None
        for j in sorted(set(cands)):
            ln_i, ln_j = len(keys[i]), len(keys[j])
            if min(ln_i, ln_j) < threshold * max(ln_i, ln_j) - 2:
                continue
            if _jaccard(sh(i), sh(j)) >= threshold:
                best = j
                break
        if best is not None:
            out[i] = out[best] if out[best] is not None else best
    return out
