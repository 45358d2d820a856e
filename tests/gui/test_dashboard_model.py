"""The dashboard names the model behind its figures; fast mode is a setting (both languages,
persisted) that every model job passes on as ``load_engine(fast=fast)``."""
from __future__ import annotations


from tests.gui.tiny_model import build_tiny_model


def _reanalyse(qtbot, window):
    window.insights = None
    window.load_insights(reanalyse=True)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=60000)


def test_dashboard_says_which_model_and_fast_mode(qtbot, window, analysed_project, model, tmp_path):
    from core.model import ModelStore, bundled_model_dir, read_manifest
    from gui.settings import engine_options
    from gui.settings_dialog import SettingsDialog

    path, _ = analysed_project
    assert window.open_project(path)
    qtbot.waitUntil(lambda: window.insights is not None, timeout=30000)
    line = window.dashboard.model_line
    assert line.text() == f"Model: {model} (bundled)"

    dialog = SettingsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.fast.text().startswith("Fast mode (the bundled model's small network")
    assert not dialog.fast.isChecked()
    dialog.fast.setChecked(True)
    window.apply_settings(dialog)
    assert engine_options()["fast"] is True
    assert SettingsDialog(window).fast.isChecked()  # persisted
    _reanalyse(qtbot, window)
    assert window.insights.method["fast"] is bool(read_manifest(bundled_model_dir()).get("fast"))
    if window.insights.method["fast"]:
        assert line.text() == f"Model: {model} (bundled, fast mode)"

    own = ModelStore(project=path).add(build_tiny_model(tmp_path / "own", version="own"), activate=True).version
    _reanalyse(qtbot, window)
    # a project's own model has no small network: fast mode changes nothing, and the line says so
    assert window.insights.method["fast"] is False
    assert line.text() == f"Model: {own} (trained for this project)"


def test_fast_mode_in_chinese_and_passed_to_load_engine(qtbot, home, model, monkeypatch):
    import core.model
    from gui import session
    from gui.i18n import set_language
    from gui.settings_dialog import SettingsDialog

    set_language("zh")
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.fast.text().startswith("快速模式（") and "transformer" not in dialog.fast.text().lower()
    set_language("en")
    seen = []
    real = core.model.load_engine
    monkeypatch.setattr(core.model, "load_engine", lambda d, **kw: (seen.append(kw["fast"]), real(d, **kw))[1])
    session._engines.clear()
    session.get_engine(None, "cpu", 1, True)
    session.get_engine(None, "cpu", 1, False)
    assert seen == [True, False]
