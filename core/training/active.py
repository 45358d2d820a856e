"""Which reviews the owner should label next (active learning), as one plain function.

``select_for_labeling`` combines four ideas:

1. **Classes in use.** Uncertainty is measured among the classes the owner actually uses:
   once the labels given so far cover at least two classes, the model's probabilities are
   restricted to those classes and renormalised. A pos/neg shop never labels "neutral",
   so a review the model finds "maybe neutral" is not uncertain for that shop.
2. **Uncertainty**: the mean of (1 - top-two margin) and normalised entropy of those
   probabilities. Candidates: the ``POOL_FACTOR * n`` most uncertain unlabelled reviews.
3. **Diversity** inside that pool: greedy k-center (farthest-point) over L2-normalised
   embeddings, seeded with the reviews already labelled, each candidate's distance weighted
   by its uncertainty (so an isolated but confident outlier does not win). A candidate
   whose cosine similarity to a labelled or picked review is above ``DUPLICATE_COSINE`` is
   never picked while others remain: twenty near-copies of one complaint yield one pick.
4. **Class balance driven by the labels given**: each pick goes to the class in use with the
   fewest labels so far (labels given + picks of this batch, by predicted class), so a
   minority class the owner has hardly labelled gets its examples. Before any label
   exists there is nothing to balance against, and picks follow uncertainty and diversity.

Plus **rating/text disagreement**: a 5-star review whose text reads negative, or a 1-2 star
review whose text reads positive, is either a model error or a sarcastic/misfiled review:
the most useful labels there are. They come first, up to a quarter of ``n`` (so one strange
batch cannot crowd out everything else), themselves spread for diversity.

Ties are broken by a tiny seeded jitter: the same inputs and seed give the same picks.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

DUPLICATE_COSINE = 0.95
POOL_FACTOR = 5
MIN_POOL = 50
MISMATCH_SHARE = 0.25


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


def classes_in_use(labels: np.ndarray | None, n_classes: int) -> np.ndarray:
    """The class columns uncertainty is measured over: those the given labels cover (when at
    least two), else all of them."""
    if labels is not None:
        given = np.unique(np.asarray(labels)[np.asarray(labels) >= 0])
        if len(given) >= 2:
            return given.astype(int)
    return np.arange(n_classes)


def select_for_labeling(
    probs: np.ndarray,
    embeddings: np.ndarray | None,
    *,
    n: int,
    labeled_mask: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    ratings: np.ndarray | None = None,
    predicted_polarity: np.ndarray | None = None,
    seed: int = 0,
) -> list[int]:
    """Indices (into the inputs) of up to ``n`` unlabelled reviews to label next, best first.

    ``probs``: [N, K] class probabilities of the task being labelled (a 1-D array is read as
    P(positive) of a binary task). ``embeddings``: [N, D] or None (then no diversity step).
    ``labels``: [N] class index of each review's label, -1 where unlabelled (drives the
    classes in use and the class balance). ``labeled_mask``: True for reviews that already
    have a label (default: ``labels >= 0``); they are never returned.
    """
    probs = _as_probs(probs)
    count = len(probs)
    if labels is not None:
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (count,):
            raise ValueError(f"labels has shape {labels.shape}, expected ({count},)")
    labeled = np.zeros(count, bool) if labeled_mask is None else np.asarray(labeled_mask, bool)
    if labels is not None:
        labeled = labeled | (labels >= 0)
    available = ~labeled
    n = int(min(n, available.sum()))
    if n <= 0:
        return []
    unit = None
    if embeddings is not None:
        emb = np.asarray(embeddings)
        if emb.shape[0] != count:
            raise ValueError(f"embeddings has {emb.shape[0]} rows, probs has {count}")
        unit = _unit(emb)
    in_use = classes_in_use(labels, probs.shape[1])
    restricted = probs[:, in_use]
    restricted = restricted / np.maximum(restricted.sum(axis=1, keepdims=True), 1e-12)
    rng = np.random.default_rng(seed)
    score = uncertainty(restricted) + rng.random(count) * 1e-6
    predicted = in_use[restricted.argmax(axis=1)]
    balance = labels is not None and len(np.unique(labels[labels >= 0])) >= 2
    counts = {int(c): int((labels == c).sum()) if labels is not None else 0 for c in in_use}
    chosen: list[int] = []
    anchors = np.flatnonzero(labeled)  # already labelled: diversity is measured against them too

    mismatch = rating_text_mismatch(ratings, predicted_polarity)
    if mismatch is not None:
        idx = np.flatnonzero(mismatch & available)
        if len(idx):
            quota = max(1, int(round(n * MISMATCH_SHARE)))
            _k_center(idx, score, unit, anchors, quota, chosen, None, counts)

    taken = np.zeros(count, bool)
    taken[chosen] = True
    rest = np.flatnonzero(available & ~taken)
    ranked = rest[np.argsort(-score[rest], kind="stable")]
    pool = ranked[: max(POOL_FACTOR * n, MIN_POOL)]
    _k_center(pool, score, unit, anchors, n - len(chosen), chosen, predicted if balance else None, counts)
    if len(chosen) < n:  # near-duplicates everywhere: widen to all unlabelled reviews, then allow copies
        taken[chosen] = True
        rest = np.flatnonzero(available & ~taken)
        _k_center(rest, score, unit, anchors, n - len(chosen), chosen, predicted if balance else None, counts)
    if len(chosen) < n:
        taken[chosen] = True
        rest = np.flatnonzero(available & ~taken)
        chosen.extend(rest[np.argsort(-score[rest], kind="stable")[: n - len(chosen)]].tolist())
    return [int(i) for i in chosen]


def _k_center(cands: np.ndarray, score: np.ndarray, unit: np.ndarray | None, anchors: np.ndarray, k: int,
              chosen: list[int], predicted: np.ndarray | None, counts: dict[int, int]) -> None:
    """Append up to ``k`` picks from ``cands`` to ``chosen``: uncertainty-weighted farthest point
    from the anchors and earlier picks, near-duplicates cut, the neediest class first when
    ``predicted`` is given (``counts`` = labels per class so far, updated)."""
    if k <= 0 or len(cands) == 0:
        return
    cands = np.asarray(cands)
    priority = score[cands]
    alive = np.ones(len(cands), bool)
    if unit is not None:
        cu = unit[cands]
        seen = np.concatenate([anchors, np.asarray(chosen, dtype=np.int64)]).astype(np.int64)
        maxsim = np.full(len(cands), -1.0)
        for start in range(0, len(seen), 4096):  # bounded memory with many labels
            maxsim = np.maximum(maxsim, (cu @ unit[seen[start:start + 4096]].T).max(axis=1))
    for _ in range(k):
        if unit is not None:
            alive &= maxsim < DUPLICATE_COSINE
            # cosine distance to the nearest labelled/picked review (1 when there is none yet)
            distance = np.where(maxsim <= -1.0, 1.0, 1.0 - np.clip(maxsim, -1.0, 1.0))
            gain = priority * distance
        else:
            gain = priority
        if not alive.any():
            return
        allowed = alive
        if predicted is not None:
            present = np.unique(predicted[cands[alive]])
            neediest = min(present, key=lambda c: (counts.get(int(c), 0), int(c)))
            allowed = alive & (predicted[cands] == neediest)
        j = int(np.flatnonzero(allowed)[np.argmax(gain[allowed])])
        chosen.append(int(cands[j]))
        alive[j] = False
        if predicted is not None:
            counts[int(predicted[cands[j]])] = counts.get(int(predicted[cands[j]]), 0) + 1
        if unit is not None:
            maxsim = np.maximum(maxsim, cu @ cu[j])


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _as_probs(probs: np.ndarray) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        probs = np.stack([1.0 - probs, probs], axis=1)
    return probs
