"""Measure the built app (dist/ReviewLens): folder size, cold start of a headless analyze of
600 reviews, and time until the main window is shown. Prints figures; not a test.

    .venv/bin/python bench/bench_build.py [--app dist/ReviewLens] [--runs 3]

Every run starts from a clean environment (only PATH=/usr/bin:/bin, an empty HOME, user
data folder and TMPDIR), like a first launch on a shop's PC. "first" is the first run
with that fresh TMPDIR (jieba builds its dictionary cache then); "warm" is the median of
the following runs. CPU seconds are printed too: on a shared machine the wall time depends
on the load, the CPU time much less (the OS file cache is warm in both: dropping it needs root and would
disturb the other jobs on this machine).

Window time needs the start-up probe compiled into the build (bench/rthook_startup_probe.py,
active with REVIEWLENS_STARTUP_PROBE=1): it prints a line once the event loop has run
after MainWindow.show(); the figure is process start -> that line.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
TARGET_ANALYZE_S = 15.0
TARGET_WINDOW_S = 4.0


def folder_mb(path: Path) -> float:
    seen, total = set(), 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 1e6


def make_600(path: Path) -> Path:
    """600 reviews in the Taobao layout's columns, mixed Chinese and English, from the samples."""
    zh = pd.read_excel(SAMPLES / "taobao_export.xlsx", sheet_name="评价数据", header=1)
    jd = pd.read_csv(SAMPLES / "jd_export_gbk.csv", encoding="gbk")
    en = pd.read_csv(SAMPLES / "amazon_export.csv")
    frame = pd.concat([
        pd.DataFrame({"宝贝名称": zh["宝贝名称"], "评价时间": zh["评价时间"].astype(str), "评分": zh["评分"],
                      "评价内容": zh["评价内容"]}),
        pd.DataFrame({"宝贝名称": jd["商品名称"], "评价时间": jd["评价时间"].astype(str), "评分": jd["评分"],
                      "评价内容": jd["评价内容"]}),
        pd.DataFrame({"宝贝名称": en["Product Title"], "评价时间": en["Review Date"].astype(str),
                      "评分": en["Rating"], "评价内容": en["Review Text"]}),
    ], ignore_index=True)
    frame = pd.concat([frame] * 2, ignore_index=True).head(600)
    frame.to_excel(path, index=False, sheet_name="评价数据")
    return path


def clean_env(work: Path, **extra: str) -> dict[str, str]:
    for name in ("home", "data", "tmp"):
        (work / name).mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work / "home"), "REVIEWLENS_HOME": str(work / "data"),
           "TMPDIR": str(work / "tmp"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def time_analyze(exe: Path, src: Path, work: Path) -> tuple[float, str]:
    out = work / "report.xlsx"
    out.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "analyze", str(src), "-o", str(out), "--lang", "zh"], env=clean_env(work),
                          cwd=work, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0 or not out.is_file():
        raise SystemExit(f"analyze failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
    summary = next((ln for ln in proc.stderr.splitlines() if ln.startswith("Analysed")), "")
    return elapsed, f"CPU {cpu:.1f} s (user+sys) | {summary}"


def time_window(exe: Path, work: Path) -> float | None:
    env = clean_env(work, QT_QPA_PLATFORM="offscreen", REVIEWLENS_STARTUP_PROBE="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe)], env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("reviewlens-window-shown"):
                elapsed = time.perf_counter() - t0
                print(f"    window(s) shown: {line.split(' ', 1)[1].strip() or '(none visible)'}")
                proc.wait(timeout=30)
                return elapsed
        proc.wait(timeout=30)
        print(f"    no window line; exit {proc.returncode}; stderr: {proc.stderr.read()[-800:]}")
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", type=Path, default=ROOT / "dist" / "ReviewLens")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    exe = args.app / ("ReviewLens.exe" if sys.platform == "win32" else "ReviewLens")
    if not exe.is_file():
        print(f"no build at {exe}: run bench/build_app.sh first", file=sys.stderr)
        return 1
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) at start")
    print(f"build folder: {args.app}  {folder_mb(args.app):.0f} MB "
          f"(bundled model {folder_mb(args.app / '_internal' / 'models'):.0f} MB of it)")
    version = subprocess.run([str(exe), "--version"], env=clean_env(Path(tempfile.mkdtemp())), capture_output=True,
                             text=True).stdout.strip()
    print(f"version: {version}")

    work = Path(tempfile.mkdtemp(prefix="reviewlens-bench-"))
    src = make_600(work / "reviews_600.xlsx")
    times = []
    for i in range(args.runs):
        elapsed, summary = time_analyze(exe, src, work)
        times.append(elapsed)
        print(f"  analyze 600 run {i + 1}: {elapsed:.2f} s  | {summary}")
    warm = statistics.median(times[1:]) if len(times) > 1 else float("nan")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cold start, headless analyze of 600 reviews -> report: first {times[0]:.2f} s, warm median {warm:.2f} s "
          f"(target <= {TARGET_ANALYZE_S:.0f} s: {'met' if times[0] <= TARGET_ANALYZE_S else 'MISSED'}); "
          f"peak RSS {peak:.0f} MB")

    wtimes = []
    wwork = Path(tempfile.mkdtemp(prefix="reviewlens-bench-gui-"))
    for i in range(args.runs):
        t = time_window(exe, wwork)
        print(f"  window run {i + 1}: {'n/a' if t is None else f'{t:.2f} s'}")
        if t is not None:
            wtimes.append(t)
    if wtimes:
        print(f"time to main window (offscreen): first {wtimes[0]:.2f} s, median {statistics.median(wtimes):.2f} s "
              f"(target <= {TARGET_WINDOW_S:.0f} s: {'met' if wtimes[0] <= TARGET_WINDOW_S else 'MISSED'})")
    else:
        print("time to main window: not measured (the build has no start-up probe or the GUI did not start)")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
