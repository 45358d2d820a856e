"""Tools › My labels: every label the owner gave, filtered by task, to correct or delete.

Reads ``Project.labels(task)``; a correction of a single-choice task is ``set_label`` (it
replaces the value), of a multi-label task ``remove_label`` of the old value then
``set_label`` of the new one; Delete is ``remove_label``. Every change is durable when
the call returns (the project's transactions).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.errors import UserError
from gui.i18n import label_name, task_name, tr
from gui.messages import confirm, show_error

_COLS = ("col_task", "label", "col_text", "col_source", "col_when")


class LabelsDialog(QDialog):
    """``changed()`` after a correction or deletion (the labelling page refreshes its counts)."""

    changed = Signal()

    def __init__(self, project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle(tr("my_labels").replace("…", ""))
        self.setObjectName("labels_dialog")
        self.resize(860, 480)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("task")))
        self.task = QComboBox()
        self.task.setObjectName("labels_task")
        self.task.addItem(tr("any"), None)
        for name in sorted(project.tasks()):
            self.task.addItem(task_name(name), name)
        self.task.currentIndexChanged.connect(lambda _: self.refresh())
        top.addWidget(self.task)
        top.addStretch(1)
        self.count = QLabel("")
        top.addWidget(self.count)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(_COLS))
        self.table.setObjectName("labels_table")
        self.table.setHorizontalHeaderLabels([tr(c) for c in _COLS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("change_to")))
        self.new_value = QComboBox()
        self.new_value.setObjectName("labels_new_value")
        row.addWidget(self.new_value, 1)
        self.change_button = QPushButton(tr("change_label"))
        self.change_button.setObjectName("labels_change")
        self.change_button.clicked.connect(self.change)
        self.delete_button = QPushButton(tr("delete"))
        self.delete_button.setObjectName("labels_delete")
        self.delete_button.clicked.connect(self.delete)
        row.addWidget(self.change_button)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.frame = self.project.labels(self.task.currentData()).reset_index(drop=True)
        self.table.setRowCount(len(self.frame))
        for r, lab in enumerate(self.frame.itertuples()):
            text = str(lab.text).replace("\n", " ")
            cells = (task_name(lab.task), label_name(lab.task, str(lab.value)), text[:200], tr(f"src_{lab.source}"),
                     str(lab.created_at)[:19].replace("T", " "))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, r)
                if c == 2:
                    item.setToolTip(text[:1000])
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 420))
        self.count.setText(tr("labels_n", n=f"{len(self.frame):,}"))
        self._selected()

    def current(self):
        rows = self.table.selectionModel().selectedRows()
        return self.frame.iloc[rows[0].row()] if rows else None

    def _selected(self) -> None:
        lab = self.current()
        self.new_value.clear()
        if lab is not None:
            task = self.project.task(lab["task"])
            values = list(task.labels)
            if lab["task"] == "aspects":  # aspect:polarity: the same aspect, another polarity
                aspect = str(lab["value"]).rpartition(":")[0]
                values = [f"{aspect}:{p}" for p in task.labels]
            for v in values:
                if v != lab["value"]:
                    self.new_value.addItem(label_name(lab["task"], v), v)
        self.change_button.setEnabled(lab is not None and self.new_value.count() > 0)
        self.delete_button.setEnabled(lab is not None)

    def change(self) -> None:
        lab, value = self.current(), self.new_value.currentData()
        if lab is None or value is None:
            return
        rid, task = int(lab["review_id"]), str(lab["task"])
        try:
            if task == "aspects" or self.project.task(task).kind != "single":  # a value slot of its own
                self.project.remove_label(rid, task, str(lab["value"]))
            self.project.set_label(rid, task, value)
        except UserError as exc:
            show_error(self, exc.message)
        self._after()

    def delete(self) -> None:
        lab = self.current()
        if lab is None or not confirm(self, tr("delete"), tr("confirm_delete_label", v=label_name(
                str(lab["task"]), str(lab["value"])))):
            return
        self.project.remove_label(int(lab["review_id"]), str(lab["task"]), str(lab["value"]))
        self._after()

    def _after(self) -> None:
        self.refresh()
        self.changed.emit()
