"""Spreadsheet of reviews -> ``ReviewTable`` with canonical columns.

Reads ``.xlsx``, ``.xls``, ``.csv``, ``.tsv`` and ``.txt`` exports from Taobao/Tmall, JD,
Pinduoduo, Douyin, Amazon, Shopify review apps, eBay, Etsy and unknown tools: finds the
sheet with the reviews, the real header row under any title rows, and which column holds
the text, rating, date and the rest (see ``core.importing.columns``). File handling lives in
``core.importing.files``; dates and ratings in ``core.importing.dates``.

Every problem a user can cause raises ``core.errors.UserError`` with one line that names
the file (and sheet or column) and says what to do. ``read_reviews`` reports progress and
checks its cancel token every 2,000 rows.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from core.errors import UserError
from core.importing.columns import ROLES, ColumnGuess, find_header_row, guess_columns, header_score
from core.importing.dates import parse_dates, parse_ratings
from core.importing.files import (
    RawSheet,
    cell_text,
    check_path,
    col_index,
    file_kind,
    open_xlsx,
    read_delimited,
    read_xls,
    xls_sheet,
    xlsx_merged,
    xlsx_rows,
    xlsx_sheet_names,
)
from core.jobs import CancelToken, Progress, no_progress

__all__ = ["ROLES", "ColumnGuess", "ReviewTable", "list_sheets", "preview", "read_reviews"]

STR_ROLES = ("product", "sku", "followup", "reply", "author", "order_id")
_SCAN = 15


@dataclass
class ReviewTable:
    """One imported sheet of reviews in canonical columns.

    ``frame`` has one row per non-empty input data row, in input order: ``row`` (1-based
    data-row number), ``source_row`` (the row number a spreadsheet app shows), ``text``
    (raw, "" when empty), ``rating`` (1..5 or NaN), ``date`` (Timestamp or NaT) and the
    string columns ``product, sku, followup, reply, author, order_id`` ("" when absent).
    ``warnings``: one-line notes for the user about what was read but is likely wrong (a
    date column whose cells are not dates); the import itself succeeded.
    """

    source: Path
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    guesses: dict[str, ColumnGuess]
    frame: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    all_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- sheets

def list_sheets(path: str | Path) -> list[str]:
    """Worksheet names of an Excel file; ``[]`` for delimited text files."""
    p = check_path(path)
    kind = file_kind(p)
    if kind == "xlsx":
        wb = open_xlsx(p)
        try:
            return xlsx_sheet_names(wb)
        finally:
            wb.close()
    if kind == "xls":
        names, book = read_xls(p)
        book.release_resources()
        return names
    return []


def _pick_sheet(p: Path, names: list[str], heads: dict[str, list[list[Any]]], sizes: dict[str, int]) -> str:
    """The sheet that looks most like review data: best header row, then most rows."""
    if not names:
        raise UserError(f"{p.name} has no worksheets: export the reviews again.")

    def score(name: str) -> float:
        rows = heads[name]
        if len(rows) < 2:
            return -1.0 if rows else -2.0
        best = max(header_score(r) for r in rows[:_SCAN])
        return best + min(math.log10(max(sizes.get(name, len(rows)), 1)), 6)

    return max(names, key=lambda n: (score(n), -names.index(n)))


def _check_sheet_name(p: Path, names: list[str], sheet: str) -> str:
    if sheet in names:
        return sheet
    low = {n.strip().lower(): n for n in names}
    if sheet.strip().lower() in low:
        return low[sheet.strip().lower()]
    raise UserError(f"{p.name} has no sheet named '{sheet}'; choose one of: {', '.join(names)}.")


def _load(p: Path, *, sheet: str | None, limit: int | None, cancel: CancelToken | None,
          progress: Progress) -> RawSheet:
    kind = file_kind(p)
    check = (lambda i: cancel.check()) if cancel is not None else None
    if kind == "csv":
        if sheet:
            raise UserError(f"{p.name} is a text file with no sheets: leave the sheet empty.")
        return read_delimited(p, limit=limit)
    if kind == "xlsx":
        wb = open_xlsx(p)
        try:
            names = xlsx_sheet_names(wb)
            if sheet:
                name = _check_sheet_name(p, names, sheet)
            else:
                heads = {n: xlsx_rows(p, wb, n, limit=_SCAN + 1) for n in names}
                sizes = {n: wb[n].max_row or 0 for n in names}
                name = _pick_sheet(p, names, heads, sizes)
            progress(0.1, f"Reading sheet {name}")
            rows = xlsx_rows(p, wb, name, limit=limit, check=check)
            return RawSheet(name, rows, xlsx_merged(wb, name))
        finally:
            wb.close()
    names, book = read_xls(p)
    try:
        if sheet:
            name = _check_sheet_name(p, names, sheet)
        else:
            sheets = {n: xls_sheet(p, book, n, limit=_SCAN + 1) for n in names}
            sizes = {n: book.sheet_by_name(n).nrows for n in names}
            name = _pick_sheet(p, names, {n: s.rows for n, s in sheets.items()}, sizes)
        return xls_sheet(p, book, name, limit=limit)
    finally:
        book.release_resources()


# ---------------------------------------------------------------- header

def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _filled(raw: RawSheet, h: int) -> list[str]:
    """Row ``h`` (0-based) as header strings, empty cells filled from merged ranges over them."""
    rows = raw.rows
    width = max((len(r) for r in rows[h: h + 200]), default=0)
    names = [cell_text(v).strip() for v in rows[h]] + [""] * (width - len(rows[h]))
    for r1, c1, r2, c2 in raw.merged:
        if not (r1 <= h + 1 <= r2) or r1 - 1 >= len(rows):
            continue
        top = rows[r1 - 1]
        value = cell_text(top[c1 - 1]).strip() if c1 - 1 < len(top) else ""
        for c in range(c1 - 1, min(c2, width)):
            if value and not names[c]:
                names[c] = value
    return names


def _headers(raw: RawSheet, h: int) -> list[str]:
    """Header names of row ``h`` (0-based), filled from merged cells, unique and non-empty."""
    names = _filled(raw, h)
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        n = " ".join(n.split()) or f"column {_letters(i)}"
        if n in seen:
            seen[n] += 1
            n = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _where(p: Path, sheet: str | None) -> str:
    return f"sheet '{sheet}' of {p.name}" if sheet else p.name


def title_rows_note(rows: Sequence[Sequence[Any]], header_index: int) -> str | None:
    """"rows 1-2 treated as title rows ..." when non-empty rows above the header are skipped:
    the importer never drops a row without saying so."""
    above = [i + 1 for i, r in enumerate(rows[:header_index]) if any(cell_text(v).strip() for v in r if v is not None)]
    if not above:
        return None
    span = f"row {above[0]}" if len(above) == 1 else f"rows {above[0]}-{above[-1]}"
    return (f"{span} treated as title rows (not reviews); the header is row {header_index + 1}: "
            f"if {'that row is' if len(above) == 1 else 'those rows are'} reviews, set the header row "
            f"(--header-row {above[0]} or on the import wizard's column page)")


def _split(p: Path, raw: RawSheet, header_row: int | None = None
           ) -> tuple[int, list[str], list[tuple[int, list[Any]]]]:
    """(0-based header index, header names, [(source_row, cells)] of non-empty data rows).

    ``header_row`` (1-based) is the user's choice; otherwise the most header-like row."""
    rows = raw.rows
    if not any(any(cell_text(v).strip() for v in r) for r in rows):
        raise UserError(f"{_where(p, raw.name)} is empty: export the reviews again or choose another sheet.")
    scan = rows[:_SCAN]
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise UserError(f"{_where(p, raw.name)} has {len(rows)} rows, so row {header_row} cannot be the "
                            f"header: choose a row between 1 and {len(rows)}.")
        h = header_row - 1
    else:
        h = find_header_row([_filled(raw, i) for i in range(len(scan))] if raw.merged else scan, scan=_SCAN)
    headers = _headers(raw, h)
    data = [(i + 1, r) for i, r in enumerate(rows[h + 1:], start=h + 1)
            if any(v is not None and cell_text(v).strip() for v in r)]
    if not data:
        raise UserError(f"{_where(p, raw.name)} has a header row (row {h + 1}) but no data rows: "
                        f"export the reviews again with their contents.")
    return h, headers, data


