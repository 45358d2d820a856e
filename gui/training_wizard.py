"""Training wizard: task -> label counts and balance -> quick/full -> progress -> results.

Built against ``core.training.train_model`` (planned API: texts, labels, task, label_names,
mode, base_dir, progress, cancel, seed -> TrainResult with metrics_new, metrics_current,
verdict, better, staging_dir). The labels are read on the GUI thread (a small query); the
training runs in a job process (``ProcessWorker``: torch would starve the event loop). A
model that is not better needs an explicit "activate anyway" confirmation.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
                               QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from gui.messages import show_error
from gui.i18n import label_name, task_name, tr
from gui.session import train_project_job
from gui.workers import Eta, JobSlot, ProcessWorker, percent, progress_line

MIN_PER_CLASS = 10


def _table(headers: list[str], rows: list[list[str]], name: str) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(v))
    t.resizeColumnsToContents()
    t.resizeRowsToContents()
    # show every row: these tables are small and a scroll bar hides the figures that matter
    t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(len(rows))) + 4)
    return t


class TaskPage(QWizardPage):
    def __init__(self, wiz: "TrainingWizard") -> None:
        super().__init__()
        self.wiz = wiz
        self.setTitle(tr("choose_task"))
        self.setSubTitle(tr("choose_task_sub"))
        layout = QVBoxLayout(self)
        self.task = QComboBox()
        self.task.setObjectName("train_task")
        for name, t in sorted(wiz.host.project.tasks().items()):
            if t.kind == "single":  # train_model takes one label per text
                self.task.addItem(task_name(name), name)
        self.task.setCurrentIndex(max(self.task.findData("sentiment"), 0))
        layout.addWidget(self.task)
        layout.addStretch(1)


class BalancePage(QWizardPage):
    def __init__(self, wiz: "TrainingWizard") -> None:
        super().__init__()
        self.wiz = wiz
        self.setTitle(tr("balance"))
        self.layout_ = QVBoxLayout(self)
        self.warning = QLabel("")
        self.warning.setObjectName("balance_warning")
        self.warning.setWordWrap(True)
        self.table: QTableWidget | None = None
        self.ok = False

    def initializePage(self) -> None:  # noqa: N802
        project = self.wiz.host.project
        task = self.wiz.task()
        counts = project.label_counts(task)
        names = list(project.task(task).labels)
        total = max(sum(counts.values()), 1)
        if self.table is not None:
            self.table.deleteLater()
        self.table = _table([tr("label"), "n", "%"], [[tr(n), str(counts.get(n, 0)), f"{counts.get(n, 0) / total:.0%}"]
                                                     for n in names], "balance_table")
        self.layout_.addWidget(self.table)
        self.layout_.addWidget(self.warning)
        usable = [n for n in names if counts.get(n, 0) >= 2]
        self.ok = len(usable) >= 2
        if not self.ok:
            self.warning.setText("⚠ " + tr("cannot_train"))
        elif any(counts.get(n, 0) < MIN_PER_CLASS for n in names):
            self.warning.setText("⚠ " + tr("too_few", n=MIN_PER_CLASS))
        else:
            self.warning.setText(tr("balance_ok"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.ok


class ModePage(QWizardPage):
    def __init__(self, wiz: "TrainingWizard") -> None:
        super().__init__()
        self.setTitle(tr("mode"))
        layout = QVBoxLayout(self)
        self.quick, self.full = QRadioButton(tr("quick")), QRadioButton(tr("full"))
        self.quick.setObjectName("mode_quick")
        self.full.setObjectName("mode_full")
        self.quick.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.quick, self.full):
            group.addButton(b)
            layout.addWidget(b)
        layout.addStretch(1)


class ProgressPage(QWizardPage):
    def __init__(self, wiz: "TrainingWizard") -> None:
        super().__init__()
        self.wiz = wiz
        self.setTitle(tr("training"))
        layout = QVBoxLayout(self)
        self.bar = QProgressBar()
        self.bar.setObjectName("train_progress")
        self.bar.setRange(0, 100)
        layout.addWidget(self.bar)
        row = QHBoxLayout()
        self.message = QLabel("")
        row.addWidget(self.message, 1)
        layout.addLayout(row)
        self.cancel = QPushButton(tr("busy_cancel"))
        self.cancel.setObjectName("train_cancel")
        self.cancel.clicked.connect(self.wiz.job.cancel)
        layout.addWidget(self.cancel)
        layout.addStretch(1)
        self.result = None

    def initializePage(self) -> None:  # noqa: N802
        self.result = None
        try:
            import core.training  # noqa: F401
        except ImportError:
            self.message.setText(tr("no_training"))
            self.cancel.setEnabled(False)
            return
        task = self.wiz.task()
        worker = ProcessWorker(train_project_job, self.wiz.host.project_path, task=task, mode=self.wiz.mode())
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(lambda: (self.bar.reset(), self.message.setText(tr("cancelled"))))
        self.eta = Eta()
        self.cancel.setEnabled(True)
        self.wiz.job.start(worker)

    def cleanupPage(self) -> None:  # noqa: N802 - Back: stop the run
        self.wiz.job.cancel_and_wait()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(percent(fraction))
        self.message.setText(progress_line(fraction, message, self.eta))

    def _finished(self, result) -> None:
        self.result = result
        self.bar.setValue(100)
        self.cancel.setEnabled(False)
        self.message.setText(tr("done"))
        self.completeChanged.emit()
        self.wiz.next()

    def _failed(self, message: str) -> None:
        self.cancel.setEnabled(False)
        self.message.setText(message)
        show_error(self, message)

    def isComplete(self) -> bool:  # noqa: N802
        return self.result is not None


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "–"


class ResultsPage(QWizardPage):
    def __init__(self, wiz: "TrainingWizard") -> None:
        super().__init__()
        self.wiz = wiz
        self.setTitle(tr("results"))
        self.setSubTitle(tr("results_sub"))
        self.layout_ = QVBoxLayout(self)
        self.verdict = QLabel("")
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.layout_.addWidget(self.verdict)
        self.tables = QVBoxLayout()
        self.layout_.addLayout(self.tables)
        row = QHBoxLayout()
        self.activate_button = QPushButton(tr("activate"))
        self.activate_button.setObjectName("train_activate")
        self.activate_button.clicked.connect(lambda: self.wiz.activate())
        self.discard_button = QPushButton(tr("discard"))
        self.discard_button.setObjectName("train_discard")
        self.discard_button.clicked.connect(self.wiz.discard)
        row.addWidget(self.activate_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.decided = False

    def initializePage(self) -> None:  # noqa: N802
        result = self.wiz.progress_page.result
        while self.tables.count():
            w = self.tables.takeAt(0).widget()
            if w:
                w.deleteLater()
        new, cur = result.metrics_new or {}, result.metrics_current or {}
        self.verdict.setText(("✔ " if result.better else "⚠ ") + self._verdict(result, new, cur))
        self.verdict.setToolTip(str(result.verdict))  # core's own wording (English)
        self.tables.addWidget(_table([tr("metric"), tr("new_model"), tr("current_model")],
                                     [[tr(k), _f(new.get(k)), _f(cur.get(k))] for k in ("accuracy", "macro_f1")],
                                     "metrics_table"))
        task = self.wiz.task()
        labels = list(new.get("labels") or self.wiz.host.project.task(task).labels)
        pn, pc = new.get("per_class") or {}, cur.get("per_class") or {}

        def f1(d: dict, label: str) -> Any:
            v = d.get(label)
            return v.get("f1") if isinstance(v, dict) else v

        self.tables.addWidget(QLabel(tr("per_class")))
        self.tables.addWidget(_table([tr("label"), tr("new_model"), tr("current_model")],
                                     [[label_name(task, l), _f(f1(pn, l)), _f(f1(pc, l))] for l in labels],
                                     "per_class_table"))
        confusion = new.get("confusion")
        if confusion:
            self.tables.addWidget(QLabel(tr("confusion")))
            names = [label_name(task, l) for l in labels]
            t = _table(names, [[str(v) for v in row] for row in confusion], "confusion_table")
            t.setVerticalHeaderLabels(names)
            t.verticalHeader().setVisible(True)
            self.tables.addWidget(t)

    @staticmethod
    def _verdict(result, new: dict, cur: dict) -> str:
        """core.training's verdict is English; in Chinese, say the same from the same figures."""
        from gui.i18n import language

        if language() == "en":
            return str(result.verdict)
        n = getattr(result, "n_eval", new.get("n", ""))
        if not cur:
            return tr("verdict_first", acc=f"{new.get('accuracy', 0):.0%}", new=f"{new.get('macro_f1', 0):.2f}", n=n)
        d = new.get("macro_f1", 0) - cur.get("macro_f1", 0)
        key = "verdict_better" if d > 0.01 else "verdict_same" if d >= -0.01 else "verdict_worse"
        return tr(key, new=f"{new.get('macro_f1', 0):.2f}", cur=f"{cur.get('macro_f1', 0):.2f}", n=n)

    def isComplete(self) -> bool:  # noqa: N802
        return self.decided


