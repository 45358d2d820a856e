"""What differs between single-label and multi-label training, as one small strategy object.

``train.train_task`` runs one flow for both (split, score the current model, quick or full
training, compare, write the manifest); a ``LabelScheme`` passes in the differences:

=================  ==========================================  ==============================================
                   ``SINGLE_LABEL`` (sentiment, aspects, ...)  ``MULTI_LABEL`` (intents, multi-choice tasks)
=================  ==========================================  ==============================================
label encoding     class index per review                      0/1 row per review, one column per label
split strata       the label                                   the first label on, "(none)" when none
current model      active model of the task, else the base     active model; intents: rules + seed head
quick head         ``fit_quick_head`` (starts from the base)   ``fit_multilabel_head`` (+ thresholds)
few labels: folds  stratified k-fold                           random k-fold
full: loss         weighted cross-entropy                      BCE with per-label positive weights
answers            argmax of the logits                        sigmoid >= the label's threshold
metrics            accuracy, macro-F1 per class                micro/macro-F1, exact match, per label
comparison         paired bootstrap interval of macro-F1       point difference of macro-F1
=================  ==========================================  ==============================================

``y`` below is always the scheme's encoding: class indices ``[n]`` or 0/1 rows ``[n, labels]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from core.errors import UserError
from core.training.config import MIN_PER_CLASS
from core.training.current import Current, current_multi, current_single
from core.training.evaluation import Comparison, compare
from core.training.heads import _sigmoid, fit_multilabel_head, fit_quick_head
from core.training.metrics import metrics, multilabel_metrics, tune_thresholds

MIN_POSITIVES = 2  # multi-label: reviews with a label before it can be learnt

Folds = list[tuple[np.ndarray, np.ndarray]]
Head = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]  # W [labels, features], b [labels], thresholds


@dataclass(frozen=True)
class LabelScheme:
    """The differences between single- and multi-label training (see the module docstring)."""

    multi_label: bool
    encode: Callable[[Sequence[Any], list[str]], np.ndarray]  # labels -> y; UserError when unusable
    strata: Callable[[np.ndarray, Sequence[str]], list[str]]  # what held-out splits are stratified by
    counts: Callable[[np.ndarray, int], np.ndarray]  # reviews per label (activation needs enough of each)
    more_labels: str  # what to ask the owner for when nothing can be held out
    current: Callable[..., Current]  # the model compared with, and its answers
    fit_head: Callable[..., Head]  # quick mode: (x, y, n_labels, *, seed, base_columns, info)
    folds: Callable[[np.ndarray, int], Folds]  # quick mode with few labels: cross-validation folds
    class_weights: Callable[[np.ndarray, int], np.ndarray]  # full mode: loss weights from the training rows
    loss: Callable[[Any, Any, Any], Any]  # full mode: (logits, targets, weights) -> torch loss
    tune: Callable[[np.ndarray, np.ndarray], dict]  # full mode: manifest fields fitted on the validation logits
    decide: Callable[[np.ndarray, "np.ndarray | None"], np.ndarray]  # (logits, thresholds) -> answers
    metrics: Callable[[np.ndarray, np.ndarray, list[str]], dict]  # (y, answers, names) -> figures
    compare: Callable[[np.ndarray, np.ndarray, np.ndarray, list[str], int], "Comparison | None"]


# -- single-label ----------------------------------------------------------------------
def _single_encode(labels: Sequence[Any], label_names: list[str]) -> np.ndarray:
    labels = [str(x) for x in labels]
    unknown = sorted({lab for lab in labels if lab not in label_names})
    if unknown:
        raise UserError(f"Labels {unknown} are not among this task's labels {label_names}: fix them or add the labels.")
    counts = {lab: sum(1 for x in labels if x == lab) for lab in label_names}
    present = [lab for lab, c in counts.items() if c > 0]
    if len(present) < 2:
        raise UserError(f"Training needs labels of at least two classes; got {counts}: label more reviews.")
    thin = [lab for lab in present if counts[lab] < MIN_PER_CLASS]
    if thin:
        raise UserError(f"Classes {thin} have fewer than {MIN_PER_CLASS} labels ({counts}): label more of them.")
    return np.asarray([label_names.index(x) for x in labels], np.int64)


def _single_fit_head(x: np.ndarray, y: np.ndarray, n_labels: int, *, seed: int,
                     base_columns: Sequence[int | None] | None = None, info: dict | None = None) -> Head:
    """Regularised towards the base model's own decision for the classes it already knows."""
    W, b = fit_quick_head(x, y, n_labels, seed=seed, base_columns=base_columns, info=info)
    return W, b, None


def _stratified_folds(y: np.ndarray, seed: int) -> Folds:
    from sklearn.model_selection import StratifiedKFold

    k = max(2, min(5, int(np.bincount(y).min()) if len(np.bincount(y)) else 2))
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros((len(y), 1)), y))


