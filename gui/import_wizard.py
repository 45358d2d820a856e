"""Import wizard: file and sheet -> columns (preview, detected roles, counts) -> analyse.

Preview and counts run on the light pool; the analysis (read, analyse, store) runs in a
job process (``ProcessWorker``) with progress, ETA and Cancel. The wizard never touches
the open Project: the job opens the file itself while the host window keeps its handle
and the project lock (see gui/workers.py); ``host.refresh_project`` shows the new counts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget, QWizard, QWizardPage)

from gui.messages import confirm, show_error
from gui.settings import import_folder, set_setting
from gui.i18n import tr
from gui.workers import Eta, JobSlot, ProcessWorker, Worker, light_pool, percent, progress_line

ROLES = ("text", "rating", "date", "product", "sku", "followup", "reply")  # read_reviews takes each as an override


def _preview_job(path: str, sheet: str | None, *, progress, cancel):  # noqa: ARG001
    from core.importing import list_sheets, preview

    return list_sheets(path), preview(path, sheet=sheet, n=20)


def _count_job(path: str, sheet: str | None, columns: dict[str, str | None], *, progress, cancel):
    from core.text import duplicate_groups, is_placeholder
    from gui.session import read_table

    table = read_table(path, sheet=sheet, columns=columns, progress=progress, cancel=cancel)
    texts = table.frame["text"].fillna("").astype(str).tolist()
    empty = sum(1 for t in texts if not t.strip())
    placeholder = sum(1 for t in texts if t.strip() and is_placeholder(t))
    cancel.check()
    dup = sum(1 for d in duplicate_groups(texts) if d is not None)
    return {"rows": len(texts), "empty": empty, "dup": dup, "ph": placeholder, "table": table,
            "columns": dict(columns)}


def import_note(note: str) -> str:
    """core.importing.reader's note (English) in the interface language; "" for the title-rows note,
    which this page already says in its own line (``title_rows``)."""
    import re

    if " treated as title rows" in note:
        return ""
    found = re.match(r"date column '(.*)': only ([\d,]+) of ([\d,]+) filled cells are dates", note)
    if found:
        return tr("date_note", c=found.group(1), ok=found.group(2), n=found.group(3))
    return note


class FilePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("pick_file"))
        self.setSubTitle(tr("pick_file_sub"))
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("import_path")
        self.path.textChanged.connect(self._path_changed)
        browse = QPushButton(tr("browse"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(tr("file"), row)
        self.sheet = QComboBox()
        self.sheet.setObjectName("import_sheet")
        self.sheet.addItem(tr("auto"), None)
        form.addRow(tr("sheet"), self.sheet)
        self.registerField("path*", self.path)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("pick_file"), str(self.start_folder()), tr("sheet_filter"))
        if path:
            self.path.setText(path)

    def start_folder(self) -> Path:
        """Where the file dialog opens: the chosen file's folder, else the last import folder,
        else Documents (never the projects folder, which holds no spreadsheets)."""
        current = Path(self.path.text())
        if self.path.text() and current.parent.is_dir():
            return current.parent
        return import_folder()

    def _path_changed(self, text: str) -> None:
        self.sheet.clear()
        self.sheet.addItem(tr("auto"), None)
        p = Path(text)
        if p.is_file() and p.suffix.lower() in (".xlsx", ".xls"):
            try:
                from core.importing import list_sheets

                for name in list_sheets(p):  # names only: fast even for big workbooks (read-only open)
                    self.sheet.addItem(name, name)
            except Exception:  # noqa: BLE001 - the preview page reports the real problem
                pass

    def validatePage(self) -> bool:  # noqa: N802
        path = Path(self.path.text())
        if path.is_file():
            set_setting("paths/import", str(path.parent))
            return True
        return False


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("columns_title"))
        self.setSubTitle(tr("columns_sub"))
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.combos: dict[str, QComboBox] = {}
        for i, role in enumerate(ROLES):
            combo = QComboBox()
            combo.setObjectName(f"role_{role}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self.combos[role] = combo
            combo.currentIndexChanged.connect(lambda _: self._recount.start())
            grid.addWidget(QLabel(tr(f"role_{role}")), i // 3, (i % 3) * 2)
            grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
        layout.addLayout(grid)
        self.title_rows = QLabel("")
        self.title_rows.setObjectName("import_title_rows")
        self.title_rows.setWordWrap(True)
        layout.addWidget(self.title_rows)
        self.counts = QLabel(tr("counting"))
        self.counts.setObjectName("import_counts")
        self.counts.setWordWrap(True)  # a long note must wrap, not run off the page
        layout.addWidget(self.counts)
        layout.addWidget(QLabel(tr("preview")))
        self.table = QTableWidget()
        self.table.setObjectName("import_preview")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self._recount = QTimer(self, singleShot=True, interval=300)
        self._recount.timeout.connect(self._count)
        self.job = JobSlot()
        self.count_job = JobSlot()
        self.result: dict[str, Any] | None = None
        self.loaded = False

    def initializePage(self) -> None:  # noqa: N802
        self.loaded = False
        self.result = None
        self.table.clear()
        self.title_rows.setText("")
        self.counts.setText(tr("counting"))
        worker = Worker(_preview_job, self.wiz.path(), self.wiz.sheet())
        worker.signals.finished.connect(self._previewed)
        worker.signals.failed.connect(self._failed)
        self.job.start(worker, light_pool())

    def _failed(self, message: str) -> None:
        self.counts.setText(message)
        show_error(self, message)

    def _previewed(self, result) -> None:
        _, (columns, rows, guesses, header_row) = result
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        # the importer skips title rows above the header it found: say so, the preview starts under it
        above = header_row - 1
        self.title_rows.setText("" if above < 1 else tr("title_row") if above == 1 else
                                tr("title_rows", n=above, h=header_row))
        for role, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(tr("none_col"), None)
            g = guesses.get(role)
            for col in columns:
                conf = f" ({g.confidence:.0%})" if g is not None and g.column == col else ""
                combo.addItem(col + conf, col)
            if g is not None and g.column is not None:
                combo.setCurrentIndex(combo.findData(g.column))
            combo.blockSignals(False)
        self.loaded = True
        self.completeChanged.emit()
        self._count()

    def columns(self) -> dict[str, str | None]:
        return {role: self.combos[role].currentData() for role in ROLES}

    def _count(self) -> None:
        if not self.loaded:
            return
        self.counts.setText(tr("counting"))
        worker = Worker(_count_job, self.wiz.path(), self.wiz.sheet(), self.columns())
        worker.signals.finished.connect(self._counted)
        worker.signals.failed.connect(self.counts.setText)
        self.count_job.start(worker, light_pool())

    def _counted(self, result: dict) -> None:
        self.result = result
        text = tr("counts", rows=f"{result['rows']:,}", empty=result["empty"], dup=result["dup"], ph=result["ph"])
        # what was read but is likely wrong (a date column without dates): the owner can fix it here
        notes = [import_note(n) for n in getattr(result["table"], "warnings", [])]
        self.counts.setText("\n".join([text, *(f"⚠ {n}" for n in notes if n)]))

    def isComplete(self) -> bool:  # noqa: N802
        return self.loaded and self.combos["text"].currentData() is not None

    def cleanupPage(self) -> None:  # noqa: N802
        self.job.cancel()
        self.count_job.cancel()


class AnalysePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("analyse_title"))
        self.setSubTitle(tr("analyse_sub"))
        layout = QVBoxLayout(self)
        self.start = QPushButton(tr("start_analysis"))
        self.start.setObjectName("analyse_button")
        self.start.clicked.connect(self.run)
        layout.addWidget(self.start)
        self.bar = QProgressBar()
        self.bar.setObjectName("analyse_progress")
        self.bar.setRange(0, 100)
        layout.addWidget(self.bar)
        self.message = QLabel("")
        self.message.setObjectName("analyse_message")
        layout.addWidget(self.message)
        self.cancel = QPushButton(tr("busy_cancel"))
        self.cancel.setObjectName("analyse_cancel")
        self.cancel.setEnabled(False)
        self.cancel.clicked.connect(lambda: self.wiz.confirm_stop() and self.wiz.job.cancel())
        layout.addWidget(self.cancel)
        layout.addStretch(1)
        self.done = False

    def run(self) -> None:
        from gui.session import import_and_analyse
        from gui.settings import engine_options

        columns = self.wiz.columns_page.columns()
        counted = self.wiz.columns_page.result
        table = counted["table"] if counted and counted["columns"] == columns else None
        worker = ProcessWorker(import_and_analyse, self.wiz.project_path, Path(self.wiz.path()), sheet=self.wiz.sheet(),
                        columns=columns, table=table, **engine_options())
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(self._cancelled)
        self.eta = Eta()
        self.start.setEnabled(False)
        self.cancel.setEnabled(True)
        self.wiz.button(QWizard.WizardButton.BackButton).setEnabled(False)  # no column changes mid-import
        self.wiz.job.start(worker)

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(percent(fraction))
        self.message.setText(progress_line(fraction, message, self.eta))

    def _end(self) -> None:
        self.cancel.setEnabled(False)
        self.wiz.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.wiz.host.refresh_project()

    def _finished(self, insights) -> None:
        self._end()
        self.done = True
        self.bar.setValue(100)
        from gui.dashboard import counts_text

        self.message.setText(tr("analysed_n", counts=counts_text(insights)))
        self.completeChanged.emit()
        self.wiz.analysed.emit(insights)

    def _failed(self, message: str) -> None:
        self._end()
        self.start.setEnabled(True)
        self.message.setText(message)
        show_error(self, message)

    def _cancelled(self) -> None:
        self._end()
        self.start.setEnabled(True)
        self.bar.reset()  # no "0 %" next to "Cancelled"
        self.message.setText(tr("cancelled"))

    def isComplete(self) -> bool:  # noqa: N802
        return self.done


class ImportWizard(QWizard):
    """``analysed(insights)`` is emitted when the reviews are stored and analysed."""

    analysed = Signal(object)

    def __init__(self, host: Any, project_path: Path, source: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.project_path = host, Path(project_path)
        self.job = JobSlot()
        self.setWindowTitle(tr("import_title"))
        self.setObjectName("import_wizard")
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.analyse_page = AnalysePage(self)
        for page in (self.file_page, self.columns_page, self.analyse_page):
            self.addPage(page)
        self.resize(900, 620)
        if source is not None:
            self.file_page.path.setText(str(source))

    def path(self) -> str:
        return self.file_page.path.text()

    def sheet(self) -> str | None:
        return self.file_page.sheet.currentData()

    def confirm_stop(self) -> bool:
        """True when nothing runs, or the owner agrees to stop the import that does."""
        return not self.job.busy or confirm(self, tr("import_title"), tr("confirm_cancel_import"))

    def reject(self) -> None:  # Cancel, Esc and the window's close button all come here
        if not self.confirm_stop():
            return
        self.shutdown()
        super().reject()

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.shutdown()
        super().done(result)

    def shutdown(self) -> None:
        """Cancel and wait for every job this wizard started."""
        self.columns_page.job.cancel_and_wait()
        self.columns_page.count_job.cancel_and_wait()
        self.job.cancel_and_wait()
