"""Training wizard: task -> label counts and balance -> quick/full -> progress -> results.

Models belong to a project: training starts from, and is compared with, the open project's
active model (``gui.session.train_project_job``), and Activate makes the new version active
for this project only (``ModelStore(project=...)``), for every task: analysis uses the
project's active model of each task. The labels are read on the GUI thread (a small query);
the training runs in a job process (``ProcessWorker``: torch would starve the event loop).
A model that is not shown to be better needs an explicit "activate anyway" confirmation;
one with too few labels of some class cannot be activated at all (core's rule). After an
activation the wizard offers to re-analyse the project with the new model.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
                               QRadioButton, QTableWidget, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from core.training import MIN_TO_ACTIVATE
from gui.i18n import label_name, task_name, tr
from gui.messages import show_error
from gui.session import train_project_job
from gui.training_results import ResultsPage, list_join, make_table
from gui.workers import Eta, JobSlot, ProcessWorker, percent, progress_line

MIN_PER_CLASS = MIN_TO_ACTIVATE  # below this a labelled class blocks activation (core.training.evaluation)


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
        self.layout_.addWidget(self.warning)
        self.layout_.addStretch(1)  # the table and its warning at the top, not spread over the page
        self.ok = False

    def initializePage(self) -> None:  # noqa: N802
        project = self.wiz.host.project
        task = self.wiz.task()
        counts = project.label_counts(task)
        names = list(project.task(task).labels)
        total = max(sum(counts.values()), 1)
        if self.table is not None:
            self.table.deleteLater()
        self.table = make_table([tr("label"), "n", "%"],
                                [[label_name(task, n), str(counts.get(n, 0)), f"{counts.get(n, 0) / total:.0%}"]
                                 for n in names], "balance_table")
        self.layout_.insertWidget(0, self.table)
        usable = [n for n in names if counts.get(n, 0) >= 2]
        self.ok = len(usable) >= 2
        if not self.ok:
            self.warning.setText("⚠ " + tr("cannot_train"))
        elif any(counts.get(n, 0) < MIN_PER_CLASS for n in names):
            short = [label_name(task, n) for n in names if 0 < counts.get(n, 0) < MIN_PER_CLASS]
            unlabelled = [label_name(task, n) for n in names if not counts.get(n, 0)]
            text = tr("too_few", n=MIN_PER_CLASS, c=list_join(short)) if short else ""
            if unlabelled:
                text = (text + " " if text else "") + tr("none_for", c=list_join(unlabelled))
            self.warning.setText("⚠ " + text)
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
        """Store the new model and make it this project's active model of its task (any task:
        analysis uses the project's active model of each). Never with too few labels (core
        refuses, even forced); one not shown to be better needs confirmation."""
        from core.errors import UserError
        from core.model import ModelStore
        from core.training import should_activate

        result = self.progress_page.result
        if not result.activatable:
            return None
        if not result.better:
            ok = confirm_worse if confirm_worse is not None else QMessageBox.question(
                self, tr("activate"), tr("activate_anyway")) == QMessageBox.StandardButton.Yes
            if not ok:
                return None
        if not should_activate(result, force=True):
            return None
        try:
            version = ModelStore(project=self.host.project_path).add(Path(result.staging_dir), activate=True)
            self.host.project.record_model_version(
                version.version, task=self.task(), path=version.path, active=True,
                metrics={"new": result.metrics_new or {}, "current": result.metrics_current})
        except UserError as exc:
            show_error(self, exc.message)
            return None
        self.activated_version = version.version
        self.results_page.verdict.setText(tr("activated", v=version.version))
        self._decided()
        self._offer_reanalysis()
        return version.version

    def _offer_reanalysis(self) -> None:
        """The dashboard still shows the old model's answers: offer to re-analyse now."""
        reanalyse = getattr(self.host, "load_insights", None)
        if reanalyse is None or getattr(self.host, "project", None) is None:
            return
        if QMessageBox.question(self, tr("reanalyse"), tr("reanalyse_now")) == QMessageBox.StandardButton.Yes:
            reanalyse(reanalyse=True)

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
