"""Quick training: the encoder stays frozen; a new linear head is fitted on the current
model's sentence embeddings and logits (``core.model.head_features``). Seconds.

The model folder reuses the current ONNX graph and adds ``head.json`` (weights in JSON,
applied to the graph's ``embedding`` output by the engine), so nothing is re-exported.
With few labels (no held-out split) the answers compared are the out-of-fold answers of
the same procedure; the head that ships is then fitted on every label.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from core.jobs import CancelToken, Progress, wrap_progress
from core.model import Engine, head_features
from core.training.config import TrainConfig
from core.training.schemes import LabelScheme
from core.training.staging import write_quick_head

Answers = list[tuple[list[int], np.ndarray]]  # (review indices, the new model's answers for them)


def base_features(engine: Engine, texts: Sequence[str], *, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> np.ndarray:
    """Features for a quick head (see ``core.model.head_features``), from the model's raw outputs."""
    saved_head, engine._head = engine._head, None  # features come from the base graph, not a head on top
    try:
        parts = list(engine.iter_predict(texts, with_embeddings=True, progress=progress, cancel=cancel,
                                         total=len(texts), raw_logits=True))
    finally:
        engine._head = saved_head
    if not parts:
        return np.zeros((0, int(engine.manifest.get("hidden_size", 384)) + len(engine.labels)), np.float32)
    return head_features(np.concatenate([p.embeddings for p in parts]), np.concatenate([p.probs for p in parts]))


def _base_columns(engine: Engine, label_names: Sequence[str]) -> list[int | None]:
    """For each task label, the feature column of the base model's logit with that name."""
    hidden = int(engine.manifest.get("hidden_size", 384))
    return [hidden + engine.labels.index(lab) if lab in engine.labels else None for lab in label_names]


def train_quick(engine: Engine, texts: list[str], y: np.ndarray, train_idx: list[int], held_idx: list[int],
                label_names: list[str], *, scheme: LabelScheme, cfg: TrainConfig, progress: Progress,
                cancel: CancelToken, staging: Path) -> tuple[Answers, dict]:
    """Fit the head, write it into ``staging``; (answers on the evaluated reviews, manifest extras)."""
    feats = base_features(engine, texts, progress=wrap_progress(progress, 0.0, 0.7), cancel=cancel)
    cancel.check()
    columns = _base_columns(engine, label_names)
    info: dict = {}

    def fit(rows, info: dict | None = None):
        return scheme.fit_head(feats[rows], y[rows], len(label_names), seed=cfg.seed, base_columns=columns,
                               info=info)

    if held_idx:
        W, b, thresholds = fit(train_idx, info)
        answers = [(list(held_idx), scheme.decide(feats[held_idx] @ W.T + b, thresholds))]
    else:  # few labels: out-of-fold answers of the same procedure
        answers = []
        for tr, te in scheme.folds(y, cfg.seed):
            Wk, bk, tk = fit(tr)
            answers.append((te.tolist(), scheme.decide(feats[te] @ Wk.T + bk, tk)))
    progress(0.85, "fitting the final head")
    if not held_idx:
        W, b, thresholds = fit(np.arange(len(texts)), info)
    cancel.check()
    write_quick_head(engine, staging, label_names, W, b)
    extra: dict = {"head": "head.json"}
    if thresholds is not None:
        extra.update(multi_label=True, thresholds=np.asarray(thresholds).tolist())
    extra["head_fit"] = info
    return answers, extra
