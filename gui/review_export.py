"""Export the browser's filtered review list as CSV or xlsx.

Both go through core's writers, so the list is masked and made text-safe exactly like the
results CSV and the report: CSV through ``core.report.write_results_csv`` (the
``--results`` contract, personal data masked unless unticked), xlsx through
``core.report.write_report`` with only its review sheet (in a job process, like the report).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from core.errors import UserError
from gui.i18n import language, tr
from gui.messages import show_error
from gui.settings import set_setting, setting
from gui.workers import JobSlot, ProcessWorker


def filtered_insights(insights, positions: np.ndarray):
    """The same Insights with only the reviews at ``positions`` (the aggregates are kept)."""
    return dataclasses.replace(insights, reviews=insights.reviews.iloc[np.sort(positions)].reset_index(drop=True))


class ListExport(QWidget):
    """"Export list…" with a masking box (on by default, as in the report)."""

    def __init__(self, browser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = browser
        self.job = JobSlot()
        self.written: Path | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(tr("export_list"))
        self.button.setObjectName("export_list")
        self.button.clicked.connect(self.choose)
        self.mask = QCheckBox(tr("mask_short"))
        self.mask.setObjectName("export_list_mask")
        self.mask.setChecked(bool(setting("report/mask", True)))
        self.message = QLabel("")
        self.message.setObjectName("export_list_message")
        row.addWidget(self.button)
        row.addWidget(self.mask)
        row.addWidget(self.message, 1)

    def choose(self) -> None:
        if self.browser.insights is None:
            return
        folder = Path(setting("paths/list_export", "") or Path.home())
        path, _ = QFileDialog.getSaveFileName(self, tr("export_list"), str(folder / "reviews.xlsx"),
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """Write the rows passing the current filters (every one, not only those loaded)."""
        if path.suffix.lower() not in (".csv", ".xlsx"):
            path = path.with_suffix(".xlsx")
        set_setting("paths/list_export", str(path.parent))
        subset = filtered_insights(self.browser.insights, self.browser.model.index_map)
        self.written = None
        if path.suffix.lower() == ".csv":
            from core.report import write_results_csv

            try:
                write_results_csv(subset, path, mask=self.mask.isChecked())
            except UserError as exc:
                show_error(self, exc.message)
                return
            return self._done(path, len(subset.reviews))
        from gui.session import write_report_job

        worker = ProcessWorker(write_report_job, subset, path, lang=language(), mask=self.mask.isChecked(),
                               sheets=["reviews"])
        worker.signals.finished.connect(lambda p, n=len(subset.reviews): self._done(Path(p), n))
        worker.signals.failed.connect(lambda m: (self.message.setText(m), show_error(self, m)))
        self.message.setText(tr("working"))
        self.job.start(worker)

    def _done(self, path: Path, n: int) -> None:
        self.written = path
        self.message.setText(tr("list_written", n=f"{n:,}", p=path.name))
        self.message.setToolTip(str(path))
