"""Custom labelling tasks (``Project.add_task``) and the aspect lexicon (``aspects.add_term``).

A new lexicon term takes effect on the next analysis: "Re-analyse to apply" asks the main
window to re-run the analysis of the project's reviews.

Task names: the owner types any name ("尺码", "Fit & size"); core keys a task by
``^[a-z][a-z0-9_]{0,39}$`` (core/project/database.py ``_TASK_NAME``), so the dialog derives the key
(``task_key``) and keeps the typed name in the settings (core stores no display name).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from core.errors import UserError
from gui.i18n import language, tr
from gui.settings import set_setting


def task_key(name: str) -> str:
    """A key core accepts for a task the owner named ``name``: ASCII names slugified
    ("Fit & size" -> "fit_size"), others (Chinese, ß...) "task_" + a short hash of the name."""
    name = name.strip()
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if any(ord(c) > 127 and c.isalnum() for c in folded):  # letters with no ASCII spelling
        return "task_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not slug:
        return "task_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if not slug[0].isalpha():
        slug = "task_" + slug
    return slug[:40].rstrip("_")


class TasksDialog(QDialog):
    task_added = Signal(str)

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(tr("tasks_title"))
        self.setObjectName("tasks_dialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        box = QGroupBox(tr("new_task"))
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setObjectName("task_name")
        self.name.setPlaceholderText(tr("task_name_hint"))
        self.key = QLabel("")
        self.key.setObjectName("task_key")
        self.name.textChanged.connect(lambda t: self.key.setText(tr("task_key", k=task_key(t)) if t.strip() else ""))
        self.labels = QLineEdit()
        self.labels.setObjectName("task_labels")
        self.labels.setPlaceholderText("size_small, size_ok, size_large")
        self.multi = QCheckBox(tr("multi"))
        add = QPushButton(tr("add_task"))
        add.setObjectName("add_task")
        add.clicked.connect(self.add_task)
        form.addRow(tr("task_name"), self.name)
        form.addRow("", self.key)
        form.addRow(tr("task_labels"), self.labels)
        form.addRow("", self.multi)
        form.addRow(add)
        layout.addWidget(box)

        box = QGroupBox(tr("lexicon"))
        form = QFormLayout(box)
        self.aspect = QComboBox()
        self.aspect.setObjectName("lex_aspect")
        self.aspect.setEditable(True)
        from core.analysis import load_lexicon

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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("tasks_buttons")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def add_task(self) -> None:
        labels = [x.strip() for x in self.labels.text().replace("，", ",").split(",") if x.strip()]
        name = self.name.text().strip()
        if not name:
            self.message.setText(tr("task_name_needed"))
            return
        key = task_key(name)
        try:
            self.host.project.add_task(key, labels, "multi" if self.multi.isChecked() else "single")
        except UserError as exc:
            self.message.setText(exc.message)
            return
        set_setting(f"tasks/{key}/name", name)
        self.message.setText(tr("task_added", n=name))
        self.task_added.emit(key)

    def _aspect_key(self) -> str:
        i = self.aspect.currentIndex()
        if i >= 0 and self.aspect.itemText(i) == self.aspect.currentText():
            return self.aspect.itemData(i)
        return self.aspect.currentText().strip()

    def add_term(self) -> None:
        from core.analysis import add_term

        try:
            add_term(self._aspect_key(), self.term.text(), self.lang.currentData())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(tr("term_added", t=self.term.text().strip(), a=self._aspect_key()))
