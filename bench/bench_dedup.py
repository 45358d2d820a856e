"""Benchmark: duplicate_groups on 100k review-like texts (exact + near duplicates).

    .venv/bin/python bench/bench_dedup.py [N]

Texts are real reviews from ../shared/data/reviews_zh (all 5 categories) repeated with small
edits (one character changed, punctuation added) so that exact and near duplicates exist.
Prints seconds, duplicates found, and recall on the planted near duplicates.
"""
from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.text import duplicate_groups  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "reviews_zh" / "online_shopping_5cats.csv"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with open(DATA, encoding="utf-8-sig", newline="") as fh:
        base = list(dict.fromkeys(r["review"].strip() for r in csv.DictReader(fh) if r["review"].strip()))
    rng = random.Random(7)
    texts: list[str] = []
    planted: list[tuple[int, int]] = []  # (copy index, original index) for long near copies
    while len(texts) < n:
        k = rng.random()
        if texts and k < 0.1:
            j = rng.randrange(len(texts))
            texts.append(texts[j] + "！")
        elif texts and k < 0.2:
            j = rng.randrange(len(texts))
            t = texts[j]
            if len(t) >= 80:
                i = rng.randrange(len(t))
                planted.append((len(texts), j))
                texts.append(t[:i] + "嗯" + t[i + 1:])
            else:
                texts.append(t)
        else:
            texts.append(base[rng.randrange(len(base))])
    start = time.perf_counter()
    groups = duplicate_groups(texts)
    took = time.perf_counter() - start
    dups = sum(g is not None for g in groups)
    hit = sum(groups[c] is not None for c, _ in planted)
    print(f"texts={n:,} seconds={took:.2f} duplicates={dups:,} "
          f"near_planted={len(planted):,} near_found={hit:,} recall={hit / max(len(planted), 1):.3f}")


if __name__ == "__main__":
    main()
