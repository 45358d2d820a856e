"""Scoring a model on labelled reviews: single-label and multi-label figures, per-label
thresholds, and the verdict that compares a new model with the current one."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from core.training.heads import THRESHOLD_GRID, _f1


def metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    # Macro averages over the classes present in the evaluation set: a class nobody labelled
    # (e.g. neutral in a pos/neg file) would otherwise count as F1 0. Predicting it is still
    # an error, visible in accuracy and in the other classes' recall.
    present = [lab for lab in labels if lab in set(y_true)] or labels
    mp, mr, mf, _ = precision_recall_fscore_support(y_true, y_pred, labels=present, average="macro",
                                                    zero_division=0)
    return {
        "n": len(y_true), "accuracy": float(accuracy_score(y_true, y_pred)), "macro_precision": float(mp),
        "macro_recall": float(mr), "macro_f1": float(mf), "labels": labels,
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                      for i, lab in enumerate(labels)},
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def multilabel_metrics(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict:
    """Micro/macro precision, recall and F1, exact-match accuracy and per-label figures.

    Macro averages cover the labels that occur in ``y_true`` (a label nobody used would
    otherwise count as F1 0); ``accuracy`` is the share of reviews whose label set is exactly right."""
    from sklearn.metrics import precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=bool).reshape(-1, len(labels))
    y_pred = np.asarray(y_pred, dtype=bool).reshape(-1, len(labels))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    present = np.flatnonzero(y_true.sum(0) > 0)
    present = present if len(present) else np.arange(len(labels))
    mp, mr, mf = (float(np.mean(v[present])) for v in (p, r, f))
    up, ur, uf, _ = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
    return {"n": int(len(y_true)), "accuracy": float((y_true == y_pred).all(1).mean()) if len(y_true) else 0.0,
            "micro_precision": float(up), "micro_recall": float(ur), "micro_f1": float(uf),
            "macro_precision": mp, "macro_recall": mr, "macro_f1": mf, "labels": list(labels),
            "per_class": {lab: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
                                "support": int(s[j])} for j, lab in enumerate(labels)}}


def tune_thresholds(y_true: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per label, the threshold with the best F1 on these rows (0.5 where a label never occurs)."""
    y_true = np.asarray(y_true, dtype=bool)
    out = np.full(y_true.shape[1], 0.5, np.float32)
    for j in range(y_true.shape[1]):
        if y_true[:, j].any():
            out[j] = THRESHOLD_GRID[int(np.argmax([_f1(y_true[:, j], probs[:, j] >= t) for t in THRESHOLD_GRID]))]
    return out


def verdict(new: dict, current: dict | None, *, n_eval: int, comparison=None,
            missing: dict | None = None) -> tuple[str, bool]:
    """(verdict text, better). With a ``comparison`` (core.training.evaluation.compare) the call rests
    on its bootstrap interval, else on the point difference; ``missing`` labels block it."""
    caution = " Few reviews were held out, so treat the figures as rough." if n_eval < 50 else ""
    need = ""
    if missing:
        need = (" It cannot be activated yet: label " + ", ".join(f"{n} more '{c}'" for c, n in missing.items())
                + " reviews.")
    if current is None:
        return (f"First model for this task: accuracy {new['accuracy']:.0%}, macro-F1 {new['macro_f1']:.2f} "
                f"on {n_eval} held-out reviews.{caution}{need}", not missing)
    if comparison is not None:
        span = (f"difference {comparison.diff:+.2f}, 90 % interval {comparison.low:+.2f} to {comparison.high:+.2f}, "
                f"on {comparison.n} reviews neither model trained on")
        outcome = comparison.outcome
        if outcome == "better":
            return (f"The new model is better: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} "
                    f"({span}).{caution}{need}", not missing)
        if outcome == "worse":
            return (f"The new model is worse: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} ({span}). "
                    f"Keep the current model; check the labels or label more.{caution}{need}", False)
        return (f"Not enough evidence that the new model is better: macro-F1 {new['macro_f1']:.2f} vs "
                f"{current['macro_f1']:.2f} ({span}). Label more reviews, then train again.{caution}{need}", False)
    d = new["macro_f1"] - current["macro_f1"]
    if d > 0.01:
        return (f"The new model is better: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} "
                f"(accuracy {new['accuracy']:.0%} vs {current['accuracy']:.0%}) on the same {n_eval} reviews "
                f"it never saw in training.{caution}{need}", not missing)
    if d >= -0.01:
        return (f"The new model is about as good as the current one (macro-F1 {new['macro_f1']:.2f} vs "
                f"{current['macro_f1']:.2f} on {n_eval} reviews). Label more reviews to make a clear difference."
                f"{caution}{need}", d > 0 and not missing)
    return (f"The new model is worse: macro-F1 {new['macro_f1']:.2f} vs {current['macro_f1']:.2f} on the same "
            f"{n_eval} reviews. Keep the current model; check the labels or label more.{caution}{need}", False)
