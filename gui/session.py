"""Job functions the windows run on the heavy pool.

These compose core functions (importer -> project -> engine -> insights); they import no
Qt and follow the core job shape ``fn(..., progress, cancel)``, so the heavy ones run in a
child process (``gui.workers.ProcessWorker``; they must stay module-level and picklable).
A job that writes opens its own project handle with ``lock=False``: the window that
started it keeps its handle and the project lock for the whole job (see gui/workers.py).

Models belong to a project: every engine, analysis, labelling and training job uses the open
project's active models (``get_engine(project_path, ...)``, ``ModelStore(project=...)``).
The insights cache (``gui.insights_cache``) lets a project reopen straight onto its
dashboard; it is used only when it came from the model the project uses now
(``cache_is_current``), else the project is re-analysed.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from core.jobs import CancelToken, Progress, wrap_progress
from gui.insights_cache import CACHE_SCHEMA, load_insights, save_insights  # noqa: F401 - re-exported

_engines: dict[tuple, Any] = {}


def get_engine(project_path: Path | str | None, device: str = "auto", threads: int | None = None,
               fast: bool = False):
    """The Engine of ``project_path``'s active sentiment model (models belong to a project),
    else the bundled one; cached per (model folder, device, threads, fast).

    ``fast``: the model's fast network where it ships one (``load_engine(fast=True)``). Called from
    the heavy pool's single thread or a job process only (see ``gui.workers.heavy_pool``).
    """
    from core.model import active_model_dir, load_engine

    model_dir = active_model_dir(project_path)
    key = (str(model_dir), device, threads, bool(fast))
    if key not in _engines:
        _engines.clear()
        _engines[key] = load_engine(model_dir, device=device, threads=threads, fast=fast)
    return _engines[key]


def project_store(project_path: Path | str):
    """The model store as ``project_path`` sees it: its own active version per task."""
    from core.model import ModelStore

    return ModelStore(project=project_path)


def model_origin(project_path: Path | str | None, engine) -> str:
    """"project" when ``engine`` runs a model trained for (and active in) this project, else "bundled"."""
    from core.model import bundled_model_dir

    try:
        bundled = Path(engine.model_dir).resolve() == bundled_model_dir().resolve()
    except OSError:
        bundled = True
    return "bundled" if bundled or project_path is None else "project"


def _analyse(project_path: Path, table, engine, *, progress: Progress, cancel: CancelToken, fast: bool = False):
    """``analyze_table`` with the project's own task models, its method noting which model ran
    (the dashboard says so: version, bundled or trained for this project, fast mode)."""
    from core.analysis import analyze_table

    insights = analyze_table(table, engine, progress=progress, cancel=cancel, store=project_store(project_path))
    insights.method = {**(insights.method or {}), "model_origin": model_origin(project_path, engine),
                       "blend": bool(getattr(engine, "blended", False)),
                       "fast": bool(getattr(engine, "fast", False))}
    return insights


def last_device() -> str | None:
    for engine in _engines.values():
        return f"{engine.device_name} ({engine.provider})"
    return None


def cache_is_current(insights: Any, project_path: Path, *, fast: bool = False) -> bool:
    """Whether cached insights came from the model the project would analyse with now: its
    active sentiment version (another one activated since, e.g. from the CLI, makes the cache
    stale) and, for a model with a fast network, the same fast-mode setting."""
    from core.errors import UserError
    from core.model import active_model_dir, read_manifest

    try:
        manifest = read_manifest(active_model_dir(project_path))
    except UserError:
        return True  # no readable model: analysing again would fail the same way
    method = getattr(insights, "method", None) or {}
    if method.get("model_version") != str(manifest.get("version", "unknown")):
        return False
    return not manifest.get("fast") or bool(method.get("fast", False)) == bool(fast)


def _store_predictions(project, insights, model_version: str) -> None:
    r = insights.reviews
    if "review_id" not in r.columns:
        return
    done = r[(r["skipped"] == "") & r["review_id"].notna()].drop_duplicates("review_id")
    # Insights carries the top label and its confidence, not the class probabilities: store [].
    project.save_predictions(model_version, "sentiment",
                             [(int(i), s, float(c), []) for i, s, c in
                              zip(done["review_id"], done["sentiment"], done["sentiment_confidence"])])


def read_table(source: Path | str, *, sheet: str | None, columns: dict[str, str | None], progress: Progress,
               cancel: CancelToken):
    """``core.importing.read_reviews`` with the wizard's column choices (None: core's guess)."""
    from core.importing import read_reviews

    return read_reviews(source, sheet=sheet, text_column=columns.get("text"), rating_column=columns.get("rating"),
                        date_column=columns.get("date"), product_column=columns.get("product"),
                        sku_column=columns.get("sku"), followup_column=columns.get("followup"),
                        reply_column=columns.get("reply"), progress=progress, cancel=cancel)


def import_and_analyse(project_path: Path, source: Path, *, sheet: str | None, columns: dict[str, str | None],
                       device: str, threads: int | None, progress: Progress, cancel: CancelToken,
                       table: Any = None, fast: bool = False):
    """Read a spreadsheet, add its reviews to the project, analyse them, store predictions.

    Returns the Insights (its ``reviews`` gain a ``review_id`` column). Into an empty
    project: analysis first, then the reviews are added, all or nothing (a cancel stores
    nothing). Into a project that already holds reviews: the new ones are added first (a
    cancel while adding rolls that back), then EVERY stored review is analysed, so the
    dashboard and its cache cover the whole project, not only the last file (a cancel during
    that analysis keeps the added reviews; the next open analyses them).
    """
    from core.project import Project

    if table is None:
        table = read_table(source, sheet=sheet, columns=columns, progress=wrap_progress(progress, 0.0, 0.1),
                           cancel=cancel)
    with Project.open(project_path, readonly=True) as project:
        earlier = project.review_count()
    progress(0.1, "Loading the model")
    engine = get_engine(project_path, device, threads, fast)
    cancel.check()
    if earlier:
        with Project.open(project_path, lock=False) as project:  # the window holds the lock for us
            project.add_reviews(table, source_path=source, sheet=table.sheet, column_mapping=table.columns,
                                progress=wrap_progress(progress, 0.1, 0.15), cancel=cancel)
            table = project_table(project)
    insights = _analyse(project_path, table, engine, progress=wrap_progress(progress, 0.15 if earlier else 0.12, 0.9),
                        cancel=cancel, fast=fast)
    with Project.open(project_path, lock=False) as project:
        if earlier:
            insights.reviews["review_id"] = pd.array(insights.reviews["row"], dtype="Int64")
        else:
            project.add_reviews(table, source_path=source, sheet=table.sheet, column_mapping=table.columns,
                                progress=wrap_progress(progress, 0.9, 0.96), cancel=cancel)
            insights.reviews["review_id"] = pd.array(
                project.review_ids_for_texts(insights.reviews["text"].tolist()), dtype="Int64")
        progress(0.97, "Saving predictions")
        _store_predictions(project, insights, engine.version)
        save_insights(project_path, insights, project.review_count())
    progress(1.0, "Done")
    return insights


def project_table(project) -> SimpleNamespace:
    """A ReviewTable-shaped view of every review in a project (``row`` = review id)."""
    frame = project.reviews()
    frame = frame.rename(columns={"id": "row"})
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
    frame["rating"] = pd.to_numeric(frame["rating"], errors="coerce")
    for col in ("product", "sku", "followup", "reply"):
        frame[col] = frame[col].fillna("")
    return SimpleNamespace(frame=frame, source=project.path, sheet=None, header_row=1, columns={})


def source_names(project, reviews: pd.DataFrame) -> pd.Series | None:
    """Each analysed review's source file name (by ``review_id``), NaN where the project has
    no such review (skipped empty rows); None when the reviews carry no ids."""
    if "review_id" not in reviews.columns:
        return None
    sources = project.sources()
    name_of = dict(zip(sources["id"], [Path(p).name for p in sources["path"]]))
    ids = project.reviews()[["id", "source_id"]]
    by_review = dict(zip(ids["id"].tolist(), ids["source_id"].map(name_of)))
    return reviews["review_id"].astype(object).map(by_review)


def cached_insights(project_path: Path, *, progress: Progress, cancel: CancelToken, fast: bool = False):
    """The cached Insights of a project; None when it has no reviews or no fresh cache (other
    review count, another model or fast setting: ``cache_is_current``); then the window runs
    ``open_or_analyse`` in a job process. A thread job: reading the cache needs no model,
    and a process start would cost more than it saves."""
    from core.project import Project

    with Project.open(project_path, readonly=True) as project:
        count = project.review_count()
    cancel.check()
    cached = load_insights(project_path, count) if count else None
    return cached if cached is not None and cache_is_current(cached, project_path, fast=fast) else None


def open_or_analyse(project_path: Path, *, reanalyse: bool, device: str, threads: int | None,
                    progress: Progress, cancel: CancelToken, fast: bool = False):
    """Cached insights of a project, else a fresh analysis of the reviews it holds (None if empty)."""
    from core.project import Project

    with Project.open(project_path, readonly=True) as project:
        count = project.review_count()
        if not reanalyse:
            cached = load_insights(project_path, count)
            if cached is not None and cache_is_current(cached, project_path, fast=fast):
                return cached
        if count == 0:
            return None
        table = project_table(project)
    progress(0.02, "Loading the model")
    engine = get_engine(project_path, device, threads, fast)
    insights = _analyse(project_path, table, engine, progress=wrap_progress(progress, 0.05, 0.95), cancel=cancel,
                        fast=fast)
    insights.reviews["review_id"] = pd.array(insights.reviews["row"], dtype="Int64")
    with Project.open(project_path, lock=False) as project:  # the window holds the lock for us
        _store_predictions(project, insights, engine.version)
    save_insights(project_path, insights, count)
    return insights


def labeling_queue(project_path: Path, task: str, *, n: int, device: str, threads: int | None,
                   progress: Progress, cancel: CancelToken, pool: int = 2000, seed: int = 0,
                   fast: bool = False) -> pd.DataFrame:
    """The next ``n`` reviews to label for ``task`` (active learning over a bounded candidate pool).

    Returns columns id, text, rating, guess, confidence (guess only for the model's own task).
    """
    from core.project import Project
    from core.training import select_for_labeling

    with Project.open(project_path, readonly=True) as project:
        frame = project.reviews(unlabeled_for=task)
        given = project.labels(task).drop_duplicates("review_id")
        if len(given) > 300:  # enough to know the classes in use and their balance
            given = given.sample(300, random_state=seed)
        labeled = project.reviews(ids=given["review_id"].tolist()) if len(given) else frame.iloc[:0]
    # rows analysis skips (empty, a platform's 系统默认好评, "。。。", garbled) teach nothing
    from core.analysis import skip_reason
    from core.text import is_placeholder

    frame = frame[[skip_reason(str(t), placeholder=is_placeholder) == "" for t in frame["text"]]]
    if frame.empty:
        return frame.assign(guess=[], confidence=[])
    if len(frame) > pool:  # bound the model pass: a random slice is a fair candidate pool
        frame = frame.sample(pool, random_state=seed).sort_values("id")
    frame = frame.reset_index(drop=True)
    engine = get_engine(project_path, device, threads, fast)
    # Reviews already labelled go through the model too (never picked): their labels tell the
    # selection which classes are in use and which are short, and keep picks away from them.
    value_of = dict(zip(given["review_id"], given["value"]))
    label_names = list(engine.labels)
    known = [label_names.index(value_of[r]) if value_of.get(r) in label_names else -1 for r in labeled["id"]]
    texts = frame["text"].tolist() + labeled["text"].tolist()
    preds = engine.predict(texts, with_embeddings=True, progress=wrap_progress(progress, 0, 0.9), cancel=cancel)
    ratings = np.concatenate([frame["rating"].to_numpy(dtype=float), labeled["rating"].to_numpy(dtype=float)])
    labels = np.array([-1] * len(frame) + known, dtype=np.int64)
    mask = np.array([False] * len(frame) + [True] * len(labeled))
    picks = select_for_labeling(preds.probs, preds.embeddings, n=n, ratings=ratings, labels=labels,
                                labeled_mask=mask, predicted_polarity=np.array(preds.predicted, dtype=object),
                                seed=seed)
    out = frame.iloc[picks].reset_index(drop=True)
    own_task = str(engine.manifest.get("task", "sentiment")) == task
    out["guess"] = [preds.predicted[i] if own_task else "" for i in picks]
    out["confidence"] = [float(preds.confidence[i]) if own_task else float("nan") for i in picks]
    progress(1.0, "Ready")
    return out


def train_job(texts: list[str], labels: list[str], *, task: str, label_names: list[str], mode: str,
              progress: Progress, cancel: CancelToken) -> Any:
    """Fine-tune on the owner's labels (run in a job process: torch holds the GIL)."""
    from core.training import train_model  # torch is imported only here, only when training

    return train_model(texts, labels, task=task, label_names=label_names, mode=mode, base_dir=None,
                       progress=progress, cancel=cancel, seed=0)


def train_project_job(project_path: Path, *, task: str, mode: str, progress: Progress, cancel: CancelToken) -> Any:
    """The training wizard's job: the project's labels for ``task`` read and shaped as the CLI
    does (``core.training.labelled_from_project``), then single- or multi-label training based
    on (and compared with) the project's own active model, as ``main.py train --project`` does."""
    from core.model import active_model_dir
    from core.training import labelled_from_project, train_model, train_multilabel_model

    texts, labels, names, multi = labelled_from_project(Path(project_path), task)
    trainer = train_multilabel_model if multi else train_model
    return trainer(texts, labels, task=task, label_names=names, mode=mode, base_dir=active_model_dir(project_path),
                   progress=progress, cancel=cancel, seed=0, store=project_store(project_path))


def write_report_job(insights, path: Path, *, lang: str, mask: bool, sheets: list[str],
                     progress: Progress, cancel: CancelToken) -> Path:
    from core.report import write_report

    return write_report(insights, path, lang=lang, mask=mask, sheets=sheets, progress=progress, cancel=cancel)
