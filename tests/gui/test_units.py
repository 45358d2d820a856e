"""Workers, i18n, charts, browser model and crash hook (the core/gui import rule: tests/core/test_architecture.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.errors import UserError
from gui.workers import Worker, running_workers

ROOT = Path(__file__).resolve().parents[2]


def _job(n, *, progress, cancel, fail=None):
    for i in range(n):
        cancel.check()
        progress(i / n, f"{i}")
    if fail:
        raise fail
    return n


def test_worker_finished_and_throttled(qtbot):
    w = Worker(_job, 10000)
    seen = []
    w.signals.progress.connect(lambda f, m: seen.append(f))
    with qtbot.waitSignal(w.signals.finished, timeout=10000) as blocker:
        w.start()
    assert blocker.args == [10000]
    qtbot.waitUntil(lambda: len(seen) >= 99, timeout=2000)
    assert len(seen) <= 101  # ~1 % steps, not 10,000 signals


def test_worker_user_error_and_cancel(qtbot):
    w = Worker(_job, 5, fail=UserError("File x.csv is empty:\n export again."))
    with qtbot.waitSignal(w.signals.failed, timeout=10000) as blocker:
        w.start()
    assert blocker.args == ["File x.csv is empty: export again."]
    w = Worker(_job, 10 ** 9)
    with qtbot.waitSignal(w.signals.cancelled, timeout=10000):
        w.start()
        w.cancel()
    assert not running_workers()


def test_unexpected_error_goes_to_crash_log(qtbot, home):
    w = Worker(_job, 1, fail=ZeroDivisionError("boom"))
    with qtbot.waitSignal(w.signals.failed, timeout=10000) as blocker:
        w.start()
    assert "ZeroDivisionError" in blocker.args[0]
    logs = list((home / "crash").glob("crash-*.log"))
    assert logs and "boom" in logs[0].read_text()


def test_excepthook_writes_log_and_shows_dialog(qtbot, home):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gui.app import _excepthook

    try:
        raise RuntimeError("kaboom")
    except RuntimeError as exc:
        _excepthook(type(exc), exc, exc.__traceback__)
    assert "kaboom" in next((home / "crash").glob("*.log")).read_text()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.objectName() == "crash_dialog"]
    assert boxes and str(home) in boxes[-1].text()
    for b in boxes:
        b.close()


def test_i18n_has_both_languages():
    from gui import i18n

    for key in i18n.keys():
        zh, en = i18n._T[key]
        assert zh and en, key
    i18n.set_language("zh")
    assert i18n.tr("tab_dashboard") == "概览"
    i18n.set_language("en")
    assert i18n.tr("shown", n=3, total=10) == "3 of 10 reviews"


def test_cjk_font_draws_chinese(qapp):
    from PySide6.QtGui import QFontMetrics

    assert QFontMetrics(qapp.font()).inFontUcs4(ord("评"))


def test_review_model_fetches_on_demand(qtbot):
    from gui.review_browser import ReviewModel

    n = 100_000
    frame = pd.DataFrame({"row": np.arange(n), "sentiment": "positive", "sentiment_confidence": 0.9,
                          "rating": 5.0, "product": "p", "date": pd.Timestamp("2026-01-01"), "aspects": "",
                          "intents": "", "mismatch": "", "text": "很好"})
    model = ReviewModel()
    model.set_frame(frame)
    assert model.rowCount() == 500 and model.canFetchMore(model.index(0, 0).parent())
    model.fetchMore(model.index(0, 0).parent())
    assert model.rowCount() == 1000
    assert model.data(model.index(5, 0)) == "5"


def test_bar_chart_click_emits_key(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor

    from gui.charts import Bar, BarChart, Segment

    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 100)
    chart.set_bars([Bar("a", [Segment("k1", 3, QColor("red"), "t"), Segment("k2", 1, QColor("blue"), "t")])])
    chart.show()
    chart.repaint()
    rect = [r for r, s in chart.segment_rects() if s.key == "k2"][0]
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert blocker.args == ["k2"]
    with qtbot.waitSignal(chart.clicked) as blocker:  # keyboard: focus the first segment, Enter
        qtbot.keyClick(chart, Qt.Key.Key_Right)
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert blocker.args == ["k1"]


def test_run_app_starts_and_quits(qtbot, qapp, home):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import run_app
    from gui.main_window import MainWindow

    seen = []

    def close_all():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(w.windowTitle() for w in windows)
        for w in windows:
            w.close()
        qapp.quit()

    QTimer.singleShot(300, close_all)
    # Closing the last window posts a Quit event that exec() leaves queued once quit() has
    # ended it; processed later, it marks the thread as quitting and every QEventLoop.exec()
    # after it (qtbot.waitUntil in later tests) returns at once. The test's own quit() is enough.
    qapp.setQuitOnLastWindowClosed(False)
    try:
        assert run_app([]) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert seen == ["ReviewLens"]
    qapp.processEvents()
    with qtbot.waitSignal(qapp.applicationNameChanged, timeout=2000):  # event loops still run
        QTimer.singleShot(50, lambda: qapp.setApplicationName(qapp.applicationName() + "-"))
    assert (home / "settings").is_dir()  # QSettings live under REVIEWLENS_HOME


def test_browser_detail_shows_followup_and_reply(qtbot, analysed_project):
    """The detail pane shows a review's 追评 with its own sentiment and the shop's reply."""
    from gui.review_browser import ReviewBrowser

    _path, insights = analysed_project
    insights.reviews["followup"] = ""
    insights.reviews["followup_sentiment"] = ""
    insights.reviews["reply"] = ""
    insights.reviews.loc[0, ["followup", "followup_sentiment", "reply"]] = ["用了一周就坏了", "negative", "亲，已为您处理"]
    browser = ReviewBrowser()
    qtbot.addWidget(browser)
    browser.set_insights(insights)
    browser.view.selectRow(browser.model.index_map.tolist().index(0))
    text = browser.detail.toPlainText()
    assert "Follow-up" in text and "用了一周就坏了 · negative" in text and "亲，已为您处理" in text


def test_browser_detail_names_why_a_row_was_skipped(qtbot, analysed_project):
    """A skipped row says why in words (the report's words), not as a code like "non_text"."""
    from gui.review_browser import ReviewBrowser

    _path, insights = analysed_project
    skipped = [i for i, s in enumerate(insights.reviews["skipped"]) if s]
    assert skipped, "the fixture slice has skipped rows"
    insights.reviews.loc[skipped[0], "skipped"] = "garbled"
    browser = ReviewBrowser()
    qtbot.addWidget(browser)
    browser.set_insights(insights)
    browser.view.selectRow(browser.model.index_map.tolist().index(skipped[0]))
    text = browser.detail.toPlainText()
    assert "Skipped: garbled encoding" in text and "garbled)" not in text
