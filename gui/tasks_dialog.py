"""Custom labelling tasks (``Project.add_task``) and the aspect lexicon (``aspects.add_term``).

A new lexicon term takes effect on the next analysis: "Re-analyse to apply" asks the main
window to re-run the analysis of the project's reviews.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from core.errors import UserError
from gui.i18n import language, tr


class TasksDialog(QDialog):
    task_added = Signal(str)

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(tr("tasks_title"))
        self.setObjectName("tasks_dialog")
        layout = QVBoxLayout(self)
        box = QGroupBox(tr("new_task"))
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setObjectName("task_name")
        self.labels = QLineEdit()
        self.labels.setObjectName("task_labels")
        self.labels.setPlaceholderText("size_small, size_ok, size_large")
        self.multi = QCheckBox(tr("multi"))
        add = QPushButton(tr("add_task"))
        add.setObjectName("add_task")
        add.clicked.connect(self.add_task)
        form.addRow(tr("task_name"), self.name)
        form.addRow(tr("task_labels"), self.labels)
        form.addRow("", self.multi)
        form.addRow(add)
        layout.addWidget(box)

        box = QGroupBox(tr("lexicon"))
        form = QFormLayout(box)
        self.aspect = QComboBox()
        self.aspect.setObjectName("lex_aspect")
        self.aspect.setEditable(True)
        from core.analysis.aspects import load_lexicon

        lexicon = load_lexicon()
        for a in lexicon.aspects:
            self.aspect.addItem(f"{lexicon.display_name(a, language())} ({a})", a)
        self.term = QLineEdit()
        self.term.setObjectName("lex_term")
        self.lang = QComboBox()
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        add_term = QPushButton(tr("add_term"))
        add_term.setObjectName("add_term")
        add_term.clicked.connect(self.add_term)
        reapply = QPushButton(tr("reapply"))
        reapply.setObjectName("reapply")
        reapply.clicked.connect(lambda: self.host.load_insights(reanalyse=True))
        form.addRow(tr("aspect"), self.aspect)
        form.addRow(tr("term"), self.term)
        form.addRow(tr("language"), self.lang)
        form.addRow(add_term)
        form.addRow(reapply)
        layout.addWidget(box)
        self.message = QLabel("")
        self.message.setObjectName("tasks_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def add_task(self) -> None:
        labels = [x.strip() for x in self.labels.text().replace("，", ",").split(",") if x.strip()]
        try:
            self.host.project.add_task(self.name.text().strip(), labels, "multi" if self.multi.isChecked() else "single")
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(tr("task_added", n=self.name.text().strip()))
        self.task_added.emit(self.name.text().strip())

    def _aspect_key(self) -> str:
        i = self.aspect.currentIndex()
        if i >= 0 and self.aspect.itemText(i) == self.aspect.currentText():
            return self.aspect.itemData(i)
        return self.aspect.currentText().strip()

    def add_term(self) -> None:
        from core.analysis.aspects import add_term

        try:
            add_term(self._aspect_key(), self.term.text(), self.lang.currentData())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(tr("term_added", t=self.term.text().strip(), a=self._aspect_key()))
