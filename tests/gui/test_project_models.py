"""Models belong to a project: the window's analysis, labelling and training jobs use the open
project's own active models, never another project's, and the bundled one without any."""
from __future__ import annotations

import shutil
from pathlib import Path


from tests.gui.tiny_model import build_tiny_model


def activate_in(project: Path, folder: Path) -> str:
    """Store ``folder`` as a version and make it active for ``project`` only."""
    from core.model import ModelStore

    return ModelStore(project=project).add(folder, activate=True).version


def _reanalysed(qtbot, window, path: Path):
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    window.insights = None
    window.load_insights(reanalyse=True)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=60000)
    return window.insights


def test_analysis_uses_the_open_projects_models_only(qtbot, window, analysed_project, model, tmp_path):
    from core.project import Project

    path, _ = analysed_project
    own = activate_in(path, build_tiny_model(tmp_path / "own", version="own", bias=3.0))  # says neutral more
    delivery = activate_in(path, build_tiny_model(tmp_path / "delivery", version="delivery", task="delivery"))
    insights = _reanalysed(qtbot, window, path)
    assert insights.method["model_version"] == own
    assert insights.method["model_origin"] == "project"
    assert insights.method["task_models"] == {"delivery": delivery}  # through the project's store
    assert "task:delivery" in insights.reviews.columns
    assert insights.sentiment_counts()["neutral"] > 0

    other = tmp_path / "other.rlproj"  # the same versions are stored, but not this project's choice
    Project.create(other).close()
    with Project.open(path, readonly=True) as p:
        frame = p.reviews()
    from core.jobs import CancelToken
    from gui.session import import_and_analyse

    csv = tmp_path / "other.csv"
    frame[["text"]].to_csv(csv, index=False)
    theirs = import_and_analyse(other, csv, sheet=None, columns={}, device="cpu", threads=1,
                                progress=lambda f, m: None, cancel=CancelToken())
    assert theirs.method["model_version"] == model and theirs.method["model_origin"] == "bundled"
    assert not any(str(c).startswith("task:") for c in theirs.reviews.columns)


def test_labelling_and_training_jobs_start_from_the_projects_model(analysed_project, model, tmp_path):
    from core.jobs import CancelToken
    from core.project import Project
    from gui.session import get_engine, labeling_queue, train_project_job

    path, insights = analysed_project
    own = activate_in(path, build_tiny_model(tmp_path / "own", version="own", bias=3.0))
    assert get_engine(path, "cpu", 1).version == own
    assert get_engine(None, "cpu", 1).version == model
    queue = labeling_queue(path, "sentiment", n=5, device="cpu", threads=1, progress=lambda f, m: None,
                           cancel=CancelToken())
    assert (queue["guess"] == "neutral").any()  # the project's neutral-leaning model guessed
    skipped = set(insights.reviews.loc[insights.reviews["skipped"] != "", "text"])
    assert skipped and not skipped & set(queue["text"])  # placeholders/empty rows are never offered
    whole = labeling_queue(path, "sentiment", n=10_000, device="cpu", threads=1, progress=lambda f, m: None,
                           cancel=CancelToken())
    assert not skipped & set(whole["text"])
    r = insights.reviews.dropna(subset=["review_id"])
    with Project.open(path) as project:
        project.set_labels("sentiment", [(int(i), "negative" if k % 2 else "positive")
                                         for k, i in enumerate(r["review_id"].head(24))])
    result = train_project_job(path, task="sentiment", mode="quick", progress=lambda f, m: None,
                               cancel=CancelToken())
    import json

    manifest = json.loads((Path(result.staging_dir) / "manifest.json").read_text(encoding="utf-8"))
    shutil.rmtree(result.staging_dir, ignore_errors=True)
    assert manifest["base_model"]["version"] == own  # based on, and compared with, the project's model


def test_cache_from_another_model_is_not_shown(qtbot, window, analysed_project, model, tmp_path):
    """A model activated for the project outside the window (the CLI) makes the insights cache
    stale: reopening re-analyses with it instead of showing the old model's figures."""
    path, _ = analysed_project
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    assert window.insights.method["model_version"] == model  # the cache written by the import
    window.close_project()
    own = activate_in(path, build_tiny_model(tmp_path / "own", version="own", bias=3.0))
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None and window.insights.method["model_version"] == own,
                    timeout=60000)
    assert window.dashboard.model_line.text() == f"Model: {own} (trained for this project)"
