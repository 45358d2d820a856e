"""GUI figures on a 50k-review project: start -> dashboard shown, UI stalls while analysing.

    .venv/bin/python bench/bench_gui.py [--reviews 50000] [--threads 2] [--repeat 3] [--tiny]
    .venv/bin/python bench/bench_gui.py --train quick|full [--labels 300] [--repeat 3]
      (instead: the stall while the bundled model is retrained in the job process, as the
      training wizard does it, on real labelled 水果 reviews)

1. builds a project of N reviews from the sample texts (taobao + amazon), each varied
   (clauses recombined, a numbered suffix) so none is a duplicate; analyses it once
   headless (this fills the insights cache, as the import wizard does);
2. times, in a fresh process, interpreter start -> main window -> project opened ->
   dashboard painted with the insights (cache hit: the normal reopen path);
3. re-analyses the project the way the window does (a ``ProcessWorker`` job process, the
   project held open with its lock in this process) while a 20 ms QTimer measures how late
   it fires (the UI event loop's stall), ``--repeat`` times, and prints each run and the
   median of the maxima. The stall window ends when the result has arrived (unpickled) in
   this process; showing it (``set_insights``) is timed separately.

Uses models/default when built (unless ``--tiny``), else the tiny test model (then analysis
figures are not the real model's; the UI figures still are). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _texts(n: int) -> list[str]:
    import pandas as pd

    from core.importing import read_reviews

    base = read_reviews(ROOT / "resources/samples/taobao_export.xlsx").frame["text"].tolist()
    base += pd.read_csv(ROOT / "resources/samples/amazon_export.csv")["Review Text"].dropna().astype(str).tolist()
    base = [t for t in base if t.strip()]
    clauses = [c for t in base for c in t.replace("！", "，").replace("。", "，").split("，") if len(c) > 3]
    rng = random.Random(0)
    return [f"{rng.choice(base)}，{rng.choice(clauses)}（{i}）" for i in range(n)]


def build(home: Path, n: int, threads: int, tiny: bool = False) -> Path:
    import pandas as pd

    from core.jobs import CancelToken
    from core.model import ModelStore, bundled_model_dir
    from core.project import Project
    from gui.session import import_and_analyse

    if tiny or not (bundled_model_dir() / "manifest.json").is_file():
        from tests.gui.tiny_model import build_tiny_model

        store = ModelStore()
        store.activate(store.import_folder(build_tiny_model(home / "tiny")).version)
        print("model: tiny test model" + ("" if tiny else " (models/default is not built)"))
    else:
        print("model: models/default")
    rng = random.Random(1)
    texts = _texts(n)
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    frame = pd.DataFrame({"评价内容": texts, "评分": [rng.randint(1, 5) for _ in texts],
                          "评价时间": [days[rng.randrange(365)].strftime("%Y-%m-%d") for _ in texts],
                          "宝贝名称": [f"商品{rng.randrange(12)}" for _ in texts]})
    src = home / "big.csv"
    frame.to_csv(src, index=False)
    path = home / "big.rlproj"
    Project.create(path).close()
    t = time.perf_counter()
    import_and_analyse(path, src, sheet=None, columns={}, device="cpu", threads=threads,
                       progress=lambda f, m: None, cancel=CancelToken())
    print(f"headless import + analysis of {n:,} reviews: {time.perf_counter() - t:.1f} s")
    return path


def _wait_until(pred, poll_ms: int = 5) -> None:
    """Run the event loop until ``pred()`` holds (checked every ``poll_ms``).

    Not a ``processEvents()`` busy loop: in PySide6 6.12.0 every ``processEvents`` call
    drops one reference to None (a binding refcount bug), and a few tens of thousands of
    calls, as a minutes-long analysis takes, abort the interpreter ("deallocating None").
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if pred():
        return
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(poll_ms)
    poll.timeout.connect(lambda: loop.quit() if pred() else None)
    poll.start()
    loop.exec()
    poll.stop()


def child_open(path: str) -> None:
    """Run in a fresh process: time to the dashboard shown."""
    t0 = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from gui.app import setup_application
    from gui.main_window import MainWindow

    app = QApplication([sys.argv[0]])
    setup_application(app)
    w = MainWindow()
    w.show()
    t_window = time.perf_counter()
    w.open_project(Path(path))
    _wait_until(lambda: w.insights is not None and w.tabs.currentWidget() is w.dashboard)
    w.dashboard.repaint()
    t1 = time.perf_counter()
    print(f"start -> main window shown: {t_window - t0:.2f} s (imports, QApplication, window)")
    print(f"start -> dashboard shown ({len(w.insights.reviews):,} reviews, cached insights): {t1 - t0:.2f} s")
    t = time.perf_counter()
    w.browser.apply_filter({"search": "质量"})
    print(f"review browser: search filter over all reviews: {(time.perf_counter() - t) * 1000:.0f} ms "
          f"({w.browser.model.index_map.size:,} hits)")
    t = time.perf_counter()
    w.browser.apply_filter({"aspect": "logistics", "polarity": "negative", "sentiment": "negative"})
    print(f"review browser: aspect+sentiment filter: {(time.perf_counter() - t) * 1000:.0f} ms")
    w.close()
    from gui.workers import shutdown_pools

    shutdown_pools()


