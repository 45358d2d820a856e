"""Retraining from the owner's labels: which reviews to label next, quick and full
training in one flow for single- and multi-label tasks, and an honest comparison with the
current model (torch is imported only by full training, inside its functions).

* ``active``: ``select_for_labeling`` (uncertain, diverse, rating/text mismatches)
* ``labelled``: the examples a project's labels give a task
* ``train``: ``train_task`` (the flow), ``train_model`` / ``train_multilabel_model``,
  ``should_activate``;  ``config``: ``TrainConfig``, ``TrainResult``
* ``schemes``: ``SINGLE_LABEL`` / ``MULTI_LABEL``, what differs between the two
* ``current``: the model a new one is compared with;  ``metrics``: figures and the verdict
* ``quick`` / ``full``: the two training modes;  ``staging``: the candidate model folder
* ``heads``: the quick linear heads;  ``evaluation``: held-out split, bootstrap comparison
"""
from __future__ import annotations

from core.training.active import select_for_labeling
from core.training.config import TrainConfig, TrainResult
from core.training.evaluation import MIN_TO_ACTIVATE, compare
from core.training.heads import fit_multilabel_head, fit_quick_head
from core.training.labelled import labelled_from_project
from core.training.metrics import metrics, multilabel_metrics, verdict
from core.training.quick import base_features
from core.training.schemes import MULTI_LABEL, SINGLE_LABEL, LabelScheme
from core.training.train import require_torch, should_activate, train_model, train_multilabel_model, train_task

__all__ = ["MIN_TO_ACTIVATE", "MULTI_LABEL", "SINGLE_LABEL", "LabelScheme", "TrainConfig", "TrainResult",
           "base_features", "compare", "fit_multilabel_head", "fit_quick_head", "labelled_from_project", "metrics",
           "multilabel_metrics", "require_torch", "select_for_labeling", "should_activate", "train_model",
           "train_multilabel_model", "train_task", "verdict"]
