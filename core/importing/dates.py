"""Parsing the date and rating cells of review exports (no I/O).

Shops export dates and ratings in many shapes; these functions turn one column of raw
cell values (str, int, float, datetime or None) into canonical values:

- dates -> ``pandas.Timestamp`` or ``NaT``, timezone-naive: a zone (``UTC``, ``+08:00``,
  ``Z``) is dropped and the wall time kept, the time the shop's export showed;
- ratings -> float in 1..5 or NaN; a decimal comma (``4,5``) is read as a decimal point.

Some decisions need the whole column (is ``03/04/2018`` day- or month-first? is ``8`` on a
1-10 or a 0-100 scale?), so the public functions take a column, not a cell.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Sequence

import pandas as pd

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec)[a-z]*\.?"
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(am|pm)?)?"

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + r"$", re.I)
_DMY_SLASH = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})[/.-](\d{2}|\d{4})" + _TIME + r"$", re.I)
_D_MON_Y = re.compile(r"^(\d{1,2})[\s\-/]+" + _MONTH_RE + r"[\s\-/,]+(\d{2}|\d{4})" + _TIME + r"$", re.I)
_MON_D_Y = re.compile(r"^" + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME + r"$", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.I)
# A zone after a time: "10:20:00 UTC", "10:20:00+0000", "T10:20:00Z", "10:20 GMT+8". Only
# after a time, so the "-2024" of "10-01-2024" is never taken for an offset.
_ZONE = re.compile(r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?)\s*"
                   r"(?:z|(?:utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})$", re.I)
# Amazon pages: "Reviewed in the United States on July 29, 2018"
_ON_PREFIX = re.compile(r"^.*?\bon\s+(?=\w)", re.I)

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_NUM = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _to_year(y: str) -> int:
    v = int(y)
    return v + 2000 if len(y) == 2 and v < 70 else (v + 1900 if len(y) == 2 else v)


def _build(y: int, mo: int, d: int, time: tuple) -> pd.Timestamp | None:
    hh, mm, ss, ampm = time
    h = int(hh) if hh else 0
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return pd.Timestamp(_dt.datetime(y, mo, d, h, int(mm or 0), int(ss or 0)))
    except (ValueError, OverflowError):
        return None


def _number_date(x: float) -> pd.Timestamp | None:
    """Excel serial day numbers and Unix timestamps (seconds or milliseconds)."""
    if not math.isfinite(x):
        return None
    try:
        if 20000 <= x < 80000:  # Excel serials for 1954..2118
            return _EXCEL_EPOCH + pd.Timedelta(days=x)
        if 1e8 <= x < 5e9:
            return pd.Timestamp(int(x * 1000), unit="ms")
        if 1e11 <= x < 5e12:
            return pd.Timestamp(int(x), unit="ms")
    except (ValueError, OverflowError):
        return None
    return None


def parse_date(value: Any, *, dayfirst: bool = False, numbers: bool = True) -> pd.Timestamp | None:
    """One cell to a naive Timestamp, or None when it is not a date.

    ``numbers``: accept bare numbers as Excel serials / Unix timestamps (only sensible for a
    column already known to hold dates).
    """
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.tz_localize(None) if value.tzinfo else value
    if isinstance(value, _dt.datetime):
        return pd.Timestamp(value.replace(tzinfo=None))
    if isinstance(value, _dt.date):
        return pd.Timestamp(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _number_date(float(value)) if numbers else None
    s = str(value).strip()
    if not s or len(s) > 60:
        return None
    if _NUM.match(s):
        return _number_date(float(s)) if numbers else None
    s = _ZONE.sub(r"\1", s)
    m = _YMD.match(s)
    if m:
        return _build(int(m[1]), int(m[2]), int(m[3]), m.groups()[3:7])
    if _ISO.match(s):
        try:
            ts = pd.Timestamp(s)
        except (ValueError, OverflowError):
            return None
        return ts.tz_localize(None) if ts.tzinfo else ts
    s2 = _ON_PREFIX.sub("", s) if " on " in s.lower() else s
    m = _D_MON_Y.match(s2)
    if m:
        return _build(_to_year(m[3]), _MONTHS[m[2].lower()[:3]], int(m[1]), m.groups()[3:7])
    m = _MON_D_Y.match(s2)
    if m:
        return _build(int(m[3]), _MONTHS[m[1].lower()[:3]], int(m[2]), m.groups()[3:7])
    m = _DMY_SLASH.match(s)
    if m:
        a, b = int(m[1]), int(m[3])
        # Dotted dates are German/Russian/Scandinavian style, day first everywhere they are
        # used; only slash and dash dates are ambiguous across the column.
        day, month = (a, b) if dayfirst or m[2] == "." else (b, a)
        return _build(_to_year(m[4]), month, day, m.groups()[4:8])
    return None


def _guess_dayfirst(values: Sequence[Any]) -> bool:
    """``dd/mm/yyyy`` when some first field exceeds 12 and no second field does."""
    first_big = second_big = False
    for v in values:
        if isinstance(v, str):
            m = _DMY_SLASH.match(v.strip())
            if m:
                first_big |= int(m[1]) > 12
                second_big |= int(m[3]) > 12
    return first_big and not second_big


def parse_dates(values: Sequence[Any]) -> list[pd.Timestamp | None]:
    """A whole date column; ambiguous slash dates are resolved across the column."""
    dayfirst = _guess_dayfirst(values)
    lo, hi = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")
    cache: dict[Any, pd.Timestamp | None] = {}
    out: list[pd.Timestamp | None] = []
    for v in values:
        key = v if isinstance(v, (str, int, float)) else None
        if key is not None and key in cache:
            out.append(cache[key])
            continue
        ts = parse_date(v, dayfirst=dayfirst)
        if ts is not None and not (lo <= ts < hi):
            ts = None  # outside what datetime64[ns] holds; no review is that old or new
        if key is not None and len(cache) < 200_000:
            cache[key] = ts
        out.append(ts)
    return out


def _is_excel_serial(value: Any) -> bool:
    """A bare number (or numeric string) in the Excel serial range for 1954..2118."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    if isinstance(value, str):
        value = value.strip()
        if not _NUM.match(value):
            return False
    x = float(value)
    return 20000 <= x < 80000


