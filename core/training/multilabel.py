"""Retraining for multi-label tasks (intents, multi-choice custom tasks): sigmoid/BCE heads,
per-label thresholds, micro/macro-F1 and per-label figures.

Same contract as ``core.training.train_model``: a stratified held-out split (k-fold
cross-validation in quick mode when labels are few), the new AND the current model scored
on the same reviews, a staging folder, nothing activated here. The model folder's manifest
says ``multi_label: true`` and carries one ``thresholds`` value per label
(see ``core.model.task_models``).

"Current model" of a task: its active version in the model store; for intents without
one, the rule + seed-example classifier that analysis uses (``core.analysis.intents``).
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import UserError
from core.training.evaluation import MIN_TO_ACTIVATE, TRAINED_ON_KEY, hash_split, text_key
from core.jobs import CancelToken, Progress, wrap_progress
from core.training.train import (SMALL_DATA, TrainConfig, TrainResult, _train_full, base_features,
                                 new_staging_dir, staging_manifest, start_training, strata_of, verdict,
                                 write_quick_head)

MIN_POSITIVES = 2


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
    from core.training.heads import THRESHOLD_GRID, _f1

    y_true = np.asarray(y_true, dtype=bool)
    out = np.full(y_true.shape[1], 0.5, np.float32)
    for j in range(y_true.shape[1]):
        if y_true[:, j].any():
            out[j] = THRESHOLD_GRID[int(np.argmax([_f1(y_true[:, j], probs[:, j] >= t) for t in THRESHOLD_GRID]))]
    return out


def _targets(label_sets: Sequence[Sequence[str]], label_names: list[str]) -> np.ndarray:
    unknown = sorted({lab for s in label_sets for lab in s if lab not in label_names})
    if unknown:
        raise UserError(f"Labels {unknown} are not among this task's labels {label_names}: fix them or add the labels.")
    y = np.array([[lab in set(s) for lab in label_names] for s in label_sets], dtype=np.int64)
    usable = [lab for j, lab in enumerate(label_names) if y[:, j].sum() >= MIN_POSITIVES]
    if not usable:
        raise UserError(f"Training needs at least {MIN_POSITIVES} reviews with one of the labels {label_names}: "
                        "label more reviews.")
    return y


def _trained_on(store, task: str) -> set[str]:
    """Text keys the project's active model of ``task`` trained on (empty when none)."""
    path = store.active_dir(task) if store is not None else None
    if path is None:
        return set()
    try:
        from core.model import read_manifest

        return set(read_manifest(path).get(TRAINED_ON_KEY) or ())
    except UserError:
        return set()


def current_multilabel_predictions(engine, texts: list[str], task: str, label_names: list[str],
                                   cancel: CancelToken, store=None) -> np.ndarray | None:
    """[n, L] booleans from the task's current model (the project's, through ``store``), or
    None when there is none."""
    from core.model import load_task_model

    active = store.active_dir(task) if store is not None else None
    if active is not None:
        try:
            model = load_task_model(active, device="cpu")
        except UserError:
            model = None
        if model is not None and list(model.labels) == list(label_names):
            answers = model.predict(texts, cancel=cancel)
            if task == "intents":  # analysis ORs the rules in; score what analysis would say
                answers = _with_rules(texts, answers)
            return np.array([[lab in a for lab in label_names] for a in answers], dtype=bool)
    if task != "intents":
        return None
    from core.analysis import load_intent_classifier
    from core.text import detect_language

    clf = load_intent_classifier(engine, use_trained=False)
    preds = engine.predict(texts, with_embeddings=True, cancel=cancel)
    found = clf.classify(texts, [detect_language(t) for t in texts], preds.embeddings, preds.probs, engine.labels)
    return np.array([[lab in f for lab in label_names] for f in found], dtype=bool)


def _with_rules(texts: list[str], answers: list[list[str]]) -> list[list[str]]:
    from core.analysis import load_rules
    from core.text import detect_language

    rules = load_rules()
    return [sorted(set(a) | rules.hits(t, detect_language(t))) for t, a in zip(texts, answers)]


