"""Start page: new project, open project, recent projects, drop hint."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from gui.i18n import tr
from gui.settings import recent_projects


class StartPage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    recent_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        title = QLabel(tr("start_title"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        hint = QLabel(tr("start_hint"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = QHBoxLayout()
        self.new_button = QPushButton(tr("new_project"))
        self.new_button.setObjectName("new_project")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button = QPushButton(tr("open_project"))
        self.open_button.setObjectName("open_project")
        self.open_button.clicked.connect(self.open_requested)
        for b in (self.new_button, self.open_button):
            b.setMinimumHeight(40)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel(tr("recent")))
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.recent, 1)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        items = recent_projects()
        for path in items:
            item = QListWidgetItem(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not items:
            item = QListWidgetItem(tr("recent_empty"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
