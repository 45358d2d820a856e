"""The Settings dialog: interface language, device, threads, fast mode, masking default,
where projects and models live (stored through ``gui.settings``)."""
from __future__ import annotations

import os

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget)

from core.model import ModelStore
from gui.i18n import language, tr
from gui.settings import DEVICES, engine_options, projects_dir, set_setting, setting


class SettingsDialog(QDialog):
    """Interface language, device, threads, fast mode, masking default, where projects and models live."""

    def __init__(self, parent: QWidget | None = None, *, device_in_use: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("settings_title"))
        form = QFormLayout(self)
        self.lang = QComboBox()
        self.lang.addItem("简体中文", "zh")
        self.lang.addItem("English", "en")
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
