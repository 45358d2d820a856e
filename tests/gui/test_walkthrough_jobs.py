"""Issue 17 (user walk-through): progress text, and confirmations around running jobs."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def _job(*, progress, cancel):
    progress(20480 / 23010 * 0.6, "20,480 / 23,010 reviews")
    return 1


def test_worker_reports_the_real_fraction(qtbot):
    from gui.workers import Worker

    w = Worker(_job)
    seen = []
    w.signals.progress.connect(lambda f, m: seen.append(f))
    with qtbot.waitSignal(w.signals.finished, timeout=10000):
        w.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [pytest.approx(20480 / 23010 * 0.6)]


def test_progress_text_no_eta_when_done_or_cancelled(qtbot, window, model, zh_csv, tmp_path):
    from gui.workers import Eta

    assert window.new_project(tmp_path / "p.rlproj")
    wizard = window.start_import(zh_csv)
    page = wizard.analyse_page
    page.eta = Eta()
    page.eta.start = time.monotonic() - 20  # 20 s into the job
    page._progress(0.534, "20,480 / 23,010 reviews")
    text = page.message.text()
    assert text.startswith("20,480 / 23,010 reviews · 53 % overall · about ") and text.endswith(" left")
    assert page.bar.value() == 53  # the bar and the text show the same percent
    page.eta.start = time.monotonic() - 60
    assert page.eta.text(1.0) == "" and page.eta.text(0.5)  # known while running, none when done
    page._progress(1.0, "Done")
    assert "left" not in page.message.text()
    page._cancelled()
    assert page.message.text() == "Cancelled" and page.bar.text() == ""  # no "0 %", no ETA
    wizard.reject()
