"""Training wizard results: activation per project for every task, core's label minimum,
the interval and compared reviews next to the figures, Discard as the default when the new
model is not shown to be better."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.gui.test_flows import _label_some


def _answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), button)[1])
    return asked


def _trained(qtbot, window, path: Path, task: str = "sentiment"):
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    wiz = window.training_wizard()
    wiz.task_page.task.setCurrentIndex(wiz.task_page.task.findData(task))
    wiz.next()
    wiz.next()
    wiz.next()
    qtbot.waitUntil(lambda: wiz.currentPage() is wiz.results_page, timeout=120000)
    return wiz


def test_too_few_labels_cannot_activate_and_enter_discards(qtbot, window, analysed_project, model, monkeypatch):
    from core.model import ModelStore
    from core.training import MIN_TO_ACTIVATE

    path, insights = analysed_project
    _label_some(path, insights, negative=12, positive=24)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    wiz = window.training_wizard()
    wiz.next()
    assert f"Fewer than {MIN_TO_ACTIVATE} labels for: negative" in wiz.balance_page.warning.text()
    wiz.next()
    wiz.next()
    qtbot.waitUntil(lambda: wiz.currentPage() is wiz.results_page, timeout=120000)
    page, result = wiz.results_page, wiz.progress_page.result
    assert result.missing == {"negative": MIN_TO_ACTIVATE - 12}
    assert not page.activate_button.isEnabled()
    assert page.need_more.isVisible()
    assert f"Label {MIN_TO_ACTIVATE - 12} more 'negative' reviews before this model can be activated." \
        in page.need_more.text()
    interval = wiz.findChild(type(page.need_more), "train_interval")
    assert f"on {result.n_compared} reviews" in interval.text() or f"Compared on {result.n_compared}" in interval.text()
    assert page.figure.text().startswith("Macro-F1 ")
    # not better (it cannot even be activated): Enter discards
    assert page.discard_button.isDefault() and not page.activate_button.isDefault()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.discard_button, timeout=3000)
    staging = Path(result.staging_dir)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert page.decided and not staging.exists()
    assert wiz.activate(confirm_worse=True) is None  # not even on insistence
    assert ModelStore(project=path).active_version() is None and not asked
    wiz.accept()


def test_custom_task_model_is_activated_for_the_project(qtbot, window, analysed_project, model, monkeypatch, tmp_path):
    from core.model import ModelStore
    from core.project import Project

    path, insights = analysed_project
    r = insights.reviews.dropna(subset=["review_id"])
    with Project.open(path) as project:
        project.add_task("delivery", ["fast", "slow"])
        project.set_labels("delivery", [(int(i), "slow" if rating <= 3 else "fast")
                                        for i, rating in zip(r["review_id"], r["rating"])])
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    wiz = _trained(qtbot, window, path, task="delivery")
    page, result = wiz.results_page, wiz.progress_page.result
    assert result.activatable and page.activate_button.isEnabled()
    qtbot.mouseClick(page.activate_button, Qt.MouseButton.LeftButton)
    version = wiz.activated_version
    assert version and ModelStore(project=path).active_version("delivery") == version
    assert "Re-analyse the project's reviews with the new model now?" in asked  # answered No: nothing runs
    other = tmp_path / "other.rlproj"
    Project.create(other).close()
    assert ModelStore(project=other).active_version("delivery") is None  # only this project's choice
    wiz.accept()
