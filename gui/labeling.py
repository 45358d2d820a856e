"""Labelling: an active-learning queue, one review at a time, keys to label.

Keys: 1-9 assign the n-th label, Left/Right move, Z undoes, S skips, ? shows the sheet.
A label is written with ``Project.set_label`` the moment it is given (durable on return);
undo restores the previous value (or removes the label). The queue is built on the heavy
pool (``gui.session.labeling_queue``) with a read-only project handle of its own.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from gui.messages import show_error
from gui.i18n import tr
from gui.workers import JobSlot, Worker

ENOUGH = 20  # labels per class that make a retrain worthwhile


class LabelingPage(QWidget):
    def __init__(self, get_project: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.get_project = get_project
        self.job = JobSlot()
        self.queue = pd.DataFrame()
        self.pos = 0
        self.undo_stack: list[tuple[int, str, str | None, str]] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("task")))
        self.task = QComboBox()
        self.task.setObjectName("label_task")
        self.task.currentIndexChanged.connect(lambda _: self._task_changed())
        top.addWidget(self.task)
        self.fetch = QPushButton(tr("start_labeling"))
        self.fetch.setObjectName("label_fetch")
        self.fetch.clicked.connect(self.load_queue)
        top.addWidget(self.fetch)
        self.busy = QProgressBar()
        self.busy.setRange(0, 100)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        top.addWidget(self.busy)
        top.addStretch(1)
        self.position = QLabel("")
        top.addWidget(self.position)
        layout.addLayout(top)

        self.text = QTextBrowser()
        self.text.setObjectName("label_text")
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the page
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.text.setFont(font)
        layout.addWidget(self.text, 1)
        self.guess = QLabel("")
        self.guess.setObjectName("label_guess")
        layout.addWidget(self.guess)
        self.current = QLabel("")
        self.current.setObjectName("label_current")
        layout.addWidget(self.current)
        self.buttons_row = QHBoxLayout()
        layout.addLayout(self.buttons_row)
        actions = QHBoxLayout()
        for key, slot in (("undo", self.undo), ("skip", self.skip), ("help_keys", self.show_help)):
            b = QPushButton(tr(key))
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.progress_box = QGroupBox(tr("enough", n=ENOUGH))
        self.progress_grid = QGridLayout(self.progress_box)
        layout.addWidget(self.progress_box)
        self.label_buttons: list[QPushButton] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for seq, slot in (("Z", self.undo), ("S", self.skip), ("Left", self.prev),
                          ("Right", self.next)):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        for n in range(1, 10):
            sc = QShortcut(QKeySequence(str(n)), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda n=n: self.assign(n - 1))
        self._show()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # "?" is Shift+/ on most layouts and a bare key on others: match the character, not the key
        if event.text() == "?":
            self.show_help()
            return
        super().keyPressEvent(event)

    # -- setup -------------------------------------------------------------------
    def refresh_tasks(self) -> None:
        project = self.get_project()
        self.task.blockSignals(True)
        current = self.task.currentData()
        self.task.clear()
        if project is not None:
            for name, t in sorted(project.tasks().items()):
                if name != "aspects":  # aspect:polarity pairs need a dedicated editor
                    self.task.addItem(tr(name), name)
        i = self.task.findData(current or "sentiment")
        self.task.setCurrentIndex(max(i, 0))
        self.task.blockSignals(False)
        self._task_changed()

    def labels(self) -> tuple[str, ...]:
        project = self.get_project()
        name = self.task.currentData()
        return project.task(name).labels if project is not None and name else ()

    def _task_changed(self) -> None:
        while self.buttons_row.count():
            w = self.buttons_row.takeAt(0).widget()
            if w:
                w.deleteLater()
        self.label_buttons = []
        for i, label in enumerate(self.labels()[:9]):
            b = QPushButton(f"{i + 1}  {tr(label)}")
            b.setObjectName(f"label_btn_{label}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, i=i: self.assign(i))
            self.buttons_row.addWidget(b)
            self.label_buttons.append(b)
        self.queue = pd.DataFrame()
        self.undo_stack.clear()
        self.pos = 0
        self._show()

    def load_queue(self) -> None:
        from gui.session import labeling_queue
        from gui.settings import engine_options

        project = self.get_project()
        task = self.task.currentData()
        if project is None or not task:
            return
        worker = Worker(labeling_queue, project.path, task, n=20, **engine_options())
        worker.signals.progress.connect(lambda f, _m: self.busy.setValue(int(f * 100)))
        worker.signals.finished.connect(self._queue_ready)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(self.busy.hide)
        self.busy.show()
        self.job.start(worker)

    def _failed(self, message: str) -> None:
        self.busy.hide()
        show_error(self, message)

    def _queue_ready(self, queue: pd.DataFrame) -> None:
        self.busy.hide()
        self.queue = queue
        self.pos = 0
        self._show()
        self.setFocus()

    # -- actions -----------------------------------------------------------------
    def current_id(self) -> int | None:
        if self.queue.empty or self.pos >= len(self.queue):
            return None
        return int(self.queue["id"].iat[self.pos])

    def _value_of(self, review_id: int, task: str) -> str | None:
        frame = self.get_project().labels(task)
        hit = frame[frame["review_id"] == review_id]["value"]
        return str(hit.iat[0]) if len(hit) else None

    def assign(self, index: int) -> None:
        rid, labels = self.current_id(), self.labels()
        if rid is None or index >= len(labels):
            return
        project, task = self.get_project(), self.task.currentData()
        previous = self._value_of(rid, task) if project.task(task).kind == "single" else None
        project.set_label(rid, task, labels[index])  # durable when it returns
        self.undo_stack.append((rid, task, previous, labels[index]))
        self.pos = min(self.pos + 1, len(self.queue))
        self._show()

    def undo(self) -> None:
        if not self.undo_stack:
            return
        rid, task, previous, value = self.undo_stack.pop()
        project = self.get_project()
        project.remove_label(rid, task, value)
        if previous is not None:
            project.set_label(rid, task, previous)
        ids = self.queue["id"].tolist() if not self.queue.empty else []
        if rid in ids:
            self.pos = ids.index(rid)
        self._show()

    def skip(self) -> None:
        self.next()

    def next(self) -> None:
        if not self.queue.empty:
            self.pos = min(self.pos + 1, len(self.queue))
            self._show()

    def prev(self) -> None:
        if not self.queue.empty:
            self.pos = max(self.pos - 1, 0)
            self._show()

    def show_help(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, tr("shortcuts"), tr("shortcut_text"), parent=self)
        box.setObjectName("shortcut_sheet")
        box.open()

    # -- display -------------------------------------------------------------------
    def _show(self) -> None:
        project = self.get_project()
        task = self.task.currentData()
        if self.queue.empty:
            self.text.setPlainText(tr("queue_empty"))
            self.position.setText("")
            self.guess.setText("")
            self.current.setText("")
        elif self.pos >= len(self.queue):
            self.text.setPlainText(tr("queue_done"))
            self.position.setText(tr("queue_pos", i=len(self.queue), n=len(self.queue)))
            self.guess.setText("")
            self.current.setText("")
        else:
            row = self.queue.iloc[self.pos]
            self.text.setPlainText(str(row["text"]))
            self.position.setText(tr("queue_pos", i=self.pos + 1, n=len(self.queue)))
            conf = row.get("confidence")
            self.guess.setText(tr("model_guess", label=tr(row["guess"]), conf=f"{conf:.0%}")
                               if row.get("guess") else tr("no_guess"))
            value = self._value_of(int(row["id"]), task) if project is not None and task else None
            self.current.setText(tr("labeled_as", v=tr(value)) if value else "")
        self._show_counts(project, task)

    def _show_counts(self, project, task) -> None:
        while self.progress_grid.count():
            w = self.progress_grid.takeAt(0).widget()
            if w:
                w.deleteLater()
        if project is None or not task:
            return
        counts = project.label_counts(task)
        self.count_bars: dict[str, QProgressBar] = {}
        for i, label in enumerate(self.labels()):
            n = counts.get(label, 0)
            bar = QProgressBar()
            bar.setObjectName(f"count_{label}")
            bar.setRange(0, ENOUGH)
            bar.setValue(min(n, ENOUGH))
            bar.setFormat(f"{n} / {ENOUGH}")
            bar.setToolTip(f"{tr(label)}: {n}")
            self.count_bars[label] = bar
            self.progress_grid.addWidget(QLabel(tr(label)), i, 0)
            self.progress_grid.addWidget(bar, i, 1)
