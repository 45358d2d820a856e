"""GUI figures on a 50k-review project: start -> dashboard shown, UI stalls while analysing.

    .venv/bin/python bench/bench_gui.py [--reviews 50000] [--threads 2]

1. builds a project of N reviews from the sample texts (taobao + amazon), each varied
   (clauses recombined, a numbered suffix) so none is a duplicate; analyses it once
   headless (this fills the insights cache, as the import wizard does);
2. times, in a fresh process, interpreter start -> main window -> project opened ->
   dashboard painted with the insights (cache hit: the normal reopen path);
3. re-analyses the project on the heavy worker while a 20 ms QTimer measures how late it
   fires (the UI event loop's stall), and times a search filter over all N reviews.

Uses models/default when built, else the tiny test model (then analysis figures are not
the real model's; the UI figures still are). Prints figures; asserts nothing.
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

    from core.importer import read_reviews

    base = read_reviews(ROOT / "resources/samples/taobao_export.xlsx").frame["text"].tolist()
    base += pd.read_csv(ROOT / "resources/samples/amazon_export.csv")["Review Text"].dropna().astype(str).tolist()
    base = [t for t in base if t.strip()]
    clauses = [c for t in base for c in t.replace("！", "，").replace("。", "，").split("，") if len(c) > 3]
    rng = random.Random(0)
    return [f"{rng.choice(base)}，{rng.choice(clauses)}（{i}）" for i in range(n)]


def build(home: Path, n: int, threads: int) -> Path:
    import pandas as pd

    from core.engine import bundled_model_dir
    from core.jobs import CancelToken
    from core.model_store import ModelStore
    from core.project import Project
    from gui.session import import_and_analyse

    if not (bundled_model_dir() / "manifest.json").is_file():
        from tests.gui.tiny_model import build_tiny_model

        store = ModelStore()
        store.activate(store.import_folder(build_tiny_model(home / "tiny")).version)
        print("model: tiny test model (models/default is not built)")
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
    while w.insights is None or w.tabs.currentWidget() is not w.dashboard:
        app.processEvents()
        time.sleep(0.005)
    w.dashboard.repaint()
    app.processEvents()
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


def stall(path: Path, threads: int) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import setup_application
    from gui.session import open_or_analyse
    from gui.workers import Worker

    app = QApplication.instance() or QApplication([sys.argv[0]])
    setup_application(app)
    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 20))
        last[0] = now

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    worker = Worker(open_or_analyse, path, reanalyse=True, device="cpu", threads=threads)
    done = []
    worker.signals.finished.connect(lambda _: done.append(1))
    worker.signals.failed.connect(lambda m: (print("failed:", m), done.append(1)))
    steps = []
    worker.signals.progress.connect(lambda f, m: steps.append(f))
    t = time.perf_counter()
    timer.start()
    last[0] = time.perf_counter()
    worker.start()
    while not done:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    late.sort()
    print(f"background re-analysis: {time.perf_counter() - t:.1f} s, {len(steps)} progress signals")
    print(f"UI event loop while analysing ({len(late)} ticks of a 20 ms timer): lateness max {late[-1]:.0f} ms, "
          f"p99 {late[int(len(late) * 0.99)]:.0f} ms, p50 {late[len(late) // 2]:.0f} ms")
    from gui.workers import shutdown_pools

    shutdown_pools()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=50_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child-open")
    args = ap.parse_args()
    if args.child_open:
        child_open(args.child_open)
        return 0
    home = Path(tempfile.mkdtemp(prefix="rl-bench-gui-"))
    os.environ["REVIEWLENS_HOME"] = str(home)
    path = build(home, args.reviews, args.threads)
    subprocess.run([sys.executable, __file__, "--child-open", str(path)], check=True, env=dict(os.environ))
    stall(path, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