def _single_weights(y: np.ndarray, n_labels: int) -> np.ndarray:
    counts = np.bincount(y, minlength=n_labels).astype(float)
    return np.clip(counts.sum() / (n_labels * np.maximum(counts, 1)), 0.3, 5.0)


def _cross_entropy(logits, targets, weights):
    import torch.nn.functional as F

    return F.cross_entropy(logits, targets, weight=weights)


def _single_metrics(y: np.ndarray, answers: np.ndarray, names: list[str]) -> dict:
    return metrics([names[int(i)] for i in y], [names[int(p)] for p in answers], names)


def _single_compare(y: np.ndarray, new: np.ndarray, current: np.ndarray, names: list[str], seed: int) -> Comparison:
    as_names = [[names[int(i)] for i in rows] for rows in (y, new, current)]
    return compare(*as_names, seed=seed)


SINGLE_LABEL = LabelScheme(
    multi_label=False,
    encode=_single_encode,
    strata=lambda y, names: [names[int(i)] for i in y],
    counts=lambda y, n_labels: np.bincount(y, minlength=n_labels),
    more_labels="label at least a few per class.",
    current=current_single,
    fit_head=_single_fit_head,
    folds=_stratified_folds,
    class_weights=_single_weights,
    loss=_cross_entropy,
    tune=lambda y, logits: {},
    decide=lambda logits, thresholds: np.asarray(logits).argmax(1),
    metrics=_single_metrics,
    compare=_single_compare,
)


# -- multi-label -----------------------------------------------------------------------
def _multi_encode(label_sets: Sequence[Sequence[str]], label_names: list[str]) -> np.ndarray:
    unknown = sorted({lab for s in label_sets for lab in s if lab not in label_names})
    if unknown:
        raise UserError(f"Labels {unknown} are not among this task's labels {label_names}: fix them or add the labels.")
    y = np.array([[lab in set(s) for lab in label_names] for s in label_sets], dtype=np.int64)
    usable = [lab for j, lab in enumerate(label_names) if y[:, j].sum() >= MIN_POSITIVES]
    if not usable:
        raise UserError(f"Training needs at least {MIN_POSITIVES} reviews with one of the labels {label_names}: "
                        "label more reviews.")
    return y


def _first_label(y: np.ndarray, names: Sequence[str]) -> list[str]:
    out = []
    for row in y:
        on = [names[j] for j, v in enumerate(row) if v]
        out.append(on[0] if on else "(none)")
    return out


def _multi_fit_head(x: np.ndarray, y: np.ndarray, n_labels: int, *, seed: int,
                    base_columns: Sequence[int | None] | None = None, info: dict | None = None) -> Head:
    """One binary head per label, each with the threshold of its best out-of-fold F1."""
    return fit_multilabel_head(x, y, seed=seed, info=info)


def _random_folds(y: np.ndarray, seed: int) -> Folds:
    fold_of = np.random.default_rng(seed).permutation(len(y)) % min(5, max(2, len(y) // 10))
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in np.unique(fold_of)]


def _positive_weights(y: np.ndarray, n_labels: int) -> np.ndarray:
    pos = np.asarray(y, float).sum(0)
    return np.clip((len(y) - pos) / np.maximum(pos, 1), 1.0, 10.0)


def _binary_cross_entropy(logits, targets, weights):
    import torch.nn.functional as F

    return F.binary_cross_entropy_with_logits(logits, targets, pos_weight=weights)


def _multi_tune(y: np.ndarray, logits: np.ndarray) -> dict:
    """Per-label thresholds with the best F1 on the inner validation split."""
    return {"multi_label": True, "thresholds": tune_thresholds(y, 1 / (1 + np.exp(-logits))).tolist()}


def _multi_decide(logits: np.ndarray, thresholds: np.ndarray | None) -> np.ndarray:
    """Labels on: sigmoid(logit) >= the label's threshold (0.5, i.e. logit > 0, before tuning)."""
    logits = np.asarray(logits)
    return logits > 0 if thresholds is None else _sigmoid(logits) >= np.asarray(thresholds)


MULTI_LABEL = LabelScheme(
    multi_label=True,
    encode=_multi_encode,
    strata=_first_label,
    counts=lambda y, n_labels: np.asarray(y).sum(axis=0),
    more_labels="label more reviews.",
    current=current_multi,
    fit_head=_multi_fit_head,
    folds=_random_folds,
    class_weights=_positive_weights,
    loss=_binary_cross_entropy,
    tune=_multi_tune,
    decide=_multi_decide,
    metrics=lambda y, answers, names: multilabel_metrics(y, answers, names),
    compare=lambda y, new, current, names, seed: None,
)
