"""The review browser's table model: rows of the per-review DataFrame, fetched on demand.

``ReviewModel`` shows the rows of a filtered position array and hands them to the view in
chunks (``canFetchMore``/``fetchMore``), so 100k rows cost nothing until scrolled to.
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from gui.charts import COLORS
from gui.i18n import intents_text, language, tr

CHUNK = 500
_SIGN = {"positive": "+", "negative": "−", "neutral": "·"}
COLUMNS = ("row", "sentiment", "sentiment_confidence", "rating", "product", "date", "aspects", "intents",
           "mismatch", "text")
NUMERIC = ("row", "sentiment_confidence", "rating")
_HEADERS = ("col_row", "col_sentiment", "col_conf", "col_rating", "col_product", "col_date", "col_aspects",
            "col_intents", "col_mismatch", "col_text")


def product_keys(reviews: pd.DataFrame) -> pd.Series:
    """Each review's product as the dashboard's product chart names it (core's
    ``product_table``): the product column, else the SKU when no product is given;
    stripped; "(none)" where empty."""
    key = next((c for c in ("product", "sku") if c in reviews.columns
                and reviews[c].fillna("").astype(str).str.strip().ne("").any()), None)
    if key is None:
        return pd.Series("", index=reviews.index)
    return reviews[key].fillna("").astype(str).str.strip().replace("", "(none)")


class ReviewModel(QAbstractTableModel):
    """Rows ``index_map`` of ``frame`` (positions), fetched on demand."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame(columns=list(COLUMNS))
        self.index_map = np.zeros(0, np.int64)
        self.loaded = 0
        self._cols: list[np.ndarray] = []
        self.aspect_names: dict = {}
        self.sort_key: tuple[int, Qt.SortOrder] | None = None  # None: input order

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self.frame = frame
        self._cols = [frame[c].to_numpy() if c in frame.columns else np.full(len(frame), "", object) for c in COLUMNS]
        self.index_map = np.arange(len(frame))
        self.loaded = min(CHUNK, len(frame))
        self.endResetModel()

    def set_rows(self, positions: np.ndarray) -> None:
        self.beginResetModel()
        self.index_map = self._sorted(np.asarray(positions, np.int64))
        self.loaded = min(CHUNK, len(self.index_map))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.loaded

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex) -> bool:  # noqa: N802
        return not parent.isValid() and self.loaded < len(self.index_map)

    def fetchMore(self, parent: QModelIndex) -> None:  # noqa: N802
        if parent.isValid():
            return
        n = min(CHUNK, len(self.index_map) - self.loaded)
        if n <= 0:
            return
        self.beginInsertRows(QModelIndex(), self.loaded, self.loaded + n - 1)
        self.loaded += n
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every filtered row (not only those fetched): numbers and dates by value,
        empty cells last; column -1 is the input order. Kept across refilters."""
        self.sort_key = (column, order) if 0 <= column < len(COLUMNS) else None
        self.set_rows(np.sort(self.index_map))

    def _sorted(self, positions: np.ndarray) -> np.ndarray:
        if self.sort_key is None or not len(positions) or not self._cols:
            return positions
        column, order = self.sort_key
        name, values = COLUMNS[column], self._cols[column][positions]
        if name in NUMERIC:
            keys = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        elif name == "date":
            keys = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
        else:  # what the cell shows, case-insensitive; empty cells last
            keys = pd.Series([self.display(name, v).lower() or None for v in values], dtype=object)
        ranked = keys.sort_values(ascending=order == Qt.SortOrder.AscendingOrder, na_position="last", kind="stable")
        return positions[ranked.index.to_numpy()]

    def position(self, row: int) -> int:
        return int(self.index_map[row])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(_HEADERS[section])
        return None

    def display(self, name: str, value: Any) -> str:
        """The text a cell of column ``name`` shows for ``value``."""
        if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
            return ""
        if name == "sentiment":
            return tr(value) if value else ""
        if name == "sentiment_confidence":
            return f"{float(value):.2f}"
        if name == "rating":
            return f"{float(value):g}"
        if name == "date":
            ts = pd.Timestamp(value)
            return "" if pd.isna(ts) else f"{ts:%Y-%m-%d}"
        if name == "mismatch":
            return "⚠" if value else ""
        if name == "text":  # exports carry HTML entities (&#34;, &amp;): show the characters
            return html.unescape(str(value)).replace("\n", " ")[:300]
        if name == "product":
            return html.unescape(str(value))
        if name == "intents":
            return intents_text(value)
        if name == "aspects" and value:
            out = []
            for part in str(value).split(";"):
                aspect, _, pol = part.rpartition(":")
                label = self.aspect_names.get(aspect, {}).get(language()) or aspect
                out.append(label + _SIGN.get(pol, ""))
            return " ".join(out)
        return str(value)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        pos = self.index_map[index.row()]
        value = self._cols[index.column()][pos]
        name = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(name, value)
        if role == Qt.ItemDataRole.ForegroundRole and name == "sentiment" and value in COLORS:
            return COLORS[value].darker(130)
        if role == Qt.ItemDataRole.ToolTipRole and name in ("text", "aspects", "intents"):
            return self.display(name, value) if name != "text" else html.unescape(str(value))[:1000]
        if role == Qt.ItemDataRole.BackgroundRole and name == "mismatch" and value:
            return QColor("#fff3e0")
        return None