# ---------------------------------------------------------------- overrides

def _resolve(p: Path, sheet: str | None, headers: list[str], spec: str | int, what: str) -> str:
    if isinstance(spec, str) and spec in headers:
        return spec
    s = str(spec).strip()
    for h in headers:
        if h.strip().lower() == s.lower():
            return h
    if isinstance(spec, int) or s.isdigit():
        i = int(s) - 1
        if 0 <= i < len(headers):
            return headers[i]
    elif re.fullmatch(r"[A-Za-z]{1,3}", s):
        i = col_index(s) - 1
        if 0 <= i < len(headers):
            return headers[i]
    if isinstance(spec, int) or s.isdigit():
        raise UserError(f"{_where(p, sheet)} has {len(headers)} columns, so there is no column {s} for {what}; "
                        f"columns are: {', '.join(headers)}.")
    raise UserError(f"{_where(p, sheet)} has no column '{spec}' for {what}; "
                    f"columns are: {', '.join(headers)}.")


def _guesses(p: Path, sheet: str | None, headers: list[str], sample: Sequence[Sequence[Any]],
             overrides: dict[str, str | int | None]) -> dict[str, ColumnGuess]:
    guesses = guess_columns(headers, sample)
    for role, spec in overrides.items():
        if spec is None or spec == "":
            continue
        col = _resolve(p, sheet, headers, spec, f"--{role}-column")
        for other in guesses.values():  # one column plays one role
            if other.column == col and other.role != role:
                guesses[other.role] = ColumnGuess(other.role, None, 0.0)
        guesses[role] = ColumnGuess(role, col, 1.0)
    return guesses


