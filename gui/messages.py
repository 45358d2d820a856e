"""Non-blocking message boxes (``open()``, never ``exec()``): the event loop keeps running,
jobs keep reporting, and tests can see and close them."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from gui.i18n import tr


def show_error(parent: QWidget | None, message: str) -> QMessageBox:
    """A core ``UserError`` (or job failure) as a dialog with its one-line message."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr("error"), message, parent=parent)
    box.setObjectName("error_dialog")
    box.open()
    return box


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask Yes/No (default No) before something that cannot be undone or throws work away."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
