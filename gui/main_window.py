"""The main window: start page, dashboard, review browser, labelling; menus; status bar.

Holds the open ``Project`` (GUI thread) and the current ``Insights``. Analysis runs in a
job process (``ProcessWorker``) that opens the project with ``lock=False``: this window
keeps its handle and the project lock the whole time, so labelling goes on while the
job runs and no other window can take the project in between; ``refresh_project`` shows
the new counts when a job that wrote has ended.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QLabel, QMainWindow, QProgressBar, QPushButton,
                               QTabWidget, QWidget)

from core.errors import UserError
from gui.dashboard import Dashboard
from gui.i18n import set_language, tr
from gui.labeling import LabelingPage
from gui.review_browser import ReviewBrowser
from gui.settings import add_recent, projects_dir, set_setting, setting
from gui.start_page import StartPage
from gui.workers import JobSlot, ProcessWorker, Worker, percent, progress_line

SHEET_SUFFIXES = (".xlsx", ".xls", ".csv", ".tsv", ".txt")


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.project = None
        self.project_path: Path | None = None
        self.insights = None
        self.job = JobSlot()
        self.dialogs: list[QWidget] = []
        self.setAcceptDrops(True)
        self.resize(1200, 800)
        self.build()
        geometry = setting("geometry/main", None)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    # -- building (again on a language change) ----------------------------------------
    def build(self) -> None:
        if hasattr(self, "labeling"):  # rebuilding: the old pages' jobs must not outlive them
            self.labeling.job.cancel_and_wait()
        self.setWindowTitle(tr("app_title"))
        self.menuBar().clear()
        self._menus()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.start = StartPage()
        self.start.new_requested.connect(self.new_project_dialog)
        self.start.open_requested.connect(self.open_project_dialog)
        self.start.recent_chosen.connect(lambda p: self.open_project(Path(p)))
        self.dashboard = Dashboard()
        self.dashboard.filter_requested.connect(self.show_reviews)
        self.browser = ReviewBrowser()
        self.labeling = LabelingPage(lambda: self.project, get_insights=lambda: self.insights)
        for page, key in ((self.start, "tab_start"), (self.dashboard, "tab_dashboard"), (self.browser, "tab_reviews"),
                          (self.labeling, "tab_label")):
            self.tabs.addTab(page, tr(key))
        old = self.centralWidget()
        self.setCentralWidget(self.tabs)
        if old is not None:
            old.deleteLater()
        bar = self.statusBar()
        for w in getattr(self, "_status_widgets", []):
            bar.removeWidget(w)
            w.deleteLater()
        self.status_project = QLabel(tr("no_project"))
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.cancel_button = QPushButton(tr("busy_cancel"))
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.job.cancel)
        self.offline = QLabel(tr("offline"))
        self.offline.setObjectName("offline_notice")
        self.offline.setToolTip(tr("offline"))
        self._status_widgets = [self.status_project, self.progress, self.cancel_button, self.offline]
        bar.addWidget(self.status_project, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.offline)
        if self.project is not None:
            self._project_shown()
        if self.insights is not None:
            self.set_insights(self.insights)

    def _menus(self) -> None:
        def act(menu, key, slot, shortcut=None, name=None):
            a = QAction(tr(key), self)
            a.setObjectName(name or f"act_{key}")
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        m = self.menuBar().addMenu(tr("menu_file"))
        act(m, "new_project", self.new_project_dialog, QKeySequence.StandardKey.New)
        act(m, "open_project", self.open_project_dialog, QKeySequence.StandardKey.Open)
        act(m, "import_file", lambda: self.start_import(None), "Ctrl+I")
        act(m, "export_report", self.export_dialog, "Ctrl+E")
        m.addSeparator()
        act(m, "quit", self.close, QKeySequence.StandardKey.Quit)
        m = self.menuBar().addMenu(tr("menu_tools"))
        act(m, "reanalyse", lambda: self.load_insights(reanalyse=True))
        act(m, "train_model", self.training_wizard, "Ctrl+T")
        act(m, "model_manager", self.model_manager)
        act(m, "tasks_lexicon", self.tasks_dialog)
        act(m, "my_labels", self.labels_dialog)
        act(m, "settings", self.settings_dialog, QKeySequence.StandardKey.Preferences)
        m = self.menuBar().addMenu(tr("menu_help"))
        act(m, "user_guide", self.guide_dialog, QKeySequence.StandardKey.HelpContents)
        act(m, "about", self.about)

    # -- project ---------------------------------------------------------------------
    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("new_project"), str(projects_dir() / "shop.rlproj"),
                                              tr("project_filter"))
        if path:
            self.new_project(Path(path if path.endswith(".rlproj") else path + ".rlproj"))

    def open_project_dialog(self) -> None:
        from gui.settings import recent_projects

        recent = recent_projects()  # start where the last project lives
        folder = Path(recent[0]).parent if recent else projects_dir()
        path, _ = QFileDialog.getOpenFileName(self, tr("open_project"), str(folder), tr("project_filter"))
        if path:
            self.open_project(Path(path))

    def new_project(self, path: Path) -> bool:
        from core.project import Project

        return self._take(lambda: Project.create(path), path)

    def open_project(self, path: Path) -> bool:
        from core.project import Project

        if self._take(lambda: Project.open(path), path):
            self.load_insights()
            return True
        return False

    def _take(self, opener, path: Path) -> bool:
        self.job.cancel_and_wait()
        try:
            project = opener()
        except UserError as exc:
            self.show_error(exc.message)
            return False
        self.close_project()
        self.project, self.project_path = project, Path(path)
        self.clear_views()  # never show the previous project's reviews under the new name
        add_recent(path)
        self._project_shown()
        return True

    def _project_shown(self) -> None:
        self.update_status()
        self.start.refresh()
        self.labeling.refresh_tasks()

    def close_project(self) -> None:
        if self.project is not None:
            self.project.close()
        self.project = None
        self.insights = None

    def update_status(self) -> None:
        """The status bar's counts: the dashboard's definition once insights are loaded."""
        from gui.dashboard import counts_text

        if self.project is None:
            self.status_project.setText(tr("no_project"))
            self.status_project.setToolTip("")
            return
        stored = self.project.review_count()
        counts = counts_text(self.insights) if self.insights is not None else tr("stored_n", n=f"{stored:,}")
        self.status_project.setText(tr("project_status", name=self.project_path.name, counts=counts))
        self.status_project.setToolTip(tr("stored_tip", n=f"{stored:,}"))

    def clear_views(self) -> None:
        """Empty the dashboard, browser and labelling page (called before a project's own data loads)."""
        self.insights = None
        self.dashboard.clear()
        self.browser.clear()
        self.labeling.clear()

    def refresh_project(self) -> None:
        """A job wrote the project (reviews, predictions): show its new counts."""
        if self.project is not None:
            self._project_shown()

    # -- jobs --------------------------------------------------------------------------
    def run_job(self, worker: Worker, on_done, *, writes: bool = False) -> Worker:
        """Start a heavy job owned by this window (cancelling the previous one)."""

        def end() -> None:
            self.statusBar().clearMessage()  # no step message left behind after the job
            self.progress.hide()
            self.cancel_button.hide()
            if writes:
                self.refresh_project()

        worker.signals.progress.connect(lambda f, m: (self.progress.setValue(percent(f)),
                                                      self.statusBar().showMessage(progress_line(f, m), 3000)))
        worker.signals.finished.connect(lambda result: (end(), on_done(result)))
        worker.signals.failed.connect(lambda message: (end(), self.show_error(message)))
        worker.signals.cancelled.connect(end)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        return self.job.start(worker)

    def load_insights(self, *, reanalyse: bool = False) -> None:
        """The dashboard's data: the insights cache (a thread job, no model) when fresh,
        else an analysis in a job process."""
        from gui.session import cached_insights

        if self.project_path is None:
            return self.show_error(tr("need_project"))
        if reanalyse:
            return self.analyse(reanalyse=True)
        from gui.settings import engine_options

        self.run_job(Worker(cached_insights, self.project_path, fast=engine_options()["fast"]), self._cache_read)

    def _cache_read(self, insights) -> None:
        if insights is None and self.project is not None and self.project.review_count():
            self.analyse(reanalyse=False)
        else:
            self._insights_loaded(insights)

    def analyse(self, *, reanalyse: bool) -> None:
        from gui.session import open_or_analyse
        from gui.settings import engine_options

        worker = ProcessWorker(open_or_analyse, self.project_path, reanalyse=reanalyse, **engine_options())
        self.run_job(worker, self._insights_loaded, writes=True)

    def _insights_loaded(self, insights) -> None:
        if insights is None:
            self.tabs.setCurrentWidget(self.start)
            return
        self.set_insights(insights)
        self.tabs.setCurrentWidget(self.dashboard)

    def set_insights(self, insights) -> None:
        self.insights = insights
        self.dashboard.set_insights(insights)
        self.browser.set_insights(insights)
        if self.project is not None:
            self.update_status()
            from gui.session import source_names

            self.browser.set_sources(source_names(self.project, insights.reviews))

    def show_reviews(self, filt: dict) -> None:
        self.browser.apply_filter(filt)
        self.tabs.setCurrentWidget(self.browser)

    def show_error(self, message: str) -> None:
        from gui.messages import show_error

        show_error(self, message)
        self.last_error = message

    # -- dialogs -----------------------------------------------------------------------
    def _dialog(self, dialog: QWidget) -> QWidget:
        self.dialogs = [d for d in self.dialogs if d.isVisible()]
        self.dialogs.append(dialog)
        key = f"geometry/{dialog.objectName() or type(dialog).__name__}"
        geometry = setting(key, None)
        if isinstance(geometry, QByteArray):
            dialog.restoreGeometry(geometry)
        if hasattr(dialog, "finished"):  # QDialog / QWizard: remember where the user put it
            dialog.finished.connect(lambda _=0, d=dialog, k=key: set_setting(k, d.saveGeometry()))
        dialog.show()
        return dialog

    def start_import(self, source: Path | None):
        from gui.import_wizard import ImportWizard

        if self.project is None:
            if source is None:
                return self.show_error(tr("need_project"))
            base = projects_dir() / f"{source.stem}.rlproj"
            path, n = base, 2
            while path.exists():
                path, n = base.with_name(f"{source.stem}-{n}.rlproj"), n + 1
            if not self.new_project(path):
                return None
        self.job.cancel_and_wait()
        wizard = ImportWizard(self, self.project_path, source, parent=self)
        wizard.analysed.connect(self._imported)
        return self._dialog(wizard)

    def _imported(self, insights) -> None:
        self.set_insights(insights)
        self.tabs.setCurrentWidget(self.dashboard)

    def export_dialog(self):
        from gui.export_dialog import ExportDialog

        if self.insights is None:
            return self.show_error(tr("need_analysis"))
        return self._dialog(ExportDialog(self.insights, self.project_path, parent=self))

    def training_wizard(self):
        from gui.training_wizard import TrainingWizard

        if self.project is None:
            return self.show_error(tr("need_project"))
        return self._dialog(TrainingWizard(self, parent=self))

    def model_manager(self):
        from gui.model_manager import ModelManager

        return self._dialog(ModelManager(parent=self, project=self.project_path))

    def tasks_dialog(self):
        from gui.tasks_dialog import TasksDialog

        if self.project is None:
            return self.show_error(tr("need_project"))
        dialog = TasksDialog(self, parent=self)
        dialog.task_added.connect(lambda _: self.labeling.refresh_tasks())
        return self._dialog(dialog)

    def guide_dialog(self):
        from gui.help_dialog import GuideDialog

        return self._dialog(GuideDialog(parent=self))

    def about(self):
        from gui.help_dialog import about_box

        return about_box(self)

    def labels_dialog(self):
        from gui.labels_dialog import LabelsDialog

        if self.project is None:
            return self.show_error(tr("need_project"))
        dialog = LabelsDialog(self.project, parent=self)
        dialog.changed.connect(self.labeling.refresh_counts)
        return self._dialog(dialog)

    def settings_dialog(self):
        from gui.session import last_device
        from gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self, device_in_use=last_device())
        dialog.accepted.connect(lambda: self.apply_settings(dialog))
        return self._dialog(dialog)

    def apply_settings(self, dialog) -> None:
        from gui.i18n import language

        before = language()
        dialog.save()
        set_language(setting("ui/language", before))
        if language() != before:
            self.build()

    # -- window ------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and any(Path(u.toLocalFile()).suffix.lower() in SHEET_SUFFIXES for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in SHEET_SUFFIXES:
                self.start_import(path)
                event.acceptProposedAction()
                return

    def busy_writing(self) -> bool:
        """An analysis, import, training or export is running (quitting would throw it away)."""
        if self.job.busy and isinstance(self.job.worker, ProcessWorker):
            return True
        return any(getattr(d, "job", None) is not None and d.job.busy for d in self.dialogs if d.isVisible())

    def closeEvent(self, event) -> None:  # noqa: N802
        from gui.messages import confirm

        if self.busy_writing() and not confirm(self, tr("quit"), tr("confirm_quit_busy")):
            event.ignore()
            return
        for dialog in self.dialogs:
            if hasattr(dialog, "shutdown"):
                dialog.shutdown()
            dialog.close()
        self.labeling.job.cancel_and_wait()
        self.job.cancel_and_wait()
        set_setting("geometry/main", self.saveGeometry())
        self.close_project()
        super().closeEvent(event)
