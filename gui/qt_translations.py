"""Qt's own translations (``qtbase_<locale>.qm``) for the strings Qt draws itself:
wizard and dialog buttons (< Back, Next >, Cancel, Finish, OK, Yes, No), file dialogs."""
from __future__ import annotations

_installed: list = []


def install_qt_translations(lang: str) -> bool:
    """Qt's own strings (wizard and dialog buttons: < Back, Next >, Cancel, OK, Yes, No) in
    ``lang``: ``qtbase_zh_CN`` from Qt's translations folder for Chinese, none for English.
    Returns True when a catalogue was installed. Needs a QCoreApplication (else a no-op)."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang != "zh":
        return False
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load("qtbase_zh_CN", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
