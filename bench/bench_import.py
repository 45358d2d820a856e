"""Benchmark: read_reviews on a generated 100k-row .xlsx and .csv (time and peak memory).

    .venv/bin/python bench/bench_import.py [ROWS]
"""
from __future__ import annotations

import csv
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.importing import read_reviews  # noqa: E402

TEXTS = ["质量很好，物流也快，下次还来", "苹果很甜，个头也大，家人都喜欢", "屏幕有点暗，电池一般般，但是价格便宜",
         "Great shirt, fits perfectly and the fabric is soft", "Arrived late and the size was wrong"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as d:
        x, c = Path(d) / "big.xlsx", Path(d) / "big.csv"
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("评价数据")
        ws.append(["淘宝评价导出 2026-03-01"])
        header = ["订单编号", "评价时间", "评分", "评价内容", "追评内容"]
        ws.append(header)
        rows = [[f"38{i:014d}", dt.datetime(2026, 1, 1) + dt.timedelta(minutes=i), ["好评", "中评", "差评"][i % 3],
                 f"{TEXTS[i % 5]} #{i}", "" if i % 7 else "追评：还不错"] for i in range(n)]
        for r in rows:
            ws.append(r)
        wb.save(x)
        with open(c, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header] + rows)
        del rows
        for p in (x, c):
            start = time.perf_counter()
            t = read_reviews(p)
            took = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{p.suffix}: rows={len(t.frame):,} size={p.stat().st_size / 2**20:.1f} MB "
                  f"seconds={took:.1f} peak_rss_so_far={peak:.0f} MB")


if __name__ == "__main__":
    main()
