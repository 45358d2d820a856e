"""The same flow with the real bundled model (skipped until models/default is built)."""
from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from core.model import bundled_model_dir

pytestmark = pytest.mark.skipif(not (bundled_model_dir() / "manifest.json").is_file(),
                                reason="models/default is not built yet")


def test_import_label_train_with_real_model(qtbot, zh_csv, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from core.model import ModelStore
    from core.project import Project
    from gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.new_project(tmp_path / "real.rlproj")
    wizard = w.start_import(zh_csv)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.columns_page.loaded, timeout=30000)
    wizard.next()
    qtbot.mouseClick(wizard.analyse_page.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.analyse_page.done, timeout=300000)
    wizard.accept()
    ins = w.insights
    assert ins.method["model_version"] == bundled_model_dir().name or ins.method["model_version"]
    counts = ins.sentiment_counts()
    assert counts["negative"] > 5 and counts["positive"] > 5  # the real model, on real reviews
    r = ins.reviews.dropna(subset=["review_id"])  # by stars: 20 of each, enough to activate
    pairs = [(int(i), "negative") for i in r[r["rating"] <= 3]["review_id"].head(20)]
    pairs += [(int(i), "positive") for i in r[r["rating"] >= 4]["review_id"].head(20)]
    w.project.set_labels("sentiment", pairs)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tw = w.training_wizard()
    tw.next()
    tw.next()
    tw.next()
    qtbot.waitUntil(lambda: tw.currentPage() is tw.results_page, timeout=600000)
    qtbot.mouseClick(tw.results_page.activate_button, Qt.MouseButton.LeftButton)
    assert tw.activated_version and ModelStore(project=w.project_path).active_version() == tw.activated_version
    tw.accept()
    w.close()