def date_share(values: Sequence[Any], *, serials: bool = False) -> float:
    """Share of non-empty cells that parse as dates (bare numbers only when real datetimes).

    ``serials``: also count bare numbers in the Excel serial range; only for a column whose
    header already names a date, since on their own such numbers may be prices or ids.
    """
    n = ok = 0
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        n += 1
        ok += parse_date(v, numbers=False) is not None or (serials and _is_excel_serial(v))
    return ok / n if n else 0.0


# ---------------------------------------------------------------- ratings

_WORDS = {
    "好评": 5.0, "中评": 3.0, "差评": 1.0, "好": 5.0, "中": 3.0, "差": 1.0,
    "positive": 5.0, "neutral": 3.0, "negative": 1.0,
    "非常满意": 5.0, "满意": 4.0, "一般": 3.0, "不满意": 2.0, "非常不满意": 1.0,
}
_STARS_FILLED = "★⭐✭✮✯✰🌟"
_OUT_OF = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:out\s+of|/|of)\s*(\d+(?:\.\d+)?)\s*(?:stars?|星)?$", re.I)
_NUM_UNIT = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:stars?|星|星级|分|颗星|points?)?$", re.I)
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# "4,5" in European exports. One to three digits, a comma, one or two digits, with no digit
# or comma around: "1,000" (thousands) and "1,2,3" (a list) stay what they are.
_DECIMAL_COMMA = re.compile(r"(?<![\d,])(\d{1,3}),(\d{1,2})(?![\d,])")


def _rating_cell(value: Any) -> tuple[float, float | None] | None:
    """(value, explicit scale max or None) for one cell; None when it is not a rating."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
        return (x, None) if math.isfinite(x) and 0 <= x <= 100 else None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return None
    s = str(value).strip()
    if not s or len(s) > 40:
        return None
    s = _DECIMAL_COMMA.sub(r"\1.\2", s)
    low = s.lower()
    if low in _WORDS:
        return _WORDS[low], 5.0
    filled = sum(s.count(c) for c in _STARS_FILLED)
    if filled and all(c in _STARS_FILLED + "☆✩ " for c in s):
        return float(min(filled, 5)), 5.0
    if len(s) <= 3 and s[0] in _CN_NUM and s[1:] in ("星", "颗星", "分"):
        return float(_CN_NUM[s[0]]), 5.0
    m = _OUT_OF.match(s)
    if m:
        x, top = float(m[1]), float(m[2])
        return (x, top) if top > 0 and 0 <= x <= top else None
    m = _NUM_UNIT.match(s)
    if m:
        x = float(m[1])
        return (x, 5.0) if ("星" in s or "star" in low) and x <= 5 else ((x, None) if x <= 100 else None)
    return None


def rating_share(values: Sequence[Any]) -> float:
    """Share of non-empty cells that parse as ratings."""
    n = ok = 0
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        n += 1
        ok += _rating_cell(v) is not None
    return ok / n if n else 0.0


def parse_ratings(values: Sequence[Any]) -> list[float]:
    """A whole rating column to floats in 1..5 (NaN when missing or not a rating).

    The scale of bare numbers is decided by the column's maximum: <= 5 stars as is,
    <= 10 a 1-10 scale, otherwise 0-100.
    """
    cells = [_rating_cell(v) for v in values]
    bare = [c[0] for c in cells if c is not None and c[1] is None]
    top = max(bare) if bare else 5.0
    scale = 5.0 if top <= 5 else (10.0 if top <= 10 else 100.0)
    out: list[float] = []
    for c in cells:
        if c is None:
            out.append(math.nan)
            continue
        x, explicit = c
        s = explicit or scale
        if s == 5.0:
            r = x
        elif s == 100.0:
            r = 1 + 4 * x / 100
        else:  # 1..s scales, e.g. 1-10
            r = 1 + 4 * (x - 1) / (s - 1)
        out.append(float(min(max(r, 1.0), 5.0)) if x > 0 or s == 100.0 else math.nan)
    return out
