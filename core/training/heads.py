"""Linear heads for quick retraining, learnt from a few dozen to a few hundred labels.

Inputs are ``engine.head_features`` rows: the L2-normalised sentence embedding followed by
the base model's logits. Two choices make a head useful with 32-300 labels:

* **It starts from the base model's decision.** For a task whose labels are the base
  model's labels (sentiment), the head is ``base logits + correction``: the L2 penalty
  pulls the *correction* towards zero, not the whole head, so with few labels the head is
  the base model restricted to the classes the owner actually uses (a pos/neg shop never
  sees "neutral"), and more labels move it further. Tasks of their own (intents, a custom
  "defect type") start from zero, as usual.
* **The penalty strength is chosen by stratified cross-validation on the labels** (out-of-fold
  log-loss, a smooth score that small folds can still rank), never by a fixed constant and
  never on a test set.

Features are standardised inside the fit and the scaling is folded back into the exported
weights, so ``features @ W.T + b`` is all inference needs (numpy only, no torch).

Multi-label heads are one binary head per label (sigmoid of ``logit``) with a per-label
threshold picked for out-of-fold F1.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
UNSEEN_BIAS = -30.0  # a class nobody labelled can never win
THRESHOLD_GRID = np.round(np.arange(0.1, 0.91, 0.05), 2)


def _one_blas_thread():
    """These matrices are tiny: BLAS threads only spin (16x the CPU time measured on 2 cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - ships with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _fit(z: np.ndarray, y: np.ndarray, offset: np.ndarray, weights: np.ndarray, c: float,
         k: int, init: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial LR on standardised ``z`` with a fixed per-row logit ``offset`` [n, k]:
    minimise weighted mean cross-entropy + ||V||^2 / (2 C n). Returns (V [k, d], bias [k])."""
    from scipy.optimize import minimize

    n, d = z.shape
    onehot = np.eye(k)[y]
    w = weights / weights.sum()
    reg = 1.0 / (c * n)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        v, bias = theta[: k * d].reshape(k, d), theta[k * d:]
        logits = offset + z @ v.T + bias
        logits -= logits.max(1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        value = -(w * (onehot * logp).sum(1)).sum() + 0.5 * reg * (v * v).sum()
        g = (np.exp(logp) - onehot) * w[:, None]
        grad_v = g.T @ z + reg * v
        return float(value), np.concatenate([grad_v.ravel(), g.sum(0)])

    start = init if init is not None else np.zeros(k * d + k)
    res = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return res.x[: k * d].reshape(k, d), res.x[k * d:]


def _balanced(y: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(y, minlength=k).astype(float)
    return (len(y) / (k * np.maximum(counts, 1)))[y]


def _folds(y: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    smallest = int(np.bincount(y).min())
    if smallest < 2:
        return []
    k = min(4, smallest)
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


@dataclass
class _Scaler:
    mu: np.ndarray
    sd: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> _Scaler:
        return cls(x.mean(0), np.maximum(x.std(0), 1e-3))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mu) / self.sd


def _fit_and_fold(x, y, prior, c, k, warm: dict | None = None, key=None):
    """Fit on raw features; return (W [k, D], b [k]) in raw feature space. ``warm[key]`` keeps
    the solution to start the next (larger C) fit of the same rows from it."""
    scaler = _Scaler.fit(x)
    init = warm.get(key) if warm is not None else None
    v, bias = _fit(scaler(x), y, x @ prior.T, _balanced(y, k), c, k, init)
    if warm is not None:
        warm[key] = np.concatenate([v.ravel(), bias])
    w = prior + v / scaler.sd
    return w, bias - (v / scaler.sd) @ scaler.mu


def _choose_c(x: np.ndarray, y: np.ndarray, prior: np.ndarray, k: int, seed: int) -> tuple[float, dict]:
    folds = _folds(y, seed)
    if not folds:
        return 0.1, {"cv": "too few labels per class for cross-validation; default strength"}
    scores = []
    warm: dict = {}
    for c in C_GRID:  # ascending: each fold's fit starts from its solution at the previous C
        logp = np.zeros((len(y), k))
        for f, (tr, te) in enumerate(folds):
            w, b = _fit_and_fold(x[tr], y[tr], prior, c, k, warm, f)
            z = x[te] @ w.T + b
            z -= z.max(1, keepdims=True)
            logp[te] = z - np.log(np.exp(z).sum(1, keepdims=True))
        wts = _balanced(y, k)
        scores.append(float(-(wts * logp[np.arange(len(y)), y]).sum() / wts.sum()))
    best = int(np.argmin(scores))
    return C_GRID[best], {"cv_folds": len(folds), "cv_log_loss": dict(zip(map(str, C_GRID), np.round(scores, 4)))}


def fit_quick_head(x: np.ndarray, y: np.ndarray, n_classes: int, *, seed: int = 0,
                   base_columns: Sequence[int | None] | None = None, c: float | None = None,
                   info: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A single-label head: ``(W [n_classes, D], b [n_classes])`` for ``features @ W.T + b``.

    ``x``: head_features rows (embedding, then base logits in the last columns). ``y``:
    class indices. ``base_columns[c]``: the feature column (a base logit) that class ``c``
    starts from, or None (default: every class starts from zero). ``c``: inverse penalty
    strength (default: chosen by cross-validation on these labels). ``info`` receives the
    choice made. Classes absent from ``y`` get bias ``UNSEEN_BIAS``.
    """
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.int64)
    present = np.unique(y)
    if len(present) < 2:
        raise ValueError("a head needs labels of at least two classes")
    n_feat = x.shape[1]
    if base_columns is None:
        base_columns = [None] * n_classes
    n_base = sum(col is not None for col in base_columns)
    k = len(present)
    prior = np.zeros((k, n_feat))
    for row, cls in enumerate(present):
        col = base_columns[int(cls)]
        if col is not None:
            prior[row, int(col)] = 1.0
    y_local = np.searchsorted(present, y)
    with _one_blas_thread():
        chosen, details = (c, {"cv": "fixed"}) if c is not None else _choose_c(x, y_local, prior, k, seed)
        w_local, b_local = _fit_and_fold(x, y_local, prior, chosen, k)
    W = np.zeros((n_classes, n_feat), np.float32)
    b = np.full(n_classes, UNSEEN_BIAS, np.float32)
    W[present], b[present] = w_local, b_local
    if info is not None:
        info.update({"C": chosen, "starts_from_base_model": bool(n_base), "classes_trained": present.tolist(),
                     **details})
    return W, b


def fit_multilabel_head(x: np.ndarray, targets: np.ndarray, *, seed: int = 0,
                        info: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One binary head per label: ``(W [L, D], b [L], thresholds [L])``; P(label) =
    sigmoid(features @ W.T + b) and the label is on when P >= its threshold.

    ``targets``: [n, L] 0/1. Each label's strength and threshold come from out-of-fold
    predictions (threshold = best out-of-fold F1). A label with fewer than 2 positive or 2
    negative examples is never predicted (threshold above 1).
    """
    x = np.asarray(x, np.float64)
    targets = np.asarray(targets, np.int64)
    n, n_labels = targets.shape
    W = np.zeros((n_labels, x.shape[1]), np.float32)
    b = np.full(n_labels, UNSEEN_BIAS, np.float32)
    thresholds = np.full(n_labels, 1.01, np.float32)
    per_label = []
    zero = np.zeros((2, x.shape[1]))
    with _one_blas_thread():
        _fit_multilabel(x, targets, zero, seed, W, b, thresholds, per_label)
    if info is not None:
        info["per_label"] = per_label
    return W, b, thresholds


def _fit_multilabel(x, targets, zero, seed, W, b, thresholds, per_label) -> None:
    n, n_labels = targets.shape
    for j in range(n_labels):
        y = targets[:, j]
        if y.sum() < 2 or (1 - y).sum() < 2:
            per_label.append({"support": int(y.sum()), "note": "too few examples: never predicted"})
            continue
        c, details = _choose_c(x, y, zero, 2, seed)
        oof = np.zeros(n)
        folds = _folds(y, seed)
        for tr, te in folds:
            w2, b2 = _fit_and_fold(x[tr], y[tr], zero, c, 2)
            oof[te] = _sigmoid(x[te] @ (w2[1] - w2[0]) + (b2[1] - b2[0]))
        if folds:
            f1s = [_f1(y, oof >= t) for t in THRESHOLD_GRID]
            thr = float(THRESHOLD_GRID[int(np.argmax(f1s))])
            oof_f1 = float(max(f1s))
        else:
            thr, oof_f1 = 0.5, float("nan")
        w2, b2 = _fit_and_fold(x, y, zero, c, 2)
        W[j], b[j], thresholds[j] = w2[1] - w2[0], b2[1] - b2[0], thr
        per_label.append({"support": int(y.sum()), "C": c, "threshold": thr, "cv_f1": round(oof_f1, 4)})


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y.astype(bool) & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0
