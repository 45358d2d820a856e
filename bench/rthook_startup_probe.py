# PyInstaller runtime hook (see build.spec): a start-up probe for bench/bench_build.py.
#
# Does nothing unless REVIEWLENS_STARTUP_PROBE=1. Then, when the app enters the Qt event
# loop (after MainWindow.show()), it prints "reviewlens-window-shown <names>" on stdout once
# the first event-loop turn has run (the window's show and first layout are processed),
# and quits. The benchmark times process start -> that line from outside.
# It exists because gui/app.py has no such hook yet; once it does, drop this file.
import os

if os.environ.get("REVIEWLENS_STARTUP_PROBE") == "1":
    from PySide6 import QtCore, QtWidgets

    _exec = QtWidgets.QApplication.exec

    def _probe_exec():
        def shown():
            app = QtWidgets.QApplication.instance()
            names = [w.objectName() or type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()]
            print("reviewlens-window-shown " + ",".join(names), flush=True)
            app.quit()

        QtCore.QTimer.singleShot(0, shown)
        return _exec()

    QtWidgets.QApplication.exec = staticmethod(_probe_exec)