def train_multilabel_model(
    texts: Sequence[str],
    label_sets: Sequence[Sequence[str]],
    *,
    task: str,
    label_names: list[str],
    mode: str = "quick",
    base_dir: Path | None = None,
    staging_root: Path | None = None,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    seed: int = 0,
    store=None,
) -> TrainResult:
    """Train a multi-label model version for ``task`` (each review: zero or more labels).
    ``store``: the project's model store (its active model of ``task`` is the one compared)."""
    from core.model import load_engine
    from core.training.heads import _sigmoid, fit_multilabel_head

    cfg, progress, cancel = start_training(mode, config, seed, progress, cancel)
    texts = [str(t) for t in texts]
    if len(texts) != len(label_sets):
        raise ValueError("texts and label_sets differ in length")
    y = _targets(label_sets, label_names)
    t0 = time.time()
    engine = load_engine(base_dir, device="cpu", threads=cfg.threads)
    strata = [strata_of(row, label_names, True) for row in y]
    few = len(texts) < SMALL_DATA
    train_idx, held_idx = (list(range(len(texts))), []) if (few and mode == "quick") else \
        hash_split(texts, strata, cfg.eval_fraction)
    if mode == "full" and not held_idx:
        raise UserError("Full training needs held-out reviews: label more reviews.")
    staging = new_staging_dir(task, staging_root)
    try:
        progress(0.0, "scoring the current model on the held-out reviews")
        eval_rows = held_idx or list(range(len(texts)))
        current = current_multilabel_predictions(engine, [texts[i] for i in eval_rows], task, label_names, cancel,
                                                 store=store)
        step = wrap_progress(progress, 0.05, 0.95)
        info: dict = {}
        if mode == "quick":
            feats = base_features(engine, texts, progress=wrap_progress(step, 0.0, 0.7), cancel=cancel)
            cancel.check()
            if held_idx:
                W, b, thr = fit_multilabel_head(feats[train_idx], y[train_idx], seed=cfg.seed, info=info)
                pairs = [(held_idx, _sigmoid(feats[held_idx] @ W.T + b) >= thr)]
            else:  # few labels: out-of-fold predictions of the same procedure
                fold_of = np.random.default_rng(cfg.seed).permutation(len(texts)) % min(5, max(2, len(texts) // 10))
                pairs = []
                for k in np.unique(fold_of):
                    tr, te = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
                    Wk, bk, tk = fit_multilabel_head(feats[tr], y[tr], seed=cfg.seed)
                    pairs.append((te.tolist(), _sigmoid(feats[te] @ Wk.T + bk) >= tk))
                W, b, thr = fit_multilabel_head(feats, y, seed=cfg.seed, info=info)
            cancel.check()
            write_quick_head(engine, staging, label_names, W, b)
            extra = {"head": "head.json", "multi_label": True, "thresholds": np.asarray(thr).tolist(),
                     "head_fit": info}
        else:
            pairs, extra = _train_full(engine, texts, y.tolist(), train_idx, held_idx, label_names, cfg, step,
                                       cancel, staging, multi_label=True)
        order = [i for idx, _ in pairs for i in idx]
        pred = np.concatenate([np.asarray(p, bool) for _, p in pairs]) if pairs else np.zeros((0, len(label_names)))
        # as in core.training: the current model is never scored on reviews it trained on
        seen = _trained_on(store, task)
        keep = [k for k, i in enumerate(order) if text_key(texts[i]) not in seen] if current is not None \
            else list(range(len(order)))
        fair = [order[k] for k in keep]
        m_new = multilabel_metrics(y[fair], pred[keep], label_names)
        m_cur = None
        if current is not None:
            pos = {r: k for k, r in enumerate(eval_rows)}
            m_cur = multilabel_metrics(y[fair], current[[pos[i] for i in fair]], label_names)
        counts = y.sum(axis=0)
        missing = {name: int(MIN_TO_ACTIVATE - c) for name, c in zip(label_names, counts) if 0 < c < MIN_TO_ACTIVATE}
        text, better = verdict(m_new, m_cur, n_eval=len(fair), missing=missing)
        evaluation = "held-out" if held_idx else "k-fold cross-validation"
        doc = {"new": m_new, "current": m_cur, "evaluation": evaluation, "n_train": len(train_idx), "mode": mode,
               **{k: v for k, v in extra.items() if k not in ("head", "multi_label", "thresholds")}}
        manifest_extra = {k: extra[k] for k in ("head", "multi_label", "thresholds") if k in extra}
        manifest_extra["multi_label"] = True
        manifest_extra[TRAINED_ON_KEY] = sorted({text_key(texts[i]) for i in train_idx})
        doc["n_compared"] = len(fair)
        staging_manifest(staging, engine, label_names, task=task, metrics_doc=doc, extra=manifest_extra)
        progress(1.0, "done")
        return TrainResult(task=task, mode=mode, labels=label_names, metrics_new=m_new, metrics_current=m_cur,
                           verdict=text, better=better, staging_dir=staging, n_train=len(train_idx),
                           n_eval=len(fair), seconds=time.time() - t0, evaluation=evaluation,
                           activatable=not missing, missing=missing, n_compared=len(fair))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
