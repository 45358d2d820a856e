"""Settings: the QSettings helpers every window uses (the dialog is ``settings_dialog.py``).

QSettings is stored as an INI file under the user data dir (``REVIEWLENS_HOME`` overrides),
so tests and portable installs never touch the user's real settings. No window and no
translated text here: ``gui.i18n`` reads the language from these helpers.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from core.paths import user_data_dir

DEVICES = ("auto", "cpu", "cuda")


def configure_settings() -> None:
    """Point QSettings at ``<user data dir>/settings`` (INI). Call before any QSettings()."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(user_data_dir() / "settings"))


def setting(key: str, default: Any = None) -> Any:
    value = QSettings().value(key, default)
    if isinstance(default, bool) and isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    if isinstance(default, int) and not isinstance(default, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    return value


def set_setting(key: str, value: Any) -> None:
    s = QSettings()
    s.setValue(key, value)
    s.sync()


def projects_dir() -> Path:
    path = Path(setting("paths/projects", "") or user_data_dir() / "projects")
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_folder() -> Path:
    """The folder of the last imported spreadsheet, else the user's Documents (else home)."""
    last = setting("paths/import", "")
    if last and Path(last).is_dir():
        return Path(last)
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def engine_options() -> dict[str, Any]:
    """Keyword arguments of every model job: device, threads and ``fast`` (the bundled
    model's smaller network: ``load_engine(fast=fast)``)."""
    threads = setting("engine/threads", 0)
    device = setting("engine/device", "auto")
    return {"device": device if device in DEVICES else "auto", "threads": threads or None,
            "fast": bool(setting("engine/fast", False))}


def recent_projects() -> list[str]:
    value = setting("recent", []) or []
    if isinstance(value, str):
        value = [value]
    return [p for p in value if p and os.path.isfile(p)]


def add_recent(path: str | Path) -> None:
    items = [str(path)] + [p for p in recent_projects() if p != str(path)]
    set_setting("recent", items[:10])
