"""Property test: on any CSV/XLSX content the importer returns a ReviewTable or raises UserError.

Hypothesis generates 150 CSV-like files (random cells, delimiters, encodings, raw byte
noise) and 40 XLSX workbooks (random cell types, merges, sheets), plus damaged zips.
Nothing else may escape: no KeyError, no UnicodeError, no pandas error.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.errors import UserError
from core.importing import ROLES, ReviewTable, preview, read_reviews

HEADERS = ["评价内容", "评分", "评价时间", "追评内容", "商家回复", "宝贝名称", "Review Text", "Rating", "Date",
           "body", "title", "订单编号", "", "x"]
WORDS = ["好评", "差评", "★★★☆☆", "4.0 out of 5 stars", "2026/3/1", "29-Jul-18", "2026年3月1日", "45000",
         "质量很好，物流很快", "Great fit but thin", "=SUM(A1:A2)", "此用户没有填写评价", "N/A", "😀\u200b\u202e"]

cell_text = st.one_of(st.sampled_from(HEADERS + WORDS), st.text(max_size=40),
                      st.integers(-10**15, 10**15).map(str), st.floats(allow_nan=True).map(str))
rows = st.lists(st.lists(cell_text, max_size=8), max_size=25)

COUNTS = {"csv": 0, "xlsx": 0}


def check(path: Path) -> None:
    try:
        t = read_reviews(path)
    except UserError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(t, ReviewTable)
    f = t.frame
    assert list(f.columns[:2]) == ["row", "source_row"] and f["row"].tolist() == list(range(1, len(f) + 1))
    assert all(math.isnan(r) or 1 <= r <= 5 for r in f["rating"])
    assert str(f["date"].dtype).startswith("datetime64")
    assert set(t.columns) <= set(ROLES) and "text" in t.columns
    assert all(isinstance(s, str) for s in f["text"])
    cols, shown, guesses, header_row = preview(path, sheet=t.sheet, n=5)
    assert header_row == t.header_row and len(shown) <= 5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, delimiter=st.sampled_from([",", "\t", ";", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]),
       ext=st.sampled_from([".csv", ".tsv", ".txt", ".xls"]), noise=st.binary(max_size=30),
       noise_at=st.floats(0, 1))
def test_fuzz_csv(rows: list[list[str]], delimiter: str, encoding: str, ext: str, noise: bytes,
                  noise_at: float) -> None:
    COUNTS["csv"] += 1
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    cut = int(len(data) * noise_at)
    data = data[:cut] + noise + data[cut:]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"fuzz{ext}"
        p.write_bytes(data)
        check(p)


xl_value = st.one_of(
    st.none(), cell_text.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)), st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets=st.lists(st.lists(st.lists(xl_value, max_size=7), max_size=20), min_size=1, max_size=3),
       merges=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2), st.integers(0, 3)),
                       max_size=3),
       damage=st.sampled_from([None, "truncate", "flip"]), at=st.floats(0.05, 0.95))
def test_fuzz_xlsx(sheets: list, merges: list, damage: str | None, at: float) -> None:
    COUNTS["xlsx"] += 1
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, sheet_rows in enumerate(sheets):
        ws = wb.create_sheet(f"S{k}")
        for r in sheet_rows:
            ws.append(r)
    for r, c, dr, dc in merges:
        if dr or dc:
            wb.worksheets[0].merge_cells(start_row=r, start_column=c, end_row=r + dr, end_column=c + dc)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if damage == "truncate":
        data = data[: int(len(data) * at)]
    elif damage == "flip":
        i = int(len(data) * at)
        data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.xlsx"
        p.write_bytes(data)
        check(p)


def test_fuzz_counts_reported() -> None:
    # Runs after the two property tests in file order; prints how many files each tried.
    print(f"fuzzed files: csv={COUNTS['csv']} xlsx={COUNTS['xlsx']}")
    if COUNTS["csv"] and COUNTS["xlsx"]:
        assert COUNTS["csv"] >= 100 and COUNTS["xlsx"] >= 30
