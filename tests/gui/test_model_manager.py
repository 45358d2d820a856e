"""Model manager per project: what is active where, activation and rollback for the open
project only, nothing to activate without one, the manifest's figure in the list."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.tiny_model import build_tiny_model


def _version_with_figure(tmp_path: Path) -> Path:
    """A tiny model folder whose manifest carries training metrics (sha256 unaffected)."""
    folder = build_tiny_model(tmp_path / "trained", version="trained")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["metrics"] = {"new": {"macro_f1": 0.81234, "accuracy": 0.9, "n": 50}, "current": None,
                           "n_compared": 37}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _rows(manager) -> dict[str, tuple[str, str]]:
    t = manager.table
    return {t.item(r, 1).text(): (t.item(r, 0).text(), t.item(r, 5).text()) for r in range(t.rowCount())}


def test_manager_without_a_project_lists_but_cannot_activate(qtbot, home, tmp_path):
    from core.model import ModelStore
    from gui.model_manager import ModelManager

    version = ModelStore().add(_version_with_figure(tmp_path), activate=False).version
    manager = ModelManager()
    qtbot.addWidget(manager)
    manager.show()
    assert manager.windowTitle() == "Models"
    assert "No project open" in manager.message.text()
    rows = _rows(manager)
    assert rows[version] == ("", "Macro-F1 0.812 (n = 37)") and rows["Bundled default"][0] == ""
    manager.table.selectRow(list(rows).index(version))
    for key in ("activate", "rollback"):
        assert not manager.buttons[key].isEnabled()
        assert manager.buttons[key].toolTip() == "Models belong to a project: open one first."
    assert manager.buttons["export_folder"].isEnabled()


def test_manager_activates_and_rolls_back_for_its_project_only(qtbot, home, tmp_path):
    from core.model import ModelStore
    from core.project import Project
    from gui.model_manager import ModelManager

    shop, other = tmp_path / "shop.rlproj", tmp_path / "other.rlproj"
    for p in (shop, other):
        Project.create(p).close()
    version = ModelStore(project=other).add(_version_with_figure(tmp_path), activate=True).version
    manager = ModelManager(project=shop)
    qtbot.addWidget(manager)
    manager.show()
    assert manager.windowTitle() == "Models — shop"
    rows = _rows(manager)
    assert rows["Bundled default"][0] == "●" and rows[version][0] == ""  # active in other, not here
    assert manager.buttons["activate"].text() == "Use for this project"
    manager.table.selectRow(list(rows).index(version))
    qtbot.mouseClick(manager.buttons["activate"], Qt.MouseButton.LeftButton)
    assert ModelStore(project=shop).active_version() == version
    assert _rows(manager)[version][0] == "●" and _rows(manager)["Bundled default"][0] == ""
    assert not manager.buttons["delete"].isEnabled()
    qtbot.mouseClick(manager.buttons["rollback"], Qt.MouseButton.LeftButton)
    assert ModelStore(project=shop).active_version() is None
    assert ModelStore(project=other).active_version() == version  # the other project keeps its choice
    assert "Rolled back to Bundled default" in manager.message.text()
