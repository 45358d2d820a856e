"""Issue 17 (user walk-through): switching projects clears every view, the dashboard's
tiles keep their size, every browser filter is visible and removable, counts agree."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

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


def test_new_project_clears_dashboard_browser_and_labelling(qtbot, window, analysed_project, tmp_path):
    _opened(qtbot, window, analysed_project)
    page = window.labeling
    page.task.setCurrentIndex(page.task.findData("aspects"))
    qtbot.mouseClick(page.fetch, Qt.MouseButton.LeftButton)
    assert not page.queue.empty
    assert window.browser.model.rowCount() > 0 and window.dashboard.tiles["reviews"].value != "–"

    assert window.new_project(tmp_path / "fresh.rlproj")
    assert window.insights is None
    assert window.dashboard.tiles["reviews"].value == "–"
    assert not window.dashboard.split.bars and not window.dashboard.aspects.bars
    assert not window.dashboard.trend.points and window.dashboard.fix.topLevelItemCount() == 0
    assert window.browser.model.rowCount() == 0 and window.browser.combos["aspect"].count() == 1
    assert page.queue.empty and "queue is empty" in page.text.toPlainText()
    assert "0 reviews" in window.status_project.text()


def test_kpi_tiles_keep_their_size_over_refreshes(qtbot, window, analysed_project):
    _opened(qtbot, window, analysed_project)
    tile = window.dashboard.tiles["reviews"]
    size, hint = tile.font().pointSizeF(), tile.sizeHint()
    for _ in range(5):
        window.set_insights(window.insights)
    assert tile.font().pointSizeF() == size
    assert tile.sizeHint() == hint
    assert len(window.dashboard.findChildren(type(tile))) == len(window.dashboard.tiles)
