"""Trained models of tasks other than sentiment (intents, the owner's custom tasks), at analysis time.

A task model is a model-store folder whose manifest has ``task`` (not "sentiment"),
``labels`` and, for a multi-label task, ``multi_label: true`` plus one ``thresholds`` value
per label. Its graph (or quick ``head.json``) gives one logit per label:

* single-label: the label with the highest logit;
* multi-label: every label whose sigmoid(logit) reaches its threshold (possibly none).

``active_task_models()`` loads the active version of every such task from the store; the
analysis (``core.analysis.pipeline.score_custom_tasks``) puts their answers into the
per-review table as ``task:<name>`` columns (values joined by ';'), so the results CSV and
the GUI get them with no extra code. The intents task is not a column: its model feeds
``core.analysis.intents`` instead.

Each task model is its own ONNX session: one more pass over the analysed texts per active
task model (a quick head re-runs the shared graph; the graph's raw logits are not part of
the sentiment pass's calibrated output, so they cannot be reused exactly).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import UserError
from core.jobs import CancelToken, Progress
from core.model.engine import Engine, load_engine
from core.model.manifest import read_manifest
from core.model.store import ModelStore

COLUMN_PREFIX = "task:"
# Built into analysis elsewhere: sentiment is the main engine, intents feed intents.py,
# an owner-trained aspects model gives the polarity of aspect mentions (core.analysis.pipeline).
NOT_A_COLUMN = ("sentiment", "intents", "aspects")


@dataclass
class TaskModel:
    """A loaded task model: ``predict`` returns label lists (one label each for single-label)."""

    task: str
    version: str
    labels: tuple[str, ...]
    multi_label: bool
    thresholds: np.ndarray | None
    engine: Engine

    def logits(self, texts: Sequence[str], *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> np.ndarray:
        parts = [p.probs for p in self.engine.iter_predict(texts, progress=progress, cancel=cancel,
                                                            total=len(texts), raw_logits=True)]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.labels)), np.float32)

    def decide(self, logits: np.ndarray) -> list[list[str]]:
        if self.multi_label:
            on = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50))) >= self.thresholds
            return [[self.labels[j] for j in np.flatnonzero(row)] for row in on]
        return [[self.labels[int(i)]] for i in logits.argmax(1)] if len(logits) else []

    def predict(self, texts: Sequence[str], *, progress: Progress | None = None,
                cancel: CancelToken | None = None) -> list[list[str]]:
        return self.decide(self.logits(texts, progress=progress, cancel=cancel))


def load_task_model(model_dir: Path | str, *, device: str = "cpu", threads: int | None = None) -> TaskModel:
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    engine = load_engine(model_dir, device=device, threads=threads)
    labels = tuple(manifest["labels"])
    multi = bool(manifest.get("multi_label"))
    thresholds = None
    if multi:
        thresholds = np.asarray(manifest.get("thresholds") or [0.5] * len(labels), np.float32)
    return TaskModel(task=str(manifest.get("task")), version=str(manifest.get("version", model_dir.name)),
                     labels=labels, multi_label=multi, thresholds=thresholds, engine=engine)


def active_task_models(*, store=None, tasks: Sequence[str] | None = None, device: str = "cpu",
                       threads: int | None = None) -> list[TaskModel]:
    """The active version of every non-sentiment task in the store (``tasks`` narrows the list).

    A version that no longer loads (deleted file, bad checksum) is skipped: analysis goes on
    without that task's column rather than failing."""
    store = store or ModelStore()
    out = []
    for task, path in sorted(store.active_task_dirs().items()):
        if (task in NOT_A_COLUMN if tasks is None else task not in tasks):
            continue
        try:
            out.append(load_task_model(path, device=device, threads=threads))
        except UserError:
            continue
    return out