def _measure(worker) -> tuple[float, list[float], list]:
    """Run ``worker`` while a 20 ms QTimer records how late it fires: (seconds, sorted
    lateness in ms, [result or None])."""
    from PySide6.QtCore import QTimer

    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 20))
        last[0] = now

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    done: list = []
    worker.signals.finished.connect(lambda r: done.append(r))
    worker.signals.failed.connect(lambda m: (print("failed:", m), done.append(None)))
    t = time.perf_counter()
    timer.start()
    last[0] = time.perf_counter()
    worker.start()
    _wait_until(lambda: bool(done), poll_ms=50)  # the event loop runs as in the app
    timer.stop()
    late.sort()
    return time.perf_counter() - t, late, done


def train_stall(mode: str, n: int, repeat: int) -> None:
    """UI lateness while the bundled model is retrained (``mode``: quick|full) on ``n`` real
    labelled 水果 reviews in the job process, as the training wizard runs it."""
    import random
    import statistics

    from PySide6.QtWidgets import QApplication

    from core.modelbuild.data import load_online_shopping, shared_data_dir
    from gui.app import setup_application
    from gui.session import train_job
    from gui.workers import ProcessWorker

    rows = [(t, "positive" if y == 2 else "negative") for c, t, y in load_online_shopping(shared_data_dir())
            if c == "水果"]
    random.Random(0).shuffle(rows)
    texts, labels = [t for t, _ in rows[:n]], [y for _, y in rows[:n]]
    app = QApplication.instance() or QApplication([sys.argv[0]])
    setup_application(app)
    maxima = []
    for run in range(repeat):
        worker = ProcessWorker(train_job, texts, labels, task="sentiment", label_names=["negative", "neutral", "positive"],
                               mode=mode)
        secs, late, _done = _measure(worker)
        maxima.append(late[-1])
        print(f"run {run + 1}: background {mode} training on {n} labels (job process): "
              f"{secs:.1f} s; UI event loop ({len(late)} ticks of a 20 ms timer): lateness max "
              f"{late[-1]:.0f} ms, p99 {late[int(len(late) * 0.99)]:.0f} ms, p50 {late[len(late) // 2]:.0f} ms")
    print(f"UI stall while training ({mode}), median of {repeat} run(s) of the max: {statistics.median(maxima):.0f} ms")
    from gui.workers import shutdown_pools

    shutdown_pools()


def stall(path: Path, threads: int, repeat: int = 1, in_thread: bool = False) -> None:
    import statistics

    from PySide6.QtWidgets import QApplication

    from core.project import Project
    from gui.app import setup_application
    from gui.session import open_or_analyse
    from gui.workers import ProcessWorker, Worker

    app = QApplication.instance() or QApplication([sys.argv[0]])
    setup_application(app)
    held = Project.open(path)  # as the window does: its handle and the lock stay for the whole job
    maxima = []
    for run in range(repeat):
        steps: list[float] = []
        # --in-thread: the old way (a pool thread of this process), for comparison
        worker = (Worker if in_thread else ProcessWorker)(open_or_analyse, path, reanalyse=True, device="cpu",
                                                          threads=threads)
        worker.signals.progress.connect(lambda f, m: steps.append(f))
        secs, late, done = _measure(worker)
        maxima.append(late[-1])
        print(f"run {run + 1}: background re-analysis ({'thread' if in_thread else 'job process'}): {secs:.1f} s, "
              f"{len(steps)} progress signals; UI event loop ({len(late)} ticks of a 20 ms timer): "
              f"lateness max {late[-1]:.0f} ms, p99 {late[int(len(late) * 0.99)]:.0f} ms, "
              f"p50 {late[len(late) // 2]:.0f} ms")
    print(f"UI stall while analysing, median of {repeat} run(s) of the max: {statistics.median(maxima):.0f} ms")
    if done and done[-1] is not None:
        from gui.dashboard import Dashboard
        from gui.review_browser import ReviewBrowser

        dash, browser = Dashboard(), ReviewBrowser()
        t = time.perf_counter()
        dash.set_insights(done[-1])
        browser.set_insights(done[-1])
        print(f"showing the result (dashboard + browser set_insights, after the job): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")
    held.close()
    from gui.workers import shutdown_pools

    shutdown_pools()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=50_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="stall runs (the median of their maxima is printed)")
    ap.add_argument("--tiny", action="store_true", help="use the tiny test model even when models/default is built")
    ap.add_argument("--in-thread", action="store_true", help="analyse on a thread of this process (the old way)")
    ap.add_argument("--stall-only", help="an existing project: skip the build and the open timing")
    ap.add_argument("--child-open")
    ap.add_argument("--train", choices=("quick", "full"), help="measure the stall while retraining instead")
    ap.add_argument("--labels", type=int, default=300, help="with --train: labelled reviews")
    args = ap.parse_args()
    if args.train:
        os.environ.setdefault("REVIEWLENS_HOME", tempfile.mkdtemp(prefix="rl-bench-gui-train-"))
        train_stall(args.train, args.labels, args.repeat)
        return 0
    if args.child_open:
        child_open(args.child_open)
        return 0
    if args.stall_only:
        stall(Path(args.stall_only), args.threads, args.repeat, args.in_thread)
        return 0
    home = Path(tempfile.mkdtemp(prefix="rl-bench-gui-"))
    os.environ["REVIEWLENS_HOME"] = str(home)
    path = build(home, args.reviews, args.threads, args.tiny)
    subprocess.run([sys.executable, __file__, "--child-open", str(path)], check=True, env=dict(os.environ))
    stall(path, args.threads, args.repeat, args.in_thread)
    print(f"project kept for --stall-only (REVIEWLENS_HOME={home}): {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
