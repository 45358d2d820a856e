"""End-to-end flows driving the real widgets: import -> analyse -> dashboard -> browser,
labelling with keys, training, model versions, export."""
from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox, QWizard

from tests.gui.conftest import columns_page_with_nickname_column


def _db(path: Path, sql: str, *args):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _click_segment(qtbot, chart, key):
    chart.repaint()
    for rect, seg in chart.segment_rects():
        if seg.key == key:
            qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
            return
    raise AssertionError(f"no segment {key!r}")


def test_import_analyse_dashboard_filters_browser(qtbot, window, model, zh_csv, tmp_path):
    project = tmp_path / "shop.rlproj"
    assert window.new_project(project)
    wizard = window.start_import(zh_csv)
    assert wizard.file_page.path.text() == str(zh_csv)
    wizard.next()
    page = wizard.columns_page
    qtbot.waitUntil(lambda: page.loaded, timeout=20000)
    assert page.combos["text"].currentData() == "评价内容"
    assert page.combos["rating"].currentData() == "评分"
    assert "%" in page.combos["text"].currentText()  # confidence shown
    qtbot.waitUntil(lambda: page.result is not None, timeout=20000)
    assert "60 rows" in page.counts.text()
    wizard.next()
    qtbot.mouseClick(wizard.analyse_page.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.analyse_page.done, timeout=60000)
    assert wizard.analyse_page.bar.value() == 100
    assert window.project is not None  # handed back after the job
    n = _db(project, "SELECT count(*) FROM reviews")[0][0]
    assert 50 <= n <= 60
    assert _db(project, "SELECT count(*) FROM predictions WHERE task='sentiment'")[0][0] > 40
    wizard.accept()

    assert window.tabs.currentWidget() is window.dashboard
    total = len(window.insights.reviews)
    assert window.dashboard.tiles["reviews"].value == f"{total:,}"
    _click_segment(qtbot, window.dashboard.split, "negative")
    assert window.tabs.currentWidget() is window.browser
    sentiments = set(window.insights.reviews["sentiment"].iloc[window.browser.model.index_map])
    assert sentiments == {"negative"}
    assert 0 < window.browser.model.rowCount() < total

    aspect = window.insights.aspects.sort_values("negative").iloc[-1]["aspect"]
    window.tabs.setCurrentWidget(window.dashboard)
    _click_segment(qtbot, window.dashboard.aspects, (aspect, "negative"))
    rows = window.insights.reviews.iloc[window.browser.model.index_map]
    assert len(rows) > 0 and all(f"{aspect}:negative" in a for a in rows["aspects"])
    # the detail pane shows clause-level results with the term highlighted
    window.browser.view.selectRow(0)
    html = window.browser.detail.toHtml()
    assert "font-weight" in html and "Clause-level results" in html
    # the search box filters too
    window.browser.search.setFocus()
    window.browser.search.insert("质量")  # QTest.keyClicks handles ASCII only
    qtbot.waitUntil(lambda: all("质量" in t for t in window.insights.reviews["text"].iloc[window.browser.model.index_map]),
                    timeout=3000)


def test_drop_spreadsheet_starts_import(qtbot, window, model, zh_csv):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(zh_csv))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.project is not None and window.project_path.suffix == ".rlproj"
    wizard = [d for d in window.dialogs if isinstance(d, QWizard)][0]
    assert wizard.path() == str(zh_csv)
    wizard.reject()


def test_cancel_analysis_shows_nothing_and_stores_nothing(qtbot, window, model, tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)  # "Stop it?"
    big = tmp_path / "big.csv"
    texts = [f"第{i}条：质量很好，物流很快，但是包装有点破" for i in range(20000)]
    pd.DataFrame({"评价内容": texts, "评分": 5}).to_csv(big, index=False)
    window.new_project(tmp_path / "c.rlproj")
    wizard = window.start_import(big)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.columns_page.loaded, timeout=20000)
    wizard.next()
    qtbot.mouseClick(wizard.analyse_page.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.analyse_page.bar.value() > 0, timeout=20000)
    with qtbot.waitSignal(wizard.job.worker.signals.cancelled, timeout=30000):
        qtbot.mouseClick(wizard.analyse_page.cancel, Qt.MouseButton.LeftButton)
    assert wizard.analyse_page.message.text() == "Cancelled"
    assert not window.findChildren(QMessageBox, "error_dialog")
    assert _db(tmp_path / "c.rlproj", "SELECT count(*) FROM reviews")[0][0] == 0
    wizard.reject()


