"""pytest-qt, offscreen; a per-test REVIEWLENS_HOME; a tiny real model; no dangling jobs."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.gui.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny")


@pytest.fixture(scope="session")
def intent_cache(tiny_model, tmp_path_factory) -> Path:
    """The seed-trained intent head for the tiny model, trained once per session."""
    from core.analysis import load_intent_classifier
    from core.model import load_engine

    cache = tmp_path_factory.mktemp("intent_cache")
    load_intent_classifier(load_engine(tiny_model, device="cpu", threads=1), cache_dir=cache)
    return cache


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch, qapp) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("REVIEWLENS_HOME", str(home))
    from gui.app import setup_application
    from gui.i18n import set_language
    from gui.settings import set_setting

    setup_application(qapp)
    set_setting("ui/language", "en")
    set_setting("engine/device", "cpu")
    set_setting("engine/threads", 1)
    set_language("en")
    import gui.session

    gui.session._engines.clear()
    return home


@pytest.fixture(autouse=True)
def no_dangling_jobs(qapp):
    """Fail a test that leaves a worker running (napari's _dangling_qthreads)."""
    yield
    from gui.workers import running_workers

    deadline = time.monotonic() + 10
    while running_workers() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.02)
    left = running_workers()
    for w in left:
        w.cancel()
        w.wait(30)
    assert not left, f"test left {len(left)} job(s) running: {[w.fn.__name__ for w in left]}"


@pytest.fixture
def model(home, tiny_model, intent_cache, monkeypatch) -> str:
    """The tiny model as the model analysis uses, without activating anything: models belong
    to a project now, and the bundled default is what a project without its own model runs.
    ``REVIEWLENS_DEFAULT_MODEL`` points the bundled default at the tiny model; job processes
    ('spawn') inherit ``os.environ``, so they load it too. Returns its version."""
    from core.model import active_model_dir, read_manifest

    (home / "cache").mkdir(exist_ok=True)
    for f in intent_cache.iterdir():
        shutil.copy(f, home / "cache" / f.name)
    monkeypatch.setenv("REVIEWLENS_DEFAULT_MODEL", str(tiny_model))
    assert active_model_dir() == tiny_model
    return str(read_manifest(tiny_model)["version"])


@pytest.fixture
def zh_csv(tmp_path) -> Path:
    """60 Taobao reviews (Chinese headers) as a CSV: a small slice of the sample export."""
    from core.importing import read_reviews

    frame = read_reviews(SAMPLES / "taobao_export.xlsx").frame.head(60)
    out = pd.DataFrame({"宝贝名称": frame["product"], "评价时间": frame["date"].dt.strftime("%Y-%m-%d %H:%M"),
                        "评分": frame["rating"].astype("Int64"), "评价内容": frame["text"]})
    path = tmp_path / "taobao_slice.csv"
    out.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture
def analysed_project(tmp_path, model, zh_csv):
    """A project holding the slice, analysed (through the same job the wizard runs)."""
    from core.jobs import CancelToken
    from core.project import Project
    from gui.session import import_and_analyse

    path = tmp_path / "shop.rlproj"
    Project.create(path).close()
    insights = import_and_analyse(path, zh_csv, sheet=None, columns={}, device="cpu", threads=1,
                                  progress=lambda f, m: None, cancel=CancelToken())
    return path, insights


@pytest.fixture(autouse=True)
def no_unanswered_questions(monkeypatch):
    """A Yes/No question a test did not expect fails it instead of blocking offscreen forever
    (a test that expects one patches ``QMessageBox.question`` itself)."""
    from PySide6.QtWidgets import QMessageBox

    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected question: {args[2] if len(args) > 2 else args}")

    monkeypatch.setattr(QMessageBox, "question", refuse)


@pytest.fixture
def window(qtbot):
    """The main window, shown; closed after the test (a test module may override it)."""
    from gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def open_and_wait(qtbot, window, path: Path, timeout: int = 30000) -> Path:
    """Open ``path`` in ``window`` and wait until its insights are shown."""
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=timeout)
    return path


def columns_page_with_nickname_column(qtbot, window, tmp_path: Path):
    """A new project importing a 2-review CSV whose third column (买家昵称) holds no dates:
    (wizard, its loaded columns page)."""
    src = tmp_path / "shop.csv"
    src.write_text("评价内容,评分,买家昵称\n质量很好，很满意,5,t**1\n太差了，不会再买,1,t**2\n", encoding="utf-8")
    assert window.new_project(tmp_path / "shop.rlproj")
    wizard = window.start_import(src)
    wizard.next()
    page = wizard.columns_page
    qtbot.waitUntil(lambda: page.loaded and page.result is not None, timeout=20000)
    return wizard, page
