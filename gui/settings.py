"""Settings: the QSettings helpers every window uses, and the Settings dialog.

QSettings is stored as an INI file under the user data dir (``REVIEWLENS_HOME`` overrides),
so tests and portable installs never touch the user's real settings.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget)

from core.model import ModelStore
from core.paths import user_data_dir
from gui.i18n import tr

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
    """Keyword arguments of every model job: device, threads and ``fast`` (the transformer
    alone, without the default model's n-gram blend: ``load_engine(blend=not fast)``)."""
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


class SettingsDialog(QDialog):
    """Interface language, device, threads, fast mode, masking default, where projects and models live."""

    def __init__(self, parent: QWidget | None = None, *, device_in_use: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("settings_title"))
        form = QFormLayout(self)
        self.lang = QComboBox()
        self.lang.addItem("简体中文", "zh")
        self.lang.addItem("English", "en")
        from gui.i18n import language

        self.lang.setCurrentIndex(0 if language() == "zh" else 1)
        form.addRow(tr("ui_lang"), self.lang)
        self.device = QComboBox()
        for key, label in zip(DEVICES, ("device_auto", "device_cpu", "device_gpu")):
            self.device.addItem(tr(label), key)
        self.device.setCurrentIndex(DEVICES.index(engine_options()["device"]))
        self.in_use = QLabel(tr("in_use", d=device_in_use or tr("not_loaded")))
        row = QHBoxLayout()
        row.addWidget(self.device)
        row.addWidget(self.in_use, 1)
        form.addRow(tr("device"), row)
        self.threads = QSpinBox()
        self.threads.setRange(0, max(os.cpu_count() or 1, 1))
        self.threads.setSpecialValueText(tr("threads_auto"))
        self.threads.setValue(int(setting("engine/threads", 0)))
        form.addRow(tr("threads"), self.threads)
        self.fast = QCheckBox(tr("fast_mode"))
        self.fast.setObjectName("fast_mode")
        self.fast.setChecked(bool(setting("engine/fast", False)))
        form.addRow("", self.fast)
        self.mask = QCheckBox(tr("mask_default"))
        self.mask.setChecked(bool(setting("report/mask", True)))
        form.addRow("", self.mask)
        self.projects = QLineEdit(str(projects_dir()))
        browse = QPushButton(tr("browse"))
        browse.clicked.connect(self._browse)
        prow = QHBoxLayout()
        prow.addWidget(self.projects, 1)
        prow.addWidget(browse)
        form.addRow(tr("projects_dir"), prow)
        models = QLineEdit(str(ModelStore().root))
        models.setReadOnly(True)
        form.addRow(tr("models_dir"), models)
        form.addRow("", QLabel(tr("restart_note")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("projects_dir"), self.projects.text())
        if path:
            self.projects.setText(path)

    def save(self) -> None:
        set_setting("ui/language", self.lang.currentData())
        set_setting("engine/device", self.device.currentData())
        set_setting("engine/threads", self.threads.value())
        set_setting("engine/fast", self.fast.isChecked())
        set_setting("report/mask", self.mask.isChecked())
        if self.projects.text().strip():
            set_setting("paths/projects", self.projects.text().strip())
