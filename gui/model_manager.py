"""Model manager: stored versions (date, task, data size, metrics); activate, roll back,
delete (never the active one), export to / import from a folder."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.errors import UserError
from core.model_store import ModelStore
from gui.messages import show_error
from gui.i18n import task_name, tr
from gui.settings import set_setting, setting

_COLS = ("col_active", "col_version", "col_created", "col_task", "col_data", "col_metrics")


def _last_folder() -> str:
    from pathlib import Path

    return str(setting("paths/models", "") or Path.home())


def _metrics_text(metrics: dict) -> str:
    if isinstance(metrics.get("new"), dict):  # core.training writes {"new": ..., "current": ...}
        metrics = metrics["new"]
    parts = []
    for key in ("accuracy", "macro_f1"):
        if isinstance(metrics.get(key), (int, float)):
            parts.append(f"{tr(key)} {metrics[key]:.3f}")
    return ", ".join(parts)


class ModelManager(QDialog):
    def __init__(self, parent: QWidget | None = None, store: ModelStore | None = None) -> None:
        super().__init__(parent)
        self.store = store or ModelStore()
        self.setWindowTitle(tr("models_title"))
        self.setObjectName("model_manager")
        self.resize(820, 380)
        layout = QVBoxLayout(self)
        self._sized = False
        self.table = QTableWidget(0, len(_COLS))
        self.table.setObjectName("model_table")
        self.table.setHorizontalHeaderLabels([tr(c) for c in _COLS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._selection)
        layout.addWidget(self.table, 1)
        self.message = QLabel("")
        self.message.setObjectName("mm_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.buttons = {}
        for key, slot in (("activate", self.activate), ("rollback", self.rollback), ("delete", self.delete),
                          ("export_folder", self.export), ("import_folder", self.import_), ("close", self.close)):
            b = QPushButton(tr(key))
            b.setObjectName(f"mm_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.versions = self.store.versions()
        active = self.store.active_version()
        self.table.setRowCount(len(self.versions) + 1)
        rows = [(active is None, tr("bundled"), "", tr("sentiment"), "", "", None)]
        for v in self.versions:
            data = v.manifest.get("data", {}) if isinstance(v.manifest.get("data"), dict) else {}
            size = v.metrics.get("n_train") or data.get("train") or data.get("train_examples_pool") or ""
            rows.append((v.is_active, v.version, v.created[:19].replace("T", " "), task_name(v.task), str(size),
                         _metrics_text(v.metrics), v.version))
        for r, (is_active, name, created, task, size, metrics, key) in enumerate(rows):
            for c, value in enumerate(("●" if is_active else "", name, created, task, size, metrics)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, key)
                if is_active:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setToolTip(f"{name}: {metrics}" if metrics else name)
                self.table.setItem(r, c, item)
        if not self._sized:  # once: later refreshes keep the widths the user set
            self.table.resizeColumnsToContents()
            self._sized = True
        self._selection()

    def selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selection(self) -> None:
        version = self.selected()
        active = self.store.active_version()
        self.buttons["activate"].setEnabled(version is not None and version != active)
        self.buttons["delete"].setEnabled(version is not None and version != active)
        self.buttons["export_folder"].setEnabled(version is not None)

    def _run(self, action) -> None:
        try:
            action()
        except UserError as exc:
            show_error(self, exc.message)
        self.refresh()

    def activate(self) -> None:
        version = self.selected()
        if version:
            self._run(lambda: self.store.activate(version))

    def rollback(self) -> None:
        if self.store.active_version() is None:  # nothing before the bundled model: say so, change nothing
            self.message.setText(tr("rollback_none"))
            return
        before = self.store.active_version()
        self._run(self.store.rollback)
        after = self.store.active_version()
        if after != before:
            self.message.setText(tr("rolled_back", v=after or tr("bundled")))

    def delete(self, *, confirm: bool = True) -> None:
        version = self.selected()
        if not version:
            return
        if confirm and QMessageBox.question(self, tr("delete"), tr("confirm_delete", v=version)) \
                != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda: self.store.delete(version))

    def export(self, folder: str | None = None) -> None:
        version = self.selected()
        folder = folder or QFileDialog.getExistingDirectory(self, tr("export_folder"), _last_folder())
        if version and folder:
            set_setting("paths/models", str(folder))
            self._run(lambda: self.store.export_folder(version, folder))

    def import_(self, folder: str | None = None) -> None:
        folder = folder or QFileDialog.getExistingDirectory(self, tr("import_folder"), _last_folder())
        if folder:
            set_setting("paths/models", str(folder))
            self._run(lambda: self.store.import_folder(folder))