def test_bad_file_shows_one_line_error(qtbot, window, model, tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_text("", encoding="utf-8")
    window.new_project(tmp_path / "e.rlproj")
    wizard = window.start_import(bad)
    wizard.next()
    qtbot.waitUntil(lambda: bool(wizard.findChildren(QMessageBox, "error_dialog")), timeout=20000)
    box = wizard.findChildren(QMessageBox, "error_dialog")[0]
    assert "empty.csv" in box.text() and "\n" not in box.text() and "Traceback" not in box.text()
    box.close()
    wizard.reject()


def test_labeling_keys_undo_persist(qtbot, window, analysed_project):
    path, _ = analysed_project
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    page = window.labeling
    window.tabs.setCurrentWidget(page)
    assert page.task.currentData() == "sentiment"
    qtbot.mouseClick(page.fetch, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.queue.empty, timeout=30000)
    assert "Model's guess" in page.guess.text()
    page.setFocus()
    first, second = page.current_id(), int(page.queue["id"].iat[1])
    qtbot.keyClick(page, Qt.Key.Key_1)  # negative
    assert _db(path, "SELECT value FROM labels WHERE review_id=? AND task='sentiment'", first) == [("negative",)]
    qtbot.keyClick(page, Qt.Key.Key_3)  # positive
    assert _db(path, "SELECT value FROM labels WHERE review_id=?", second) == [("positive",)]
    qtbot.keyClick(page, Qt.Key.Key_Z)  # undo the last one
    assert _db(path, "SELECT value FROM labels WHERE review_id=?", second) == []
    assert page.current_id() == second
    qtbot.keyClick(page, Qt.Key.Key_S)  # skip
    assert page.pos == 2
    qtbot.keyClick(page, Qt.Key.Key_Left)
    assert page.pos == 1
    qtbot.keyClick(page, Qt.Key.Key_2)  # neutral on the second, via the keyboard again
    assert _db(path, "SELECT value FROM labels WHERE review_id=?", second) == [("neutral",)]
    assert page.count_bars["negative"].value() == 1 and page.count_bars["neutral"].value() == 1
    assert page.count_bars["positive"].value() == 0
    qtbot.keyClick(page, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: bool(page.findChildren(QMessageBox, "shortcut_sheet")), timeout=2000)


def _label_some(path: Path, insights, negative: int = 20, positive: int = 20) -> None:
    """Label by star rating: 1-3 stars negative, 4-5 positive (20 each: enough to activate)."""
    from core.project import Project

    r = insights.reviews.dropna(subset=["review_id"])
    with Project.open(path) as project:
        pairs = [(int(i), "negative") for i in r[r["rating"] <= 3]["review_id"].head(negative)]
        pairs += [(int(i), "positive") for i in r[r["rating"] >= 4]["review_id"].head(positive)]
        assert len(pairs) == negative + positive
        project.set_labels("sentiment", pairs)


def test_train_activate_then_rollback(qtbot, window, analysed_project, model, monkeypatch):
    from core.model import ModelStore

    path, insights = analysed_project
    _label_some(path, insights)
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.Yes)[1])
    wiz = window.training_wizard()
    assert wiz.task() == "sentiment"
    wiz.next()
    # neutral has no labels: trainable (two classes) but said
    assert wiz.balance_page.isComplete() and "No labels yet for: neutral" in wiz.balance_page.warning.text()
    assert "Fewer than" not in wiz.balance_page.warning.text()  # 20 of each labelled class: enough
    wiz.next()
    assert wiz.mode() == "quick"
    wiz.next()
    qtbot.waitUntil(lambda: wiz.currentPage() is wiz.results_page, timeout=120000)
    assert wiz.results_page.verdict.text()
    from PySide6.QtWidgets import QTableWidget

    assert wiz.findChild(QTableWidget, "metrics_table").rowCount() == 2
    assert wiz.findChild(QTableWidget, "confusion_table").rowCount() == 3
    assert wiz.results_page.activate_button.isEnabled()
    qtbot.mouseClick(wiz.results_page.activate_button, Qt.MouseButton.LeftButton)
    store = ModelStore(project=path)
    new = wiz.activated_version
    assert new and store.active_version() == new and new != model
    assert ModelStore().active_version() is None  # nothing global: the model is this project's
    assert _db(path, "SELECT version, active FROM model_versions") == [(new, 1)]
    assert asked[-1] == "Re-analyse the project's reviews with the new model now?"
    qtbot.waitUntil(lambda: window.insights is not None and window.insights.method["model_version"] == new,
                    timeout=60000)
    figure = wiz.results_page.figure.text()
    wiz.accept()

    manager = window.model_manager()
    assert manager.store.project == path and path.stem in manager.windowTitle()
    names = [manager.table.item(r, 1).text() for r in range(manager.table.rowCount())]
    assert new in names
    active_row = names.index(new)
    assert manager.table.item(active_row, 0).text() == "●"
    assert figure.startswith("Macro-F1 ") and manager.table.item(active_row, 5).text() == figure  # the same figure
    manager.table.selectRow(active_row)
    assert not manager.buttons["delete"].isEnabled()  # never the active one
    qtbot.mouseClick(manager.buttons["rollback"], Qt.MouseButton.LeftButton)
    assert store.active_version() is None  # back to the bundled model, for this project
    assert manager.table.item(0, 0).text() == "●"  # the bundled row
    qtbot.waitUntil(lambda: window.insights is not None and window.insights.method["model_version"] == model,
                    timeout=60000)  # re-analysed (answered Yes) with the bundled model again
    manager.table.selectRow(names.index(new))
    manager.delete(confirm=False)
    assert new not in [v.version for v in store.versions()]
    manager.close()


