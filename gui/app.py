"""Desktop entry: ``run_app(argv) -> int`` (``main.py`` calls it when no subcommand is given)."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

from gui.crash_log import write_crash_log

_CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC",
              "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback")


_boxes: list = []


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Unhandled exception in a slot: log it, show a dialog, keep running (never vanish)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    from core.errors import UserError

    if isinstance(exc, UserError):  # a core error that escaped a slot: still one line, no traceback
        _show(exc.message)
        return
    try:
        path = write_crash_log(kind, exc, tb)
    except OSError:
        path = Path("?")
    traceback.print_exception(kind, exc, tb)
    from gui.i18n import tr

    _show(tr("crash_text", path=path))


def _show(message: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return
    from gui.i18n import tr

    box = QMessageBox(QMessageBox.Icon.Critical, tr("error"), message)
    box.setObjectName("crash_dialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _boxes.append(box)  # keep it alive while shown; never block: the app stays usable
    box.finished.connect(lambda _=0, b=box: _boxes.remove(b) if b in _boxes else None)
    box.show()


def install_excepthook() -> None:
    sys.excepthook = _excepthook


def pick_font(app) -> str:
    """Keep the default font if it draws Chinese, else switch to an installed CJK family."""
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    font = app.font()
    if QFontMetrics(font).inFontUcs4(ord("评")) and font.family() in QFontDatabase.families(
            QFontDatabase.WritingSystem.SimplifiedChinese):
        return font.family()
    available = set(QFontDatabase.families())
    for family in _CJK_FONTS:
        if family in available:
            chosen = QFont(family, font.pointSize() if font.pointSize() > 0 else 10)
            app.setFont(chosen)
            return family
    zh = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if zh:
        app.setFont(QFont(zh[0], font.pointSize() if font.pointSize() > 0 else 10))
        return zh[0]
    return font.family()


def setup_application(app) -> None:
    """Names for QSettings, settings location, language, font (also used by tests)."""
    from gui.i18n import init_language
    from gui.settings import configure_settings

    app.setApplicationName("ReviewLens")
    app.setOrganizationName("ReviewLens")
    app.setOrganizationDomain("reviewlens.local")
    configure_settings()
    init_language()
    pick_font(app)


def run_app(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    setup_application(app)
    install_excepthook()
    from gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    for arg in argv:  # a project or spreadsheet given on the command line
        if arg.endswith(".rlproj"):
            window.open_project(Path(arg))
        elif Path(arg).suffix.lower() in (".xlsx", ".xls", ".csv", ".tsv", ".txt"):
            window.start_import(Path(arg))
    code = int(app.exec())
    from gui.workers import shutdown_pools

    shutdown_pools()
    return code
