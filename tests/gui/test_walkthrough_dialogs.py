"""Issue 17 (user walk-through): export, import wizard, language, model manager, tasks, help."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import open_and_wait


def _answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2] if len(a) > 2 else ""), button)[1])
    return asked


def test_export_labels_show_ampersand_and_overwrite_is_confirmed(qtbot, window, analysed_project, tmp_path,
                                                                  monkeypatch):
    open_and_wait(qtbot, window, analysed_project[0])
    dialog = window.export_dialog()
    dialog.lang.setCurrentIndex(dialog.lang.findData("en"))
    assert dialog.sheets["topics"].text() == "Topics && keywords"  # drawn as "Topics & keywords"
    assert dialog.sheets["requests"].text() == "Requests && suggestions"
    for key in ("topics", "trends", "method", "reviews"):
        dialog.sheets[key].setChecked(False)
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"keep me")
    dialog.path.setText(str(out))
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked and "report.xlsx" in asked[0]
    assert dialog.job.worker is None and out.read_bytes() == b"keep me"
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=60000)
    assert asked and out.read_bytes()[:2] == b"PK"  # replaced by the workbook
    dialog.close()
    from gui.settings import setting

    assert setting("paths/export") == str(tmp_path)


def test_chinese_ui_translates_qt_buttons_intents_aspects_and_sentiment(qtbot, analysed_project):
    from PySide6.QtWidgets import QDialogButtonBox, QWizard

    from gui.i18n import aspect_name, intents_text, label_name, set_language, tr
    from gui.review_browser import ReviewBrowser
    from gui.review_model import COLUMNS

    _path, insights = analysed_project
    set_language("zh")
    try:
        wizard = QWizard()
        qtbot.addWidget(wizard)
        assert "下一步" in wizard.buttonText(QWizard.WizardButton.NextButton)
        assert "取消" in wizard.buttonText(QWizard.WizardButton.CancelButton)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        qtbot.addWidget(box)
        assert "确定" in box.button(QDialogButtonBox.StandardButton.Ok).text()
        assert (tr("positive"), tr("neutral"), tr("negative")) == ("正面", "中性", "负面")  # the report's words
        assert intents_text("complaint;question") == "投诉, 咨询"
        aspect = insights.aspects["aspect"].iat[0]
        assert aspect_name(aspect) != aspect  # the lexicon's Chinese name, not the key
        assert label_name("aspects", f"{aspect}:negative") == f"{aspect_name(aspect)}：负面"
        assert label_name("fit", "complaint") == "complaint"  # a custom task's labels stay as typed
    finally:
        set_language("en")
    wizard = QWizard()
    qtbot.addWidget(wizard)
    assert "Next" in wizard.buttonText(QWizard.WizardButton.NextButton)
    browser = ReviewBrowser()
    qtbot.addWidget(browser)
    browser.set_insights(insights)
    r = insights.reviews
    pos = next(i for i, v in enumerate(r["intents"]) if "complaint" in str(v))
    browser.apply_filter({"intent": "complaint"})
    assert browser.combos["intent"].currentText() == "Complaint"
    row = browser.model.index_map.tolist().index(pos)
    cell = browser.model.data(browser.model.index(row, COLUMNS.index("intents")))
    assert "Complaint" in cell and "complaint" not in cell


def test_import_wizard_sku_followup_reply_title_rows_and_folder(qtbot, window, model, tmp_path, monkeypatch):
    from gui.settings import projects_dir, setting

    home = tmp_path / "user"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    src = tmp_path / "exports" / "shop.csv"
    src.parent.mkdir()
    src.write_text("店铺评价导出\n导出时间 2026-01-05\n评价内容,评分,colA,colB,colC\n"
                   "质量很好，很满意,5,红色 L,用了一周还不错,谢谢亲\n太差了，不会再买,1,蓝色 M,,抱歉\n",
                   encoding="utf-8")
    assert window.new_project(tmp_path / "shop.rlproj")
    empty = window.start_import(None)
    assert empty.file_page.start_folder() == home / "Documents"  # not the projects folder
    assert empty.file_page.start_folder() != projects_dir()
    empty.reject()

    wizard = window.start_import(src)
    wizard.next()
    page = wizard.columns_page
    qtbot.waitUntil(lambda: page.loaded and page.result is not None, timeout=20000)
    assert setting("paths/import") == str(src.parent)
    assert page.title_rows.text() == "Rows 1–2 are treated as title rows; the header is row 3."
    assert "treated as title rows (not reviews)" not in page.counts.text()  # said once, by title_rows
    for role, col in (("sku", "colA"), ("followup", "colB"), ("reply", "colC")):
        combo = page.combos[role]
        assert combo.isEnabled()
        page.result = None
        combo.setCurrentIndex(combo.findData(col))
    qtbot.waitUntil(lambda: page.result is not None, timeout=20000)
    frame = page.result["table"].frame
    assert frame["sku"].tolist() == ["红色 L", "蓝色 M"]
    assert frame["followup"].tolist() == ["用了一周还不错", ""] and frame["reply"].tolist() == ["谢谢亲", "抱歉"]
    wizard.reject()
    again = window.start_import(None)
    assert again.file_page.start_folder() == src.parent  # the last import folder is remembered
    again.reject()


def test_model_manager_rollback_with_only_the_default_says_so_and_keeps_widths(qtbot, home, tmp_path):
    from core.project import Project
    from gui.model_manager import ModelManager

    Project.create(tmp_path / "shop.rlproj").close()
    manager = ModelManager(project=tmp_path / "shop.rlproj")
    qtbot.addWidget(manager)
    manager.show()
    for c in range(manager.table.columnCount()):
        manager.table.setColumnWidth(c, 111)
    qtbot.mouseClick(manager.buttons["rollback"], Qt.MouseButton.LeftButton)
    assert "bundled default model is in use" in manager.message.text()
    assert [manager.table.columnWidth(c) for c in range(manager.table.columnCount() - 1)] == \
        [111] * (manager.table.columnCount() - 1)  # the last one stretches
    manager.refresh()
    assert manager.table.columnWidth(1) == 111


def test_custom_task_any_name_close_button_width(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox, QPushButton

    from core.project.database import _TASK_NAME
    from gui.tasks_dialog import task_key

    for name in ("尺码", "Fit & size", "2nd try", "Größe", "!!!"):
        assert _TASK_NAME.match(task_key(name)), name
    assert task_key("Fit & size") == "fit_size" and task_key("尺码") != task_key("颜色")
    window.new_project(tmp_path / "t.rlproj")
    dialog = window.tasks_dialog()
    assert dialog.width() >= 480
    buttons = dialog.findChild(QDialogButtonBox, "tasks_buttons")
    assert buttons.button(QDialogButtonBox.StandardButton.Close) is not None
    dialog.name.insert("尺码合适吗")
    qtbot.keyClicks(dialog.labels, "small, ok, large")
    qtbot.mouseClick(dialog.findChild(QPushButton, "add_task"), Qt.MouseButton.LeftButton)
    key = task_key("尺码合适吗")
    assert window.project.task(key).labels == ("small", "ok", "large")
    combo = window.labeling.task
    assert combo.itemText(combo.findData(key)) == "尺码合适吗"  # shown by the typed name
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Close), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_help_about_version_and_user_guide(qtbot, window):
    from PySide6.QtGui import QAction

    from core import __version__
    from gui.i18n import set_language

    box = window.about()
    assert __version__ in box.text()
    box.close()
    guide = window.findChild(QAction, "act_user_guide")
    guide.trigger()
    dialog = window.dialogs[-1]
    assert dialog.objectName() == "guide_dialog"
    text = dialog.text.toPlainText()
    assert "Ctrl+I" in text and "Keyboard shortcuts" in text and "Z / S / ?" in text
    dialog.close()
    set_language("zh")
    try:
        window.build()
        window.findChild(QAction, "act_user_guide").trigger()
        assert "快捷键" in window.dialogs[-1].text.toPlainText()
        window.dialogs[-1].close()
    finally:
        set_language("en")
