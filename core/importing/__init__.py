"""Importing review exports: a spreadsheet file -> ``ReviewTable`` with canonical columns.

* ``reader``: ``read_reviews``, ``preview``, ``list_sheets``, ``ReviewTable`` (sheet, header
  row, column roles, the table)
* ``files``: reading .xlsx/.xls/.csv/.tsv/.txt into raw cells (encodings, zip checks)
* ``columns``: the header row and which column holds what (``ROLES``, ``ColumnGuess``)
* ``dates``: date and rating cells -> canonical values
"""
from __future__ import annotations

from core.importing.columns import ROLES, ColumnGuess
from core.importing.dates import date_share, parse_date, parse_dates, parse_ratings
from core.importing.reader import ReviewTable, list_sheets, preview, read_reviews

__all__ = ["ROLES", "ColumnGuess", "ReviewTable", "date_share", "list_sheets", "parse_date", "parse_dates",
           "parse_ratings", "preview", "read_reviews"]
