"""Issue 17.13: expected features: export of the filtered list, My labels, source filter."""
from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import open_and_wait


def test_export_filtered_list_csv_and_xlsx_masked(qtbot, window, analysed_project, tmp_path):
    from openpyxl import load_workbook

    path, _ = analysed_project
    open_and_wait(qtbot, window, path, timeout=60000)
    browser = window.browser
    r = window.insights.reviews
    first_neg = int((r["sentiment"] == "negative").to_numpy().argmax())
    r.loc[first_neg, "text"] = str(r.loc[first_neg, "text"]) + " 电话13812345678"
    browser.set_insights(window.insights)
    browser.apply_filter({"sentiment": "negative"})
    n = browser.model.index_map.size
    export = browser.list_export
    assert export.mask.isChecked()  # masked by default, like the report
    out = tmp_path / "neg.csv"
    export.export(out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n and {row["sentiment"] for row in rows} == {"negative"}
    assert not any("13812345678" in row["text"] for row in rows) and "Exported" in export.message.text()
    xlsx = tmp_path / "neg.xlsx"
    export.export(xlsx)
    qtbot.waitUntil(lambda: export.written == xlsx, timeout=60000)
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == n + 1 and not any("13812345678" in str(v) for row in values for v in row)


def test_my_labels_lists_filters_corrects_and_deletes(qtbot, window, analysed_project, monkeypatch):
    from core.project import Project
    from gui.labels_dialog import LabelsDialog

    path, insights = analysed_project
    ids = [int(i) for i in insights.reviews["review_id"].dropna().head(3)]
    with Project.open(path) as project:
        project.set_labels("sentiment", [(ids[0], "negative"), (ids[1], "positive")])
        project.set_labels("intents", [(ids[2], "complaint")])
    open_and_wait(qtbot, window, path, timeout=60000)
    dialog = window.labels_dialog()
    assert isinstance(dialog, LabelsDialog) and dialog.table.rowCount() == 3
    dialog.task.setCurrentIndex(dialog.task.findData("sentiment"))
    assert dialog.table.rowCount() == 2
    assert {dialog.table.item(r, 1).text() for r in range(2)} == {"negative", "positive"}
    dialog.table.selectRow(0)
    dialog.new_value.setCurrentIndex(dialog.new_value.findData("neutral"))
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert window.project.labels("sentiment").set_index("review_id")["value"].to_dict() == \
        {ids[0]: "neutral", ids[1]: "positive"}
    dialog.task.setCurrentIndex(dialog.task.findData("intents"))
    assert dialog.table.item(0, 1).text() == "Complaint"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert window.project.labels("intents").empty and dialog.table.rowCount() == 0
    dialog.close()


def test_browser_filters_by_source_file(qtbot, window, model, zh_csv, tmp_path):
    import pandas as pd

    from core.jobs import CancelToken
    from core.project import Project
    from gui.session import import_and_analyse

    other = tmp_path / "second.csv"
    pd.DataFrame({"评价内容": ["第二个文件：发货太慢了，等了一周", "第二个文件：颜色很好看，喜欢"],
                  "评分": [1, 5]}).to_csv(other, index=False)
    path = tmp_path / "two.rlproj"
    Project.create(path).close()
    for src in (zh_csv, other):
        last = import_and_analyse(path, src, sheet=None, columns={}, device="cpu", threads=1,
                                  progress=lambda f, m: None, cancel=CancelToken())
    with Project.open(path, readonly=True) as project:  # a second import analyses the whole project
        assert len(last.reviews) == project.review_count() > 2
    open_and_wait(qtbot, window, path, timeout=60000)
    browser = window.browser
    combo = browser.combos["source"]
    assert not combo.isHidden() and combo.findData("second.csv") > 0 and combo.findData(zh_csv.name) > 0
    browser.apply_filter({"source": "second.csv"})
    shown = window.insights.reviews["text"].iloc[browser.model.index_map].tolist()
    assert sorted(shown) == sorted(["第二个文件：发货太慢了，等了一周", "第二个文件：颜色很好看，喜欢"])
    assert "source" in browser.filters.chips
