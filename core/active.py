"""Which reviews the owner should label next (active learning), as one plain function.

``select_for_labeling`` combines four ideas, in this order of priority:

1. **Rating/text disagreement**: a 5-star review whose text reads negative, or a 1-2 star
   review whose text reads positive, is either a model error or a sarcastic/misfiled review:
   both are the most useful labels there are. They come first, up to half of ``n`` (so one
   strange batch cannot crowd out everything else), themselves spread for diversity.
2. **Uncertainty**: the mean of (1 - top-two margin) and normalised entropy of ``probs``.
   Candidates: the most uncertain ``max(10 n, 200)`` unlabelled reviews, plus the most
   uncertain ones of each predicted class.
3. **Diversity**: greedy max-marginal-relevance over L2-normalised embeddings; a candidate
   whose cosine similarity to a pick is above ``DUPLICATE_COSINE`` is never picked while
   others remain, so twenty near-copies of one complaint yield one pick.
4. **Class balance**: picks go round-robin over predicted classes (the class with fewest
   picks so far chooses next), so a batch is not all "negative".

Ties are broken by a tiny seeded jitter: the same inputs and seed give the same picks.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

DUPLICATE_COSINE = 0.95
_DIVERSITY_WEIGHT = 0.3


def uncertainty(probs: np.ndarray) -> np.ndarray:
    """Per-row uncertainty in [0, 1]: mean of (1 - margin) and entropy / log(K)."""
    probs = _as_probs(probs)
    k = probs.shape[1]
    if k < 2 or len(probs) == 0:
        return np.zeros(len(probs))
    top2 = np.sort(probs, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    p = np.clip(probs, 1e-12, 1.0)
    entropy = -(p * np.log(p)).sum(axis=1) / math.log(k)
    return 0.5 * (1.0 - margin) + 0.5 * np.clip(entropy, 0.0, 1.0)


def rating_text_mismatch(ratings: np.ndarray | Sequence[float] | None,
                         predicted_polarity: np.ndarray | Sequence | None) -> np.ndarray | None:
    """True where 5 stars meet negative text or 1-2 stars meet positive text.

    ``predicted_polarity`` holds 'negative'/'neutral'/'positive' strings or -1/0/1 numbers.
    Missing ratings (NaN) never disagree.
    """
    if ratings is None or predicted_polarity is None:
        return None
    ratings = np.asarray(ratings, dtype=float)
    polarity = np.asarray(predicted_polarity)
    if polarity.dtype.kind in "iuf":
        negative, positive = polarity < 0, polarity > 0
    else:
        text = np.char.lower(polarity.astype(str))
        negative, positive = text == "negative", text == "positive"
    with np.errstate(invalid="ignore"):
        return ((ratings >= 4.5) & negative) | ((ratings <= 2) & positive)


def select_for_labeling(
    probs: np.ndarray,
    embeddings: np.ndarray | None,
    *,
    n: int,
    labeled_mask: np.ndarray | None = None,
    ratings: np.ndarray | None = None,
    predicted_polarity: np.ndarray | None = None,
    seed: int = 0,
) -> list[int]:
    """Indices (into the inputs) of up to ``n`` unlabelled reviews to label next, best first.

    ``probs``: [N, K] class probabilities of the task being labelled (a 1-D array is read as
    P(positive) of a binary task). ``embeddings``: [N, D] or None (then no diversity step).
    ``labeled_mask``: True for reviews that already have a label (never returned).
    """
    probs = _as_probs(probs)
    count = len(probs)
    available = np.ones(count, bool) if labeled_mask is None else ~np.asarray(labeled_mask, bool)
    n = int(min(n, available.sum()))
    if n <= 0:
        return []
    emb = None
    if embeddings is not None:
        emb = np.asarray(embeddings)
        if emb.shape[0] != count:
            raise ValueError(f"embeddings has {emb.shape[0]} rows, probs has {count}")
    rng = np.random.default_rng(seed)
    score = uncertainty(probs) + rng.random(count) * 1e-6
    classes = probs.argmax(axis=1)
    chosen: list[int] = []

    pool_size = max(10 * n, 200)
    mismatch = rating_text_mismatch(ratings, predicted_polarity)
    if mismatch is not None:
        idx = np.flatnonzero(mismatch & available)
        idx = idx[np.argsort(-score[idx], kind="stable")[:pool_size]]
        if len(idx):
            quota = max(1, (n + 1) // 2)
            _greedy(idx, score, emb, None, quota, chosen)

    taken = np.zeros(count, bool)
    taken[chosen] = True
    rest = np.flatnonzero(available & ~taken)
    ranked = rest[np.argsort(-score[rest], kind="stable")]
    # the overall most uncertain, plus each predicted class's most uncertain (for the round-robin)
    per_class = [ranked[classes[ranked] == c][: max(pool_size // probs.shape[1], n)] for c in np.unique(classes)]
    pool = np.unique(np.concatenate([ranked[:pool_size], *per_class]))
    _greedy(pool, score, emb, classes, n - len(chosen), chosen)
    if len(chosen) < n:  # near-duplicates everywhere: widen to all unlabelled reviews, then allow copies
        taken[chosen] = True
        rest = np.flatnonzero(available & ~taken)
        _greedy(rest, score, emb, classes, n - len(chosen), chosen)
    if len(chosen) < n:
        taken[chosen] = True
        rest = np.flatnonzero(available & ~taken)
        chosen.extend(rest[np.argsort(-score[rest], kind="stable")[: n - len(chosen)]].tolist())
    return [int(i) for i in chosen]


def _greedy(cands: np.ndarray, score: np.ndarray, emb: np.ndarray | None, classes: np.ndarray | None,
            k: int, chosen: list[int]) -> None:
    """Append up to ``k`` picks from ``cands`` to ``chosen`` (MMR + duplicate cut + class round-robin)."""
    if k <= 0 or len(cands) == 0:
        return
    cands = np.asarray(cands)
    priority = score[cands]
    alive = np.ones(len(cands), bool)
    maxsim = np.full(len(cands), -1.0)
    unit = _unit(emb[cands]) if emb is not None else None
    if unit is not None and chosen:
        maxsim = (unit @ _unit(emb[chosen]).T).max(axis=1)
    cand_classes = classes[cands] if classes is not None else np.zeros(len(cands), int)
    picked_per_class: dict[int, int] = {}
    for c in (classes[chosen] if classes is not None and chosen else []):
        picked_per_class[int(c)] = picked_per_class.get(int(c), 0) + 1
    for _ in range(k):
        if unit is not None:
            alive &= maxsim < DUPLICATE_COSINE
            gain = (1 - _DIVERSITY_WEIGHT) * priority - _DIVERSITY_WEIGHT * np.clip(maxsim, 0.0, 1.0)
        else:
            gain = priority
        if not alive.any():
            return
        present = np.unique(cand_classes[alive])
        fewest = min(present, key=lambda c: (picked_per_class.get(int(c), 0), int(c)))
        allowed = alive & (cand_classes == fewest)
        j = int(np.flatnonzero(allowed)[np.argmax(gain[allowed])])
        chosen.append(int(cands[j]))
        alive[j] = False
        picked_per_class[int(fewest)] = picked_per_class.get(int(fewest), 0) + 1
        if unit is not None:
            maxsim = np.maximum(maxsim, unit @ unit[j])


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _as_probs(probs: np.ndarray) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        probs = np.stack([1.0 - probs, probs], axis=1)
    return probs