class TrainingWizard(QWizard):
    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.job = JobSlot()
        self.activated_version: str | None = None
        self.setWindowTitle(tr("train_title"))
        self.setObjectName("training_wizard")
        self.task_page = TaskPage(self)
        self.balance_page = BalancePage(self)
        self.mode_page = ModePage(self)
        self.progress_page = ProgressPage(self)
        self.results_page = ResultsPage(self)
        for p in (self.task_page, self.balance_page, self.mode_page, self.progress_page, self.results_page):
            self.addPage(p)
        self.resize(760, 560)

    def task(self) -> str:
        return self.task_page.task.currentData()

    def mode(self) -> str:
        return "full" if self.mode_page.full.isChecked() else "quick"

    def activate(self, *, confirm_worse: bool | None = None) -> str | None:
        """Store the new model and make it active; a worse one needs confirmation."""
        from core.errors import UserError
        from core.model_store import ModelStore

        result = self.progress_page.result
        if not result.better:
            ok = confirm_worse if confirm_worse is not None else QMessageBox.question(
                self, tr("activate"), tr("activate_anyway")) == QMessageBox.StandardButton.Yes
            if not ok:
                return None
        try:
            # Analysis runs the active model, so only a sentiment model becomes active; a custom
            # task's model is stored (and listed) without replacing it.
            make_active = self.task() == "sentiment"
            version = ModelStore().add(Path(result.staging_dir), activate=make_active)
            self.host.project.record_model_version(version.version, task=self.task(), path=version.path,
                                                   metrics=result.metrics_new or {}, active=make_active)
        except UserError as exc:
            show_error(self, exc.message)
            return None
        self.activated_version = version.version
        self.results_page.verdict.setText(tr("activated", v=version.version))
        self._decided()
        return version.version

    def discard(self) -> None:
        result = self.progress_page.result
        if result is not None and Path(result.staging_dir).is_dir():
            shutil.rmtree(result.staging_dir, ignore_errors=True)
        self.results_page.verdict.setText(tr("discarded"))
        self._decided()

    def _decided(self) -> None:
        self.results_page.decided = True
        self.results_page.activate_button.setEnabled(False)
        self.results_page.discard_button.setEnabled(False)
        self.results_page.completeChanged.emit()

    def shutdown(self) -> None:
        self.job.cancel_and_wait()

    def reject(self) -> None:
        self.shutdown()
        super().reject()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
