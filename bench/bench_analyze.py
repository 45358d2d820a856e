"""End-to-end throughput and peak RSS: import a CSV of real reviews, analyse, write the report.

Usage: .venv/bin/python bench/bench_analyze.py [--n 10000] [--threads 2] [--model DIR]

Reviews come from /work/shared/data/reviews_zh/online_shopping_5cats.csv (sampled with a
fixed seed, given ratings 5/1 from the labels and dates spread over a year) and are
written to a temporary CSV, so the figure includes the importer, the model (review and
clause level), intents, topics and the Excel report.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis.insights import analyze_table  # noqa: E402
from core.engine import load_engine  # noqa: E402
from core.importer import read_reviews  # noqa: E402
from core.report import write_report  # noqa: E402

SOURCE = Path("/work/shared/data/reviews_zh/online_shopping_5cats.csv")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model")
    args = ap.parse_args()
    data = pd.read_csv(SOURCE)
    data = data.sample(n=args.n, replace=args.n > len(data), random_state=0).reset_index(drop=True)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"评价内容": data["review"], "评分": np.where(data["label"] == 1, 5, 1),
                          "评价时间": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, len(data)),
                                                                            unit="D")).strftime("%Y-%m-%d"),
                          "商品名称": data["cat"]})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "reviews.csv"
        frame.to_csv(src, index=False, encoding="utf-8-sig")
        engine = load_engine(args.model, device="cpu", threads=args.threads)
        times = {}
        t0 = time.perf_counter()
        table = read_reviews(src)
        times["import"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        ins = analyze_table(table, engine)
        times["analyse"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        write_report(ins, Path(tmp) / "report.xlsx", lang="zh")
        times["report"] = time.perf_counter() - t2
        total = time.perf_counter() - t0
    n = len(ins.reviews)
    print(f"model {engine.version} ({engine.provider}), {args.threads} threads, {n:,} reviews, "
          f"{ins.method['unique_texts']:,} unique, {ins.method['clauses_scored']:,} clauses scored")
    for k, v in times.items():
        print(f"  {k:8s} {v:7.1f} s")
    print(f"  total    {total:7.1f} s  -> {n / total:.0f} reviews/s end to end; peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
