"""Retraining from the owner's labels: which reviews to label next, quick and full
training, and an honest comparison with the current model (torch is imported only by full
training, inside its functions).

* ``active``: ``select_for_labeling`` (uncertain, diverse, rating/text mismatches)
* ``train``: ``train_model`` (single-label), ``TrainConfig``, ``TrainResult``, ``should_activate``
* ``multilabel``: ``train_multilabel_model``, multi-label metrics and thresholds
* ``heads``: the quick linear heads;  ``evaluation``: held-out split, bootstrap comparison
"""
from __future__ import annotations

from core.training.active import select_for_labeling
from core.training.evaluation import MIN_TO_ACTIVATE, compare
from core.training.heads import fit_multilabel_head, fit_quick_head
from core.training.multilabel import multilabel_metrics, train_multilabel_model
from core.training.train import (TrainConfig, TrainResult, base_features, require_torch, should_activate,
                                 train_model, verdict)

__all__ = ["MIN_TO_ACTIVATE", "TrainConfig", "TrainResult", "base_features", "compare", "fit_multilabel_head",
           "fit_quick_head", "multilabel_metrics", "require_torch", "select_for_labeling", "should_activate",
           "train_model", "train_multilabel_model", "verdict"]
