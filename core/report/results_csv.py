"""The per-review results CSV: ``write_results_csv(insights, path)``.

A stable contract (README, "Command line"): one row per input data row, in input order,
with ``Insights.results_frame()``'s columns. UTF-8 with a BOM (Excel opens it right), free
text masked (``core.text.mask_pii``) unless ``mask=False``, dates as YYYY-MM-DD, a cell
Excel would read as a formula prefixed with ``'``, missing values empty. Written to a
temporary file next to the target, then ``os.replace``-d onto it (``core.tempfiles``).
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.errors import UserError
from core.report.cells import FORMULA_START
from core.tempfiles import sweep_stale, temp_path
from core.text import mask_pii

if TYPE_CHECKING:
    from core.analysis import Insights


def _csv_safe(value) -> str:
    # Missing values (NaN rating, NA duplicate_of) become empty cells; a string is written as
    # it is, even "nan": that can be what a customer typed.
    if value is None or (not isinstance(value, str) and _is_missing(value)):
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def write_results_csv(insights: Insights, path: Path, *, mask: bool = True) -> Path:
    """Per-review results, one row per input data row in input order (atomic write)."""
    frame = insights.results_frame()
    path = Path(path)
    if not path.parent.exists():
        raise UserError(f"Folder {path.parent} does not exist: create it or choose another --results path.")
    sweep_stale(path)  # left by a killed earlier run
    tmp = temp_path(path)
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(list(frame.columns))
            free_text = [i for i, c in enumerate(frame.columns) if c in ("text", "followup", "reply")]
            for values in frame.itertuples(index=False, name=None):
                values = list(values)
                for i in free_text if mask else ():
                    if isinstance(values[i], str):
                        values[i] = mask_pii(values[i])
                if "date" in frame.columns:
                    d = values[list(frame.columns).index("date")]
                    values[list(frame.columns).index("date")] = "" if d != d or d is None else str(d)[:10]
                writer.writerow([_csv_safe(v) for v in values])
        os.replace(tmp, path)
    except PermissionError:
        raise UserError(f"Cannot write {path}: it is open in another program or read-only; close it.") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
