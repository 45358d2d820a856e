"""The current model of a task (the one a new model is compared with) and its answers.

* Single-label: the project's active model of the task when it has one (a custom task's
  previous version), else the base model (for sentiment the base is the project's active
  sentiment model), its probabilities restricted to the task's labels; no current model
  when the base does not know the task's labels.
* Multi-label: the project's active model of the task; for intents without one, the rule +
  seed-example classifier that analysis uses (``core.analysis.intents``).

The texts the current model trained on (its manifest's ``trained_on``) are never scored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysis import load_intent_classifier, load_rules
from core.errors import UserError
from core.jobs import CancelToken
from core.model import Engine, ModelStore, load_engine, load_task_model, read_manifest
from core.text import detect_language
from core.training.evaluation import TRAINED_ON_KEY


@dataclass
class Current:
    """The current model's answers on the evaluated reviews, in the scheme's encoding (class
    indices, or [n, labels] booleans); None when the task has no current model. ``trained_on``:
    text keys it trained on, left out of the comparison."""

    predictions: np.ndarray | None
    trained_on: set[str]


def current_single(engine: Engine, texts: list[str], *, task: str, label_names: list[str],
                   store: ModelStore | None, threads: int | None, cancel: CancelToken) -> Current:
    current = _current_engine(engine, task, store, threads)
    return Current(_current_predictions(current, texts, label_names, cancel),
                   set(current.manifest.get(TRAINED_ON_KEY) or ()))


def current_multi(engine: Engine, texts: list[str], *, task: str, label_names: list[str],
                  store: ModelStore | None, threads: int | None, cancel: CancelToken) -> Current:
    predictions = current_multilabel_predictions(engine, texts, task, label_names, cancel, store=store)
    return Current(predictions, _trained_on(store, task) if predictions is not None else set())


def _current_predictions(engine: Engine, texts: list[str], label_names: list[str],
                         cancel: CancelToken) -> np.ndarray | None:
    """The current model's answers (indices into ``label_names``), or None when it has no such head."""
    if set(label_names) - set(engine.labels):
        return None
    preds = engine.predict(texts, cancel=cancel)
    allowed = [engine.labels.index(lab) for lab in label_names]
    return preds.probs[:, allowed].argmax(1)  # restricted to the task's labels (a 2-way task on a 3-way model)


def _current_engine(base: Engine, task: str, store: ModelStore | None, threads: int | None) -> Engine:
    """The project's active model of ``task`` when it has one, else the base model."""
    if task == "sentiment" or store is None:
        return base
    path = store.active_dir(task)
    if path is None:
        return base
    try:
        return load_engine(path, device="cpu", threads=threads)
    except UserError:
        return base


def _trained_on(store, task: str) -> set[str]:
    """Text keys the project's active model of ``task`` trained on (empty when none)."""
    path = store.active_dir(task) if store is not None else None
    if path is None:
        return set()
    try:
        return set(read_manifest(path).get(TRAINED_ON_KEY) or ())
    except UserError:
        return set()


def current_multilabel_predictions(engine, texts: list[str], task: str, label_names: list[str],
                                   cancel: CancelToken, store=None) -> np.ndarray | None:
    """[n, L] booleans from the task's current model (the project's, through ``store``), or
    None when there is none."""
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
    clf = load_intent_classifier(engine, use_trained=False)
    preds = engine.predict(texts, with_embeddings=True, cancel=cancel)
    found = clf.classify(texts, [detect_language(t) for t in texts], preds.embeddings, preds.probs, engine.labels)
    return np.array([[lab in f for lab in label_names] for f in found], dtype=bool)


def _with_rules(texts: list[str], answers: list[list[str]]) -> list[list[str]]:
    rules = load_rules()
    return [sorted(set(a) | rules.hits(t, detect_language(t))) for t, a in zip(texts, answers)]