def test_export_report(qtbot, window, analysed_project, tmp_path):
    from openpyxl import load_workbook

    path, _ = analysed_project
    window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    dialog = window.export_dialog()
    dialog.lang.setCurrentIndex(dialog.lang.findData("en"))
    for key in ("topics", "trends", "method"):
        dialog.sheets[key].setChecked(False)
    out = tmp_path / "report.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=60000)
    assert dialog.open_button.isEnabled()
    wb = load_workbook(out, read_only=True)
    assert len(wb.sheetnames) == 6 and "Reviews" in " ".join(wb.sheetnames)
    dialog.close()


def test_settings_switch_language(qtbot, window):
    dialog = window.settings_dialog()
    dialog.lang.setCurrentIndex(dialog.lang.findData("zh"))
    dialog.accept()
    assert window.tabs.tabText(1) == "概览"
    assert "数据不会离开" in window.offline.text()
    from gui.settings import setting

    assert setting("ui/language") == "zh"


def test_custom_task_and_lexicon(qtbot, window, tmp_path, home):
    window.new_project(tmp_path / "t.rlproj")
    dialog = window.tasks_dialog()
    qtbot.keyClicks(dialog.name, "fit")
    qtbot.keyClicks(dialog.labels, "small, ok, large")
    from PySide6.QtWidgets import QPushButton

    qtbot.mouseClick(dialog.findChild(QPushButton, "add_task"), Qt.MouseButton.LeftButton)
    assert window.project.task("fit").labels == ("small", "ok", "large")
    assert window.labeling.task.findData("fit") >= 0
    dialog.aspect.setCurrentIndex(dialog.aspect.findData("quality"))
    dialog.term.insert("起球")
    qtbot.mouseClick(dialog.findChild(QPushButton, "add_term"), Qt.MouseButton.LeftButton)
    from core.analysis import load_lexicon

    assert "起球" in load_lexicon().terms["quality"]["zh"]
    dialog.close()


def test_import_wizard_shows_a_date_column_without_dates(qtbot, window, model, tmp_path):
    """Picking a column without dates as the date column is reported on the columns page."""
    wizard, page = columns_page_with_nickname_column(qtbot, window, tmp_path)
    assert "⚠" not in page.counts.text()
    combo = page.combos["date"]
    page.result = None
    combo.setCurrentIndex(combo.findData("买家昵称"))
    qtbot.waitUntil(lambda: page.result is not None, timeout=20000)
    assert "⚠" in page.counts.text() and "买家昵称" in page.counts.text()
    wizard.reject()
