"""Reports: the Excel insight workbook and the per-review results CSV.

* ``workbook``: ``write_report`` (sheets, native charts, streamed rows, atomic write)
* ``cells``: text-safe cells (never a formula) and the report's words in Chinese and English
* ``results_csv``: ``write_results_csv``, the per-review results (``analyze --results``)
"""
from __future__ import annotations

from core.report.cells import TEXT, make_cell
from core.report.results_csv import write_results_csv
from core.report.workbook import SHEETS, write_report

__all__ = ["SHEETS", "TEXT", "make_cell", "write_report", "write_results_csv"]
