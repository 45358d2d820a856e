"""Local retraining from the owner's labels, with honest evaluation: one flow for
single-label and multi-label tasks (``train_task``), the differences passed in as a
``LabelScheme`` (``schemes.py``: label encoding, loss, metrics, ...).

1. Split: a stable, stratified held-out split by text hash (``evaluation.hash_split``); quick
   mode with fewer than ``SMALL_DATA`` labels evaluates by cross-validation instead.
2. Score the current model of the task on the evaluated reviews (``current.py``).
3. Train: ``quick`` (a new linear head over the frozen encoder, seconds; ``quick.py``) or
   ``full`` (fine-tune the student, export, quantize; minutes; ``full.py``, torch only there).
4. Compare the new and the current model on the same reviews, leaving out those the current
   model trained on; a bootstrap interval where the scheme has one (``metrics.verdict``).
5. Write the candidate's manifest (metrics, ``trained_on``) into its staging folder.

The result is a staging folder; activation is the caller's decision (``ModelStore.add``),
so a cancelled or failed run never changes the active model or the project.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import UserError
from core.jobs import CancelToken, Progress, no_progress, wrap_progress
from core.model import Engine, ModelStore, load_engine
from core.training.config import SMALL_DATA, TrainConfig, TrainResult
from core.training.current import Current
from core.training.evaluation import TRAINED_ON_KEY, Comparison, hash_split, missing_labels, text_key
from core.training.full import train_full
from core.training.metrics import verdict
from core.training.quick import train_quick
from core.training.schemes import MULTI_LABEL, SINGLE_LABEL, LabelScheme
from core.training.staging import new_staging_dir, staging_manifest

# Manifest fields that training results carry (the rest of them goes to the metrics record).
MANIFEST_FIELDS = ("head", "multi_label", "thresholds")


def train_model(texts: Sequence[str], labels: Sequence[str], *, task: str, label_names: list[str],
                mode: str = "quick", base_dir: Path | None = None, staging_root: Path | None = None,
                config: TrainConfig | None = None, progress: Progress | None = None,
                cancel: CancelToken | None = None, seed: int = 0, store: ModelStore | None = None) -> TrainResult:
    """Train a new model version for a single-label ``task`` (one label per review); nothing
    is activated here. The base model is ``base_dir``: the caller passes the project's active one."""
    return train_task(texts, labels, scheme=SINGLE_LABEL, task=task, label_names=label_names, mode=mode,
                      base_dir=base_dir, staging_root=staging_root, config=config, progress=progress, cancel=cancel,
                      seed=seed, store=store)


def train_multilabel_model(texts: Sequence[str], label_sets: Sequence[Sequence[str]], *, task: str,
                           label_names: list[str], mode: str = "quick", base_dir: Path | None = None,
                           staging_root: Path | None = None, config: TrainConfig | None = None,
                           progress: Progress | None = None, cancel: CancelToken | None = None, seed: int = 0,
                           store: ModelStore | None = None) -> TrainResult:
    """Train a multi-label model version for ``task`` (each review: zero or more labels).
    ``store``: the project's model store (its active model of ``task`` is the one compared)."""
    return train_task(texts, label_sets, scheme=MULTI_LABEL, task=task, label_names=label_names, mode=mode,
                      base_dir=base_dir, staging_root=staging_root, config=config, progress=progress, cancel=cancel,
                      seed=seed, store=store)


def train_task(texts: Sequence[str], labels: Sequence, *, scheme: LabelScheme, task: str, label_names: list[str],
               mode: str = "quick", base_dir: Path | None = None, staging_root: Path | None = None,
               config: TrainConfig | None = None, progress: Progress | None = None,
               cancel: CancelToken | None = None, seed: int = 0, store: ModelStore | None = None) -> TrainResult:
    """The training flow (see the module docstring); ``scheme`` says how labels are read,
    learnt and scored."""
    cfg, progress, cancel = start_training(mode, config, seed, progress, cancel)
    texts = [str(t) for t in texts]
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    y = scheme.encode(labels, label_names)
    t0 = time.time()
    engine = load_engine(base_dir, device="cpu", threads=cfg.threads)
    train_idx, held_idx = _split(texts, scheme.strata(y, label_names), mode, cfg.eval_fraction)
    if mode == "full" and not held_idx:
        raise UserError(f"Full training needs held-out reviews: {scheme.more_labels}")
    missing = missing_labels(scheme.counts(y, len(label_names)), label_names)
    staging = new_staging_dir(task, staging_root)
    try:
        progress(0.0, "scoring the current model on the held-out reviews")
        eval_rows = held_idx or list(range(len(texts)))
        current = scheme.current(engine, [texts[i] for i in eval_rows], task=task, label_names=label_names,
                                 store=store, threads=cfg.threads, cancel=cancel)
        runner = train_quick if mode == "quick" else train_full
        answers, extra = runner(engine, texts, y, train_idx, held_idx, label_names, scheme=scheme, cfg=cfg,
                                progress=wrap_progress(progress, 0.05, 0.95), cancel=cancel, staging=staging)
        scores = score(answers, y, texts, eval_rows, current, label_names, scheme=scheme, seed=cfg.seed)
        text, better = verdict(scores.new, scores.current, n_eval=scores.n_eval, comparison=scores.comparison,
                               missing=missing)
        evaluation = "held-out" if held_idx else "k-fold cross-validation"
        _write_manifest(staging, engine, texts, train_idx, label_names, task=task, mode=mode, scheme=scheme,
                        scores=scores, evaluation=evaluation, extra=extra)
        progress(1.0, "done")
        c = scores.comparison
        return TrainResult(task=task, mode=mode, labels=label_names, metrics_new=scores.new,
                           metrics_current=scores.current, verdict=text, better=better, staging_dir=staging,
                           n_train=len(train_idx), n_eval=scores.n_eval, seconds=time.time() - t0,
                           evaluation=evaluation, notes=scores.notes(), activatable=not missing, missing=missing,
                           interval=(c.low, c.high) if c and c.n else None, n_compared=scores.n_compared)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _split(texts: list[str], strata: list[str], mode: str, fraction: float) -> tuple[list[int], list[int]]:
    """(train, held-out) indices; quick mode with few labels holds nothing out (cross-validation)."""
    if len(texts) < SMALL_DATA and mode == "quick":
        return list(range(len(texts))), []
    return hash_split(texts, strata, fraction)


