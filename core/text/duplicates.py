"""Exact and near duplicate reviews: ``duplicate_groups(texts)``.

Exact duplicates compare the normalised text; near duplicates are found with MinHash over
character 3-grams plus LSH banding, then verified exactly (Jaccard >= 0.9).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from core.text.clean import normalize_for_match

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
