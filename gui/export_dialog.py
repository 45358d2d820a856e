"""Export dialog: the Excel insight report (language, masking, sheets); open/reveal when done."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
                               QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton, QWidget)

from core.report import SHEETS
from gui.messages import confirm, show_error
from gui.i18n import language, tr
from gui.settings import set_setting, setting
from gui.workers import JobSlot, ProcessWorker, percent, progress_line


class ExportDialog(QDialog):
    def __init__(self, insights, project_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.insights = insights
        self.job = JobSlot()
        self.written: Path | None = None
        self.setWindowTitle(tr("export_title"))
        self.setObjectName("export_dialog")
        form = QFormLayout(self)
        self.lang = QComboBox()
        self.lang.setObjectName("report_lang")
        self.lang.addItem("简体中文", "zh")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(0 if language() == "zh" else 1)
        form.addRow(tr("report_lang"), self.lang)
        self.mask = QCheckBox(tr("mask"))
        self.mask.setObjectName("report_mask")
        self.mask.setChecked(bool(setting("report/mask", True)))
        form.addRow("", self.mask)
        grid = QGridLayout()
        self.sheets: dict[str, QCheckBox] = {}
        from core.report import TEXT

        for i, key in enumerate(SHEETS):
            # "&" in a Qt label marks a mnemonic ("Topics & keywords" showed "Topics _keywords"): "&&" is a literal &
            box = QCheckBox(TEXT[language()].get(key, key).replace("&", "&&"))
            box.setObjectName(f"sheet_{key}")
            box.setChecked(True)
            self.sheets[key] = box
            grid.addWidget(box, i // 3, i % 3)
        form.addRow(tr("sheets"), grid)
        stem = project_path.stem if project_path else "reviews"
        folder = Path(setting("paths/export", "") or (project_path.parent if project_path else Path.home()))
        row = QHBoxLayout()
        self.path = QLineEdit(str(folder / f"{stem}-report.xlsx"))
        self.path.setObjectName("report_path")
        browse = QPushButton(tr("browse"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(tr("save_as"), row)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        form.addRow(self.bar)
        self.message = QLabel("")
        self.message.setObjectName("export_message")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        buttons = QHBoxLayout()
        self.export_button = QPushButton(tr("export"))
        self.export_button.setObjectName("export_button")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.open_button = QPushButton(tr("open_file"))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written))))
        self.folder_button = QPushButton(tr("show_folder"))
        self.folder_button.setEnabled(False)
        self.folder_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written.parent))))
        close = QPushButton(tr("close"))
        close.clicked.connect(self.close)
        for b in (self.export_button, self.open_button, self.folder_button, close):
            buttons.addWidget(b)
        form.addRow(buttons)

    def _browse(self) -> None:
        # no overwrite question here: export() asks once, for a typed path too
        path, _ = QFileDialog.getSaveFileName(self, tr("save_as"), self.path.text(), "Excel (*.xlsx)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.path.setText(path if path.endswith(".xlsx") else path + ".xlsx")

    def export(self) -> None:
        from gui.session import write_report_job

        target = Path(self.path.text())
        if target.exists() and not confirm(self, tr("export_title"), tr("confirm_overwrite", p=target.name)):
            return
        set_setting("paths/export", str(target.parent))
        sheets = [k for k, b in self.sheets.items() if b.isChecked()]
        worker = ProcessWorker(write_report_job, self.insights, target, lang=self.lang.currentData(),
                        mask=self.mask.isChecked(), sheets=sheets)
        worker.signals.progress.connect(lambda f, m: (self.bar.setValue(percent(f)),
                                                      self.message.setText(progress_line(f, m))))
        worker.signals.finished.connect(self._done)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(lambda: (self.export_button.setEnabled(True), self.bar.reset(),
                                                  self.message.setText(tr("cancelled"))))
        self.export_button.setEnabled(False)
        self.job.start(worker)

    def _done(self, path: Path) -> None:
        self.written = Path(path)
        self.bar.setValue(100)
        self.message.setText(tr("written", p=path))
        self.export_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.folder_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(message)
        show_error(self, message)

    def shutdown(self) -> None:
        self.job.cancel_and_wait()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)