def _date_warning(column: str, raw: Sequence[Any], parsed: Sequence[Any]) -> str | None:
    """A note when a date column yields (almost) no dates: trends would silently be empty."""
    filled = [ts for v, ts in zip(raw, parsed) if v is not None and cell_text(v).strip()]
    ok = sum(ts is not None for ts in filled)
    if not filled or ok >= max(1, 0.1 * len(filled)):
        return None
    return (f"date column '{column}': only {ok:,} of {len(filled):,} filled cells are dates; "
            f"the others are left empty: choose the column that holds the review dates.")


# ---------------------------------------------------------------- public

def preview(path: str | Path, *, sheet: str | None = None, n: int = 20, header_row: int | None = None
            ) -> tuple[list[str], list[list[str]], dict[str, ColumnGuess], int]:
    """(columns, first ``n`` data rows as strings, guesses, 1-based header row) for the wizard.
    Rows above the header row are skipped: ``title_rows_note`` says which."""
    p = check_path(path)
    raw = _load(p, sheet=sheet, limit=_SCAN + max(n, 50) + 1, cancel=None, progress=no_progress)
    h, headers, data = _split(p, raw, header_row)
    guesses = _guesses(p, raw.name, headers, [r for _, r in data], {})
    shown = [[cell_text(r[i]) if i < len(r) else "" for i in range(len(headers))] for _, r in data[:n]]
    return headers, shown, guesses, h + 1


def read_reviews(path: str | Path, *, sheet: str | None = None, text_column: str | int | None = None,
                 rating_column: str | int | None = None, date_column: str | int | None = None,
                 product_column: str | int | None = None, sku_column: str | int | None = None,
                 followup_column: str | int | None = None, reply_column: str | int | None = None,
                 header_row: int | None = None,
                 progress: Progress | None = None, cancel: CancelToken | None = None) -> ReviewTable:
    """Read one sheet of reviews. Column overrides take a name, a 1-based index or a letter;
    an overridden column plays only that role (a guess that chose it for another role is dropped).
    ``header_row`` (1-based) overrides the detected header row; skipped non-empty rows above
    it are named in ``warnings``.

    Raises ``UserError`` for bad input and ``Cancelled`` when ``cancel`` is set.
    """
    progress = progress or no_progress
    p = check_path(path)
    progress(0.0, f"Opening {p.name}")
    raw = _load(p, sheet=sheet, limit=None, cancel=cancel, progress=progress)
    if cancel is not None:
        cancel.check()
    progress(0.5, "Finding columns")
    h, headers, data = _split(p, raw, header_row)
    overrides = {"text": text_column, "rating": rating_column, "date": date_column,
                 "product": product_column, "sku": sku_column, "followup": followup_column,
                 "reply": reply_column}
    guesses = _guesses(p, raw.name, headers, [r for _, r in data[:1000]], overrides)
    if guesses["text"].column is None:
        raise UserError(f"no column looks like review text in {_where(p, raw.name)}: name it with "
                        f"--text-column (columns: {', '.join(headers)}).")
    index = {name: i for i, name in enumerate(headers)}

    def column(role: str) -> list[Any]:
        g = guesses[role]
        if g.column is None:
            return [None] * len(data)
        i = index[g.column]
        return [r[i] if i < len(r) else None for _, r in data]

    cols: dict[str, Any] = {
        "row": list(range(1, len(data) + 1)),
        "source_row": [src for src, _ in data],
    }
    total = len(data)
    texts: list[str] = []
    for k, v in enumerate(column("text")):
        if k % 2000 == 0:
            if cancel is not None:
                cancel.check()
            progress(0.5 + 0.3 * k / total, f"Reading reviews {k:,}/{total:,}")
        texts.append(cell_text(v))
    cols["text"] = texts
    cols["rating"] = parse_ratings(column("rating")) if guesses["rating"].column else [math.nan] * total
    progress(0.85, "Reading dates")
    if cancel is not None:
        cancel.check()
    notes: list[str] = []
    title = title_rows_note(raw.rows, h)
    if title:
        notes.append(title)
    dates: list[Any] = [None] * total
    if guesses["date"].column:
        raw_dates = column("date")
        dates = parse_dates(raw_dates)
        note = _date_warning(guesses["date"].column, raw_dates, dates)
        if note:
            notes.append(note)
    cols["date"] = pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce")
    for role in STR_ROLES:
        cols[role] = [cell_text(v).strip() for v in column(role)]
    frame = pd.DataFrame(cols)
    frame["row"] = frame["row"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    frame["rating"] = frame["rating"].astype("float64")
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    progress(1.0, f"Read {total:,} reviews")
    return ReviewTable(
        source=p, sheet=raw.name, header_row=h + 1,
        columns={role: g.column for role, g in guesses.items() if g.column is not None},
        guesses=guesses, frame=frame, encoding=raw.encoding, delimiter=raw.delimiter,
        all_columns=headers, warnings=notes,
    )