@dataclass
class Scores:
    """The new and the current model on the evaluated reviews."""

    new: dict
    current: dict | None
    comparison: Comparison | None
    n_compared: int  # reviews both models were scored on
    n_eval: int  # reviews the new model's figures cover
    left_out: int  # evaluated reviews the current model trained on (not compared)

    def notes(self) -> list[str]:
        if not self.left_out:
            return []
        return [f"{self.left_out} held-out reviews were left out of the comparison: the current model trained on them."]


def score(answers: list[tuple[list[int], np.ndarray]], y: np.ndarray, texts: list[str], eval_rows: list[int],
          current: Current, label_names: list[str], *, scheme: LabelScheme, seed: int) -> Scores:
    """Both models are compared only on reviews the current model never trained on (the new
    model's figures fall back to every evaluated review when that leaves none)."""
    order = [i for idx, _ in answers for i in idx]
    new_answers = np.concatenate([np.asarray(a) for _, a in answers])
    fair = [k for k, i in enumerate(order) if text_key(texts[i]) not in current.trained_on]
    shown = fair or list(range(len(order)))
    m_new = scheme.metrics(y[[order[k] for k in shown]], new_answers[shown], label_names)
    m_cur, comparison = None, None
    if current.predictions is not None:
        pos = {r: k for k, r in enumerate(eval_rows)}
        truth = y[[order[k] for k in fair]]
        theirs = current.predictions[[pos[order[k]] for k in fair]]
        m_cur = scheme.metrics(truth, theirs, label_names) if fair else {"n": 0, "accuracy": 0.0, "macro_f1": 0.0}
        comparison = scheme.compare(truth, new_answers[fair], theirs, label_names, seed)
    return Scores(new=m_new, current=m_cur, comparison=comparison, n_compared=len(fair),
                  n_eval=len(fair) or len(order), left_out=len(order) - len(fair))


def _write_manifest(staging: Path, engine: Engine, texts: list[str], train_idx: list[int], label_names: list[str],
                    *, task: str, mode: str, scheme: LabelScheme, scores: Scores, evaluation: str,
                    extra: dict) -> None:
    """The candidate's manifest: its metrics record, the training results' manifest fields,
    and the keys of every text it trained on (so a later model is never scored on them)."""
    c = scores.comparison
    doc = {"new": scores.new, "current": scores.current, "evaluation": evaluation, "n_train": len(train_idx),
           "mode": mode, "n_compared": scores.n_compared, "interval": [c.low, c.high] if c else None,
           **{k: v for k, v in extra.items() if k not in MANIFEST_FIELDS}}
    fields = {k: extra[k] for k in MANIFEST_FIELDS if k in extra}
    if scheme.multi_label:
        fields["multi_label"] = True
    fields[TRAINED_ON_KEY] = sorted({text_key(texts[i]) for i in train_idx})
    staging_manifest(staging, engine, label_names, task=task, metrics_doc=doc, extra=fields)


def start_training(mode: str, config: TrainConfig | None, seed: int, progress: Progress | None,
                   cancel: CancelToken | None) -> tuple[TrainConfig, Progress, CancelToken]:
    """What every training entry checks and sets up first: the mode (full needs torch), the
    config for it, and working progress/cancel objects."""
    if mode not in ("quick", "full"):
        raise UserError(f"Unknown training mode '{mode}': use quick or full.")
    if mode == "full":
        require_torch()
    cfg = config or TrainConfig(mode=mode, seed=seed)
    cfg.mode = mode
    return cfg, progress or no_progress, cancel or CancelToken()


def require_torch() -> None:
    """Full retraining needs PyTorch; the desktop build leaves it out (inference never uses it)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise UserError("Full retraining needs PyTorch, which this ReviewLens build does not include: use quick "
                        "mode (--mode quick), or run full retraining from the developer install or a "
                        "'training' build (see docs/BUILD.md).")


def should_activate(result: TrainResult, *, force: bool = False, no_activate: bool = False) -> bool:
    """A new version becomes its task's active version (the store keeps one per task) only when
    it beat the current model on the held-out reviews (or is the task's first model), unless
    the owner insists; never while some labelled class has too few labels (``missing``)."""
    if no_activate or not result.activatable:
        return False
    return result.better or force
