"""Labelling: an active-learning queue, one review at a time, keys to label.

Keys: 1-9 assign the n-th label, Left/Right move, Z undoes, S skips, ? shows the sheet.
A label is written with ``Project.set_label`` the moment it is given (durable on return);
undo restores the previous value (or removes the label). The queue is built on the heavy
pool (``gui.session.labeling_queue``) with a read-only project handle of its own.

Aspect polarity (task "aspects") labels the aspect mentions the analysis detected: the
queue (``core.project.aspect_queue``, from the window's current Insights) has one row per
(review, aspect), the current aspect's terms highlighted in the review; 1-3 give its
polarity (``core.project.set_aspect_polarity``), Left/Right move between mentions, Up/Down
between reviews.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from gui.messages import show_error
from gui.i18n import label_name, language, task_name, tr
from gui.workers import JobSlot, Worker

ENOUGH = 20  # labels per class that make a retrain worthwhile
ASPECTS = "aspects"
CURRENT_MARK, OTHER_MARK = "#ffd54f", "#d6eaf8"  # term highlights (not the sentiment colours: no polarity implied)


class LabelingPage(QWidget):
    def __init__(self, get_project: Callable[[], Any], parent: QWidget | None = None,
                 get_insights: Callable[[], Any] = lambda: None) -> None:
        super().__init__(parent)
        self.get_project = get_project
        self.get_insights = get_insights
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
        # Up/Down as key events, not shortcuts: a focused task combo keeps its own arrows
        if event.key() == Qt.Key.Key_Down:
            self.next_review()
            return
        if event.key() == Qt.Key.Key_Up:
            self.prev_review()
            return
        super().keyPressEvent(event)

    # -- setup -------------------------------------------------------------------
    def clear(self) -> None:
        """Another project: drop the queue, the undo history and any queue job of the old one."""
        self.job.cancel_and_wait()
        self.busy.hide()
        self.queue = pd.DataFrame()
        self.undo_stack.clear()
        self.pos = 0
        self.refresh_tasks()

    def refresh_tasks(self) -> None:
        project = self.get_project()
        self.task.blockSignals(True)
        current = self.task.currentData()
        self.task.clear()
        if project is not None:
            for name, t in sorted(project.tasks().items()):
                self.task.addItem(task_name(name), name)
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
                w.hide()  # deleted later: must not paint meanwhile
                w.deleteLater()
        self.label_buttons = []
        for i, label in enumerate(self.labels()[:9]):
            b = QPushButton(f"{i + 1}  {self._label(label)}")
            b.setObjectName(f"label_btn_{label}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, i=i: self.assign(i))
            self.buttons_row.addWidget(b)
            self.label_buttons.append(b)
        self.queue = pd.DataFrame()
        self.undo_stack.clear()
        self.pos = 0
        self._show()

    def aspect_mode(self) -> bool:
        return self.task.currentData() == ASPECTS

    def load_queue(self) -> None:
        from gui.session import labeling_queue
        from gui.settings import engine_options

        project = self.get_project()
        task = self.task.currentData()
        if project is None or not task:
            return
        if task == ASPECTS:  # mentions come from the current analysis: no model pass needed
            from core.project import aspect_queue

            insights = self.get_insights()
            if insights is None:
                return show_error(self, tr("need_analysis"))
            labeled = project.labels(ASPECTS)["review_id"].unique().tolist()
            return self._queue_ready(aspect_queue(insights.reviews, insights.mentions, labeled_ids=labeled, n=20))
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

    def _value_of(self, review_id: int, task: str, pos: int | None = None) -> str | None:
        if task == ASPECTS:  # the polarity of the current row's aspect
            from core.project import aspect_polarity

            pos = self.pos if pos is None else pos
            if self.queue.empty or pos >= len(self.queue):
                return None
            return aspect_polarity(self.get_project(), review_id, str(self.queue["aspect"].iat[pos]))
        frame = self.get_project().labels(task)
        hit = frame[frame["review_id"] == review_id]["value"]
        return str(hit.iat[0]) if len(hit) else None

    def assign(self, index: int) -> None:
        rid, labels = self.current_id(), self.labels()
        if rid is None or index >= len(labels):
            return
        project, task = self.get_project(), self.task.currentData()
        if task == ASPECTS:
            from core.project import set_aspect_polarity

            aspect = str(self.queue["aspect"].iat[self.pos])
            previous = set_aspect_polarity(project, rid, aspect, labels[index])  # durable when it returns
            self.undo_stack.append((rid, task, previous, labels[index], self.pos))
        else:
            previous = self._value_of(rid, task) if project.task(task).kind == "single" else None
            project.set_label(rid, task, labels[index])  # durable when it returns
            self.undo_stack.append((rid, task, previous, labels[index], self.pos))
        self.pos = min(self.pos + 1, len(self.queue))
        self._show()

    def undo(self) -> None:
        if not self.undo_stack:
            return
        rid, task, previous, value, pos = self.undo_stack.pop()
        project = self.get_project()
        if task == ASPECTS:
            from core.project import set_aspect_polarity

            set_aspect_polarity(project, rid, str(self.queue["aspect"].iat[pos]), previous)
        else:
            project.remove_label(rid, task, value)
            if previous is not None:
                project.set_label(rid, task, previous)
        if not self.queue.empty and pos < len(self.queue) and int(self.queue["id"].iat[pos]) == rid:
            self.pos = pos
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

    def _review_starts(self) -> list[int]:
        ids = self.queue["id"].tolist()
        return [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]]

    def next_review(self) -> None:
        """Down: the first aspect of the next review (one row per review outside aspect mode)."""
        if self.queue.empty:
            return
        later = [i for i in self._review_starts() if i > self.pos]
        self.pos = later[0] if later else len(self.queue)
        self._show()

    def prev_review(self) -> None:
        if self.queue.empty:
            return
        starts = self._review_starts()
        here = max((i for i in starts if i <= min(self.pos, len(self.queue) - 1)), default=0)
        earlier = [i for i in starts if i < here]
        self.pos = earlier[-1] if earlier and self.pos <= here else here
        self._show()

    def show_help(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, tr("shortcuts"),
                          tr("aspect_help" if self.aspect_mode() else "shortcut_text"), parent=self)
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
        elif task == ASPECTS:
            self._show_aspect(project, self.queue.iloc[self.pos])
        else:
            row = self.queue.iloc[self.pos]
            self.text.setPlainText(str(row["text"]))
            self.position.setText(tr("queue_pos", i=self.pos + 1, n=len(self.queue)))
            conf = row.get("confidence")
            self.guess.setText(tr("model_guess", label=self._label(row["guess"]), conf=f"{conf:.0%}")
                               if row.get("guess") else tr("no_guess"))
            value = self._value_of(int(row["id"]), task) if project is not None and task else None
            self.current.setText(tr("labeled_as", v=self._label(value)) if value else "")
        self._show_counts(project, task)

    def _aspect_name(self, aspect: str) -> str:
        insights = self.get_insights()
        names = getattr(insights, "aspect_names", {}) or {}
        return names.get(aspect, {}).get(language()) or aspect

    def _show_aspect(self, project, row) -> None:
        """The review with every detected aspect term marked, the current aspect's strongly."""
        import html

        rows = self.queue[self.queue["id"] == row["id"]]
        current = str(row["aspect"])
        spans = sorted((s, e, str(a)) for a, sp in zip(rows["aspect"], rows["spans"]) for s, e in sp)
        text, out, last = str(row["text"]), [], 0
        for s, e, a in spans:
            if s < last:
                continue
            out.append(html.escape(text[last:s]))
            if a == current:  # the mention being labelled: amber, bold, underlined
                out.append(f'<span style="background-color:{CURRENT_MARK};color:#000000">'
                           f'<b><u>{html.escape(text[s:e])}</u></b></span>')
            else:  # the review's other aspect mentions: light blue
                out.append(f'<span style="background-color:{OTHER_MARK}">{html.escape(text[s:e])}</span>')
            last = e
        out.append(html.escape(text[last:]))
        self.text.setHtml(f"<p>{''.join(out)}</p>")
        i = list(rows.index).index(row.name) + 1
        self.position.setText(tr("aspect_pos", i=int(row["review_no"]) + 1, n=int(self.queue["review_no"].max()) + 1)
                              + " · " + tr("aspect_now", aspect=self._aspect_name(current), i=i, n=len(rows)))
        self.guess.setText(tr("model_guess", label=self._label(row["guess"]),
                              conf=f"{float(row['confidence']):.0%}"))
        value = self._value_of(int(row["id"]), ASPECTS) if project is not None else None
        self.current.setText(tr("labeled_as", v=self._label(value)) if value else "")

    def refresh_counts(self) -> None:
        """Labels changed elsewhere (My labels): show the current one and the counts again."""
        self._show()

    def _label(self, value: str) -> str:
        names = getattr(self.get_insights(), "aspect_names", None)
        return label_name(self.task.currentData() or "", str(value), names)

    def _show_counts(self, project, task) -> None:
        while self.progress_grid.count():
            w = self.progress_grid.takeAt(0).widget()
            if w:
                w.hide()  # deleted later: must not paint meanwhile
                w.deleteLater()
        if project is None or not task:
            return
        counts = project.label_counts(task)
        if task == ASPECTS:  # values are aspect:polarity; progress is per polarity
            by_polarity: dict[str, int] = {}
            for value, n in counts.items():
                polarity = value.rpartition(":")[2]
                by_polarity[polarity] = by_polarity.get(polarity, 0) + n
            counts = by_polarity
        self.count_bars: dict[str, QProgressBar] = {}
        for i, label in enumerate(self.labels()):
            n = counts.get(label, 0)
            bar = QProgressBar()
            bar.setObjectName(f"count_{label}")
            bar.setRange(0, ENOUGH)
            bar.setValue(min(n, ENOUGH))
            bar.setFormat(f"{n} / {ENOUGH}")
            bar.setToolTip(f"{self._label(label)}: {n}")
            self.count_bars[label] = bar
            self.progress_grid.addWidget(QLabel(self._label(label)), i, 0)
            self.progress_grid.addWidget(bar, i, 1)
