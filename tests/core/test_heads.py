"""Quick heads (core.training.heads): prior-centred regularisation, CV-chosen strength, multi-label thresholds."""
from __future__ import annotations

import numpy as np

from core.training.heads import UNSEEN_BIAS, fit_multilabel_head, fit_quick_head


def _features(n, seed=0, noise=1.0):
    """16-dim 'embedding' + 3 'base logits' (neg, neu, pos) that are right about 75 % of the time."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n) * 2  # the owner uses negative (0) and positive (2) only
    emb = rng.normal(size=(n, 16))
    emb[:, 0] += np.where(y == 2, 1.5, -1.5)  # the signal the base model half-misses
    base = rng.normal(scale=noise, size=(n, 3))
    base[np.arange(n), y] += 0.9
    base[:, 1] += 0.5  # the base model likes "neutral"
    return np.hstack([emb, base]), y


def test_strong_penalty_is_the_base_model_restricted_to_the_classes_in_use():
    x, y = _features(60)
    W, b = fit_quick_head(x, y, 3, base_columns=[16, 17, 18], c=1e-6)
    pred = (x @ W.T + b).argmax(1)
    # no correction is left: each class is its own base logit (only the free bias moves)
    assert np.abs(W[[0, 2], :16]).max() < 1e-3
    assert np.allclose(W[[0, 2], 16:], [[1, 0, 0], [0, 0, 1]], atol=1e-3)
    assert b[1] == UNSEEN_BIAS and not (pred == 1).any()  # nobody labelled neutral


def test_cross_validated_head_beats_the_base_model_on_new_reviews():
    x, y = _features(150, seed=1)
    info: dict = {}
    W, b = fit_quick_head(x, y, 3, base_columns=[16, 17, 18], info=info)
    xt, yt = _features(2000, seed=2)
    acc = ((xt @ W.T + b).argmax(1) == yt).mean()
    base_acc = (xt[:, 16:].argmax(1) == yt).mean()
    assert acc > base_acc + 0.1, (acc, base_acc, info)
    assert info["starts_from_base_model"] and info["cv_folds"] >= 2 and "C" in info


def test_multilabel_head_learns_labels_and_thresholds():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 12))
    targets = np.stack([x[:, 0] > 0.5, x[:, 1] + x[:, 2] > 1.0, np.zeros(200, bool)], axis=1).astype(int)
    targets[:1, 2] = 1  # one example only: this label is never predicted
    W, b, thr = fit_multilabel_head(x, targets)
    xt = rng.normal(size=(1000, 12))
    on = 1 / (1 + np.exp(-(xt @ W.T + b))) >= thr
    assert (on[:, 0] == (xt[:, 0] > 0.5)).mean() > 0.9
    assert (on[:, 1] == (xt[:, 1] + xt[:, 2] > 1.0)).mean() > 0.85
    assert not on[:, 2].any() and thr[2] > 1.0
