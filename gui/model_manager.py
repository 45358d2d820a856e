"""Model manager: stored versions (date, task, data size, figure); activate, roll back,
delete (never the active one), export to / import from a folder.

Models belong to a project: the manager opens for the current project
(``ModelStore(project=...)``), marks the versions active in THAT project, "Use for this
project" activates for it only, and Roll back steps back through its own history of the
selected row's task. Without an open project it lists every stored version, and activation
and rollback are off (core refuses them). The figure column is the same one the training
wizard shows (``gui.model_figures``: the manifest's macro-F1 and its n).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.errors import UserError
from core.model import ModelStore
from gui.messages import show_error
from gui.i18n import task_name, tr
from gui.model_figures import figure_text
from gui.settings import set_setting, setting

_COLS = ("col_active_here", "col_version", "col_created", "col_task", "col_data", "col_metrics")
SENTIMENT = "sentiment"


def _last_folder() -> str:
    return str(setting("paths/models", "") or Path.home())


class ModelManager(QDialog):
    def __init__(self, parent: QWidget | None = None, store: ModelStore | None = None, *,
                 project: Path | str | None = None) -> None:
        """``project``: whose models to show as active (default: the parent window's open project)."""
        super().__init__(parent)
        if project is None and store is None:
            project = getattr(parent, "project_path", None)
        self.store = store or ModelStore(project=project)
        self.project = self.store.project
        self.setWindowTitle(tr("models_title_project", p=self.project.stem) if self.project else tr("models_title"))
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
        self.buttons["activate"].setText(tr("use_for_project"))
        if self.project is None:
            self.message.setText(tr("models_no_project"))
            for key in ("activate", "rollback"):
                self.buttons[key].setToolTip(tr("need_project_tip"))
        else:
            self.info = tr("models_for_project", p=self.project.name)
            self.message.setText(self.info)
        self.refresh()

    def refresh(self) -> None:
        self.versions = self.store.versions()
        active = self.store.active_version()
        self.table.setRowCount(len(self.versions) + 1)
        rows = [(self.project is not None and active is None, tr("bundled"), "", tr("sentiment"), "", "", None)]
        for v in self.versions:
            data = v.manifest.get("data", {}) if isinstance(v.manifest.get("data"), dict) else {}
            size = v.metrics.get("n_train") or data.get("train") or data.get("train_examples_pool") or ""
            rows.append((v.is_active, v.version, v.created[:19].replace("T", " "), task_name(v.task), str(size),
                         figure_text(v.metrics), v.version))
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

    def selected_task(self) -> str:
        version = self.selected()
        for v in self.versions:
            if v.version == version:
                return v.task
        return SENTIMENT  # the bundled row, or nothing selected

    def _selection(self) -> None:
        version = self.selected()
        active = set(self.store.active_versions().values())
        self.buttons["activate"].setEnabled(self.project is not None and version is not None and version not in active)
        self.buttons["rollback"].setEnabled(self.project is not None)
        self.buttons["delete"].setEnabled(version is not None and version not in active)
        self.buttons["export_folder"].setEnabled(version is not None)

    def _run(self, action) -> bool:
        try:
            action()
        except UserError as exc:
            show_error(self, exc.message)
            return False
        finally:
            self.refresh()
        return True

    def activate(self) -> None:
        version = self.selected()
        if version and self.project is not None and self._run(lambda: self.store.activate(version)):
            self.message.setText(tr("activated", v=version))
            self._offer_reanalysis()

    def rollback(self) -> None:
        if self.project is None:
            return
        task = self.selected_task()
        before = self.store.active_version(task)
        if before is None:  # nothing earlier: say so, change nothing
            self.message.setText(tr("rollback_none") if task == SENTIMENT else
                                 tr("rollback_none_task", t=task_name(task)))
            return
        if not self._run(lambda: self.store.rollback(task)):
            return
        after = self.store.active_version(task)
        self.message.setText(tr("rolled_back", v=after or (tr("bundled") if task == SENTIMENT else "–")))
        self._offer_reanalysis()

    def _offer_reanalysis(self) -> None:
        """The open project's dashboard shows the old model's answers: offer to re-analyse."""
        host = self.parent()
        if getattr(host, "project_path", None) is None or Path(host.project_path) != self.project:
            return
        if QMessageBox.question(self, tr("reanalyse"), tr("reanalyse_now")) == QMessageBox.StandardButton.Yes:
            host.load_insights(reanalyse=True)

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
