"""Honest comparison of a retrained model with the current one (issue 17, "retraining you can trust").

Rules, each answering a way the old comparison misled:

* **Stable held-out reviews.** Which labelled reviews are held out is decided by a hash of
  the normalised text, per class, not by a seeded shuffle: the same review stays held out
  from one training to the next, so a model trained last week never trained on this
  week's held-out reviews.
* **The current model is never scored on what it trained on.** Every retrained model's
  manifest lists hashes of its training texts (``trained_on``); those reviews are removed
  from the comparison (both models are scored on the same remaining reviews).
* **An interval, not a point.** The difference in macro-F1 gets a paired bootstrap 90 %
  interval; "better" needs the whole interval above zero, "worse" below; otherwise the
  verdict is "not enough evidence" and the model is not activated unless the owner insists.
* **Enough labels before activation.** Every class the owner labelled needs
  ``MIN_TO_ACTIVATE`` labels; below that the new model may be inspected but not activated
  (not even with --force), and the verdict says how many more of which class are needed.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np

MIN_TO_ACTIVATE = 20  # labels per labelled class before a model may be activated
BOOTSTRAP = 1000
TRAINED_ON_KEY = "trained_on"


def text_key(text: str) -> str:
    """Short hash of a normalised text (what ``trained_on`` lists)."""
    norm = " ".join(unicodedata.normalize("NFKC", str(text)).split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def hash_split(texts: Sequence[str], strata: Sequence[str], fraction: float) -> tuple[list[int], list[int]]:
    """(train, held-out) indices: per stratum, the ``fraction`` of rows with the smallest text
    hash is held out (at least one when the stratum has two or more rows)."""
    by: dict[str, list[int]] = {}
    for i, s in enumerate(strata):
        by.setdefault(s, []).append(i)
    train: list[int] = []
    held: list[int] = []
    for idx in by.values():
        idx = sorted(idx, key=lambda i: text_key(texts[i]))
        k = max(1, int(round(len(idx) * fraction))) if len(idx) >= 2 else 0
        held += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(held)


def missing_labels(counts: Sequence[int], label_names: Sequence[str]) -> dict[str, int]:
    """How many more labels each labelled class needs before activation ({} when enough);
    ``counts``: reviews per label, in ``label_names``' order."""
    return {name: int(MIN_TO_ACTIVATE - c) for name, c in zip(label_names, counts) if 0 < c < MIN_TO_ACTIVATE}


def _macro_f1(y: np.ndarray, p: np.ndarray, classes: np.ndarray) -> float:
    f1s = []
    for c in classes:
        tp = float(np.sum((p == c) & (y == c)))
        fp = float(np.sum((p == c) & (y != c)))
        fn = float(np.sum((p != c) & (y == c)))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


@dataclass
class Comparison:
    diff: float  # macro-F1 new - current on the compared reviews
    low: float  # 90 % paired bootstrap interval of the difference
    high: float
    n: int

    @property
    def outcome(self) -> str:
        if self.n == 0:
            return "no_evidence"
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "no_evidence"


def compare(y_true: Sequence[str], new: Sequence[str], current: Sequence[str], *, seed: int = 0) -> Comparison:
    """Paired bootstrap of macro-F1(new) - macro-F1(current) over the same reviews."""
    if not len(y_true):
        return Comparison(0.0, 0.0, 0.0, 0)
    names = sorted(set(y_true) | set(new) | set(current))
    index = {n: i for i, n in enumerate(names)}
    y = np.asarray([index[v] for v in y_true])
    a = np.asarray([index[v] for v in new])
    b = np.asarray([index[v] for v in current])
    present = np.unique(y)
    diff = _macro_f1(y, a, present) - _macro_f1(y, b, present)
    rng = np.random.default_rng(seed)
    diffs = np.empty(BOOTSTRAP)
    for k in range(BOOTSTRAP):
        s = rng.integers(0, len(y), len(y))
        cls = np.unique(y[s])
        diffs[k] = _macro_f1(y[s], a[s], cls) - _macro_f1(y[s], b[s], cls)
    low, high = np.quantile(diffs, [0.05, 0.95])
    return Comparison(float(diff), float(low), float(high), int(len(y)))
