"""Screenshots of every ReviewLens screen in both interface languages, under a real X server.

    .venv/bin/python bench/screenshots.py OUT_DIR [--rows 250]

Starts Xvfb (unless DISPLAY is already set), builds a sample project from
resources/samples/taobao_export.xlsx in a throw-away REVIEWLENS_HOME, and saves
``<lang>-<screen>.png`` to OUT_DIR. Uses models/default when it is built, else the tiny
test model (tests/gui/tiny_model.py), so figures on the screens are only illustrative then.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _with_xvfb(argv: list[str]) -> int:
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1440x960x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        return subprocess.call([sys.executable, __file__, *argv], env=env)
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=250)
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        return _with_xvfb(sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="rl-shots-"))
    os.environ["REVIEWLENS_HOME"] = str(home)

    from PySide6.QtWidgets import QApplication

    from core.jobs import CancelToken
    from core.model import bundled_model_dir
    from core.project import Project
    from gui.app import setup_application
    from gui.i18n import set_language
    from gui.settings import set_setting

    app = QApplication([sys.argv[0]])
    setup_application(app)
    print("font:", app.font().family())
    if not (bundled_model_dir() / "manifest.json").is_file():
        from tests.gui.tiny_model import build_tiny_model

        os.environ["REVIEWLENS_DEFAULT_MODEL"] = str(build_tiny_model(home / "tiny"))
        print("models/default not built: using the tiny test model")
    set_setting("engine/threads", 2)
    sample = ROOT / "resources" / "samples" / "taobao_export.xlsx"
    project_path = home / "projects" / "taobao.rlproj"
    project_path.parent.mkdir(parents=True, exist_ok=True)
    Project.create(project_path).close()
    from gui.session import import_and_analyse

    insights = import_and_analyse(project_path, sample, sheet=None, columns={}, device="cpu", threads=2,
                                  progress=lambda f, m: None, cancel=CancelToken())
    r = insights.reviews
    with Project.open(project_path) as project:  # some labels so training has something to show
        pairs = [(int(i), lab) for lab in ("negative", "positive", "neutral")
                 for i in r[(r["sentiment"] == lab) & r["review_id"].notna()]["review_id"].head(15)]
        project.set_labels("sentiment", pairs)
    from gui.settings import add_recent

    add_recent(project_path)

    def wait(pred, timeout=120.0):
        # an event loop, not a processEvents() busy loop: PySide6 6.12.0 drops a reference to
        # None on every processEvents call, and a long wait (training) aborts the interpreter
        from PySide6.QtCore import QEventLoop, QTimer

        end = time.monotonic() + timeout
        loop, poll = QEventLoop(), QTimer()
        poll.setInterval(50)
        poll.timeout.connect(lambda: loop.quit() if pred() or time.monotonic() > end else None)
        poll.start()
        if not pred():
            loop.exec()
        poll.stop()
        app.processEvents()

    def shot(widget, name: str, lang: str) -> None:
        for _ in range(5):
            app.processEvents()
            time.sleep(0.03)
        path = args.out / f"{lang}-{name}.png"
        widget.grab().save(str(path))
        print("saved", path)

    from gui.main_window import MainWindow

    for lang in ("zh", "en"):
        set_setting("ui/language", lang)
        set_language(lang)
        w = MainWindow()
        w.resize(1360, 880)
        w.show()
        shot(w, "01-start", lang)
        w.open_project(project_path)
        wait(lambda: w.insights is not None)
        shot(w, "02-dashboard", lang)
        neg = w.insights.aspects.sort_values("negative").iloc[-1]["aspect"]
        w.show_reviews({"aspect": neg, "polarity": "negative"})
        w.browser.view.selectRow(0)
        shot(w, "03-reviews", lang)
        w.tabs.setCurrentWidget(w.labeling)
        w.labeling.load_queue()
        wait(lambda: not w.labeling.queue.empty)
        shot(w, "04-labelling", lang)
        w.labeling.task.setCurrentIndex(w.labeling.task.findData("aspects"))
        w.labeling.load_queue()
        w.labeling.next()  # the second mention: the first one's term is marked lightly too
        shot(w, "04b-aspect-labelling", lang)
        topics = w.insights.fix_list[w.insights.fix_list["kind"] == "topic"]
        if len(topics):  # the browser behind a what-to-fix topic
            w.show_reviews({"topic": int(topics["topic"].iat[0]), "sentiment": "negative"})
            shot(w, "03b-reviews-topic", lang)
        wiz = w.start_import(sample)
        wiz.next()
        wait(lambda: wiz.columns_page.result is not None)
        shot(wiz, "05-import-columns", lang)
        wiz.reject()
        tw = w.training_wizard()
        tw.next()
        shot(tw, "06-train-balance", lang)
        tw.next()
        tw.next()
        wait(lambda: tw.currentPage() is tw.results_page, 300)
        shot(tw, "07-train-results", lang)
        tw.discard()
        tw.accept()
        shot(w.model_manager(), "08-models", lang)
        shot(w.export_dialog(), "09-export", lang)
        shot(w.settings_dialog(), "10-settings", lang)
        shot(w.tasks_dialog(), "11-tasks", lang)
        for d in list(w.dialogs):
            d.close()
        w.close()
        app.processEvents()
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
