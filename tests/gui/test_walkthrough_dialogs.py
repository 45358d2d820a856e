"""Issue 17 (user walk-through): export, import wizard, language, model manager, tasks, help."""
from __future__ import annotations

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


def _opened(qtbot, window, analysed_project):
    path, _ = analysed_project
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    return path


def _answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2] if len(a) > 2 else ""), button)[1])
    return asked


def test_export_labels_show_ampersand_and_overwrite_is_confirmed(qtbot, window, analysed_project, tmp_path,
                                                                  monkeypatch):
    _opened(qtbot, window, analysed_project)
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
