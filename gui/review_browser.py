"""Review browser: a virtualised table over the per-review DataFrame, filters, detail pane.

``ReviewModel`` shows the rows of a filtered index array and hands them to the view in
chunks (``canFetchMore``/``fetchMore``), so 100k rows cost nothing until scrolled to.
Filtering is vectorised pandas over precomputed lower-case columns (tens of ms at 100k).
"""
from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget, QAbstractItemView,
                               QHeaderView)

from gui.charts import COLORS
from gui.i18n import language, tr

CHUNK = 500
FILTER_COMBOS = ("sentiment", "aspect", "topic", "intent", "product", "rating")
_SIGN = {"positive": "+", "negative": "−", "neutral": "·"}
COLUMNS = ("row", "sentiment", "sentiment_confidence", "rating", "product", "date", "aspects", "intents",
           "mismatch", "text")
_HEADERS = ("col_row", "col_sentiment", "col_conf", "col_rating", "col_product", "col_date", "col_aspects",
            "col_intents", "col_mismatch", "col_text")


class ReviewModel(QAbstractTableModel):
    """Rows ``index`` of ``frame`` (positions), fetched on demand."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame(columns=list(COLUMNS))
        self.index_map = np.zeros(0, np.int64)
        self.loaded = 0
        self._cols: list[np.ndarray] = []
        self.aspect_names: dict = {}

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self.frame = frame
        self._cols = [frame[c].to_numpy() if c in frame.columns else np.full(len(frame), "", object) for c in COLUMNS]
        self.index_map = np.arange(len(frame))
        self.loaded = min(CHUNK, len(frame))
        self.endResetModel()

    def set_rows(self, positions: np.ndarray) -> None:
        self.beginResetModel()
        self.index_map = np.asarray(positions, np.int64)
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

    def position(self, row: int) -> int:
        return int(self.index_map[row])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(_HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        pos = self.index_map[index.row()]
        value = self._cols[index.column()][pos]
        name = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
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
            if name == "text":
                return str(value).replace("\n", " ")[:300]
            if name == "aspects" and value:
                out = []
                for part in str(value).split(";"):
                    aspect, _, pol = part.rpartition(":")
                    label = self.aspect_names.get(aspect, {}).get(language()) or aspect
                    out.append(label + _SIGN.get(pol, ""))
                return " ".join(out)
            return str(value)
        if role == Qt.ItemDataRole.ForegroundRole and name == "sentiment" and value in COLORS:
            return COLORS[value].darker(130)
        if role == Qt.ItemDataRole.ToolTipRole and name in ("text", "aspects", "intents"):
            return str(value)[:1000]
        if role == Qt.ItemDataRole.BackgroundRole and name == "mismatch" and value:
            return QColor("#fff3e0")
        return None


def _product_keys(reviews: pd.DataFrame) -> pd.Series:
    """Each review's product as the dashboard's product chart names it (core's
    ``product_table``): the product column, else the SKU when no product is given;
    stripped; "(none)" where empty."""
    key = next((c for c in ("product", "sku") if c in reviews.columns
                and reviews[c].fillna("").astype(str).str.strip().ne("").any()), None)
    if key is None:
        return pd.Series("", index=reviews.index)
    return reviews[key].fillna("").astype(str).str.strip().replace("", "(none)")


def _date(d: Any) -> QDate:
    d = pd.Timestamp(d)
    return QDate(d.year, d.month, d.day)


class ReviewBrowser(QWidget):
    """Search + filters over the analysed reviews; a detail pane with clause-level results."""

    selection_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.insights = None
        self._lower = None
        self._mention_index: dict[int, np.ndarray] = {}
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(tr("search"))
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.refilter)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        bar.addWidget(self.search, 2)
        self.combos: dict[str, QComboBox] = {}
        for key in FILTER_COMBOS:
            combo = QComboBox()
            combo.setObjectName(f"filter_{key}")
            combo.setToolTip(tr(f"f_{key}"))
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(lambda _: self.refilter())
            self.combos[key] = combo
            bar.addWidget(QLabel(tr(f"f_{key}")))
            bar.addWidget(combo, 1)
        layout.addLayout(bar)
        bar2 = QHBoxLayout()
        self.use_dates = QCheckBox(tr("f_from"))
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for w in (self.date_from, self.date_to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.dateChanged.connect(lambda _: self.refilter() if self.use_dates.isChecked() else None)
        self.use_dates.toggled.connect(lambda _: self.refilter())
        bar2.addWidget(self.use_dates)
        bar2.addWidget(self.date_from)
        bar2.addWidget(QLabel(tr("f_to")))
        bar2.addWidget(self.date_to)
        self.mismatch = QCheckBox(tr("f_mismatch"))
        self.mismatch.setObjectName("filter_mismatch")
        self.mismatch.toggled.connect(lambda _: self.refilter())
        bar2.addWidget(self.mismatch)
        clear = QPushButton(tr("clear_filters"))
        clear.clicked.connect(self.clear_filters)
        bar2.addWidget(clear)
        bar2.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("count")
        bar2.addWidget(self.count)
        layout.addLayout(bar2)

        split = QSplitter(Qt.Orientation.Vertical)
        self.model = ReviewModel(self)
        self.view = QTableView()
        self.view.setObjectName("reviews_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for i, w in enumerate((50, 70, 60, 50, 140, 90, 160, 120, 50)):
            header.resizeSection(i, w)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _: self._show_detail(cur.row()))
        split.addWidget(self.view)
        self.detail = QTextBrowser()
        self.detail.setObjectName("detail")
        split.addWidget(self.detail)
        split.setSizes([400, 180])
        layout.addWidget(split, 1)

    # -- data ----------------------------------------------------------------------
    def clear(self) -> None:
        """No project data: no rows, filters back to "Any" with no choices, no detail."""
        self.insights = None
        self._lower = None
        self._mention_index = {}
        for key in FILTER_COMBOS:
            self._fill(key, [])
        self.model.set_frame(pd.DataFrame(columns=list(COLUMNS)))
        self.count.setText("")
        self.detail.clear()

    def set_insights(self, insights) -> None:
        self.insights = insights
        r = insights.reviews
        self._lower = r["text"].fillna("").astype(str).str.lower()
        self._mention_index = insights.mentions.groupby("index").indices if not insights.mentions.empty else {}
        for c in self.combos.values():
            c.blockSignals(True)
        names = insights.aspect_names
        self._fill("sentiment", [(tr(p), p) for p in ("positive", "neutral", "negative")])
        aspects = insights.aspects["aspect"].tolist() if not insights.aspects.empty else []
        self._fill("aspect", [((names.get(a, {}).get(language()) or a), a) for a in aspects])
        intents = sorted({i for s in r["intents"].dropna().unique() for i in str(s).split(";") if i})
        self._fill("intent", [(i, i) for i in intents])
        self._product = _product_keys(r)
        products = [p for p in self._product.value_counts().index.tolist() if p][:500]
        self._fill("product", [(p, p) for p in products])
        topics = insights.topics if insights.topics is not None else pd.DataFrame()
        self._fill("topic", [(f"{int(t['topic'])}. {t['name']}", int(t["topic"])) for _, t in topics.iterrows()]
                   if "topic" in r.columns and not topics.empty else [])
        self._fill("rating", [(f"{k}★", k) for k in range(5, 0, -1)])
        dates = pd.to_datetime(r["date"], errors="coerce").dropna()
        if len(dates):
            self.date_from.setDate(_date(dates.min()))
            self.date_to.setDate(_date(dates.max()))
        for c in self.combos.values():
            c.blockSignals(False)
        self.model.aspect_names = insights.aspect_names
        self.model.set_frame(r)
        self.refilter()

    def _fill(self, key: str, items: list[tuple[str, Any]]) -> None:
        combo = self.combos[key]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(tr("any"), None)
        for label, data in items:
            combo.addItem(label, data)
        combo.blockSignals(False)

    def clear_filters(self) -> None:
        self.apply_filter({})

    def apply_filter(self, filt: dict) -> None:
        """Set every filter from ``filt`` (missing keys: cleared) and refilter once."""
        widgets = [*self.combos.values(), self.search, self.mismatch, self.use_dates, self.date_from, self.date_to]
        for w in widgets:
            w.blockSignals(True)
        self._polarity = filt.get("polarity")
        self._analysed_only = bool(filt.get("analysed"))
        self.search.setText(filt.get("search", ""))
        for key in FILTER_COMBOS:
            combo = self.combos[key]
            value = filt.get(key)
            i = combo.findData(value) if value is not None else 0
            if i < 0:  # e.g. a product beyond the combo's first 500: add it
                combo.addItem(str(value), value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)
        self.mismatch.setChecked(bool(filt.get("mismatch")))
        has_dates = "date_from" in filt or "date_to" in filt
        self.use_dates.setChecked(has_dates)
        if has_dates:
            self.date_from.setDate(_date(filt.get("date_from") or date(1970, 1, 1)))
            self.date_to.setDate(_date(filt.get("date_to") or date(2100, 1, 1)))
        for w in widgets:
            w.blockSignals(False)
        self.refilter(keep_polarity=True)

    def current_filter(self) -> dict:
        out = {k: c.currentData() for k, c in self.combos.items() if c.currentData() is not None}
        if self.search.text():
            out["search"] = self.search.text()
        if self.mismatch.isChecked():
            out["mismatch"] = True
        if getattr(self, "_polarity", None) and "aspect" in out:
            out["polarity"] = self._polarity
        if getattr(self, "_analysed_only", False):
            out["analysed"] = True
        if self.use_dates.isChecked():
            out["date_from"] = self.date_from.date().toPython()
            out["date_to"] = self.date_to.date().toPython()
        return out

    def filtered_positions(self, filt: dict) -> np.ndarray:
        r = self.insights.reviews
        mask = np.ones(len(r), bool)
        if filt.get("search"):
            mask &= self._lower.str.contains(filt["search"].lower(), regex=False).to_numpy()
        if filt.get("sentiment"):
            mask &= (r["sentiment"] == filt["sentiment"]).to_numpy()
        if filt.get("aspect"):
            pol = filt.get("polarity") or r"[a-z]+"
            pat = rf"(?:^|;){re.escape(filt['aspect'])}:{pol}(?:;|$)"
            mask &= r["aspects"].fillna("").str.contains(pat, regex=True).to_numpy()
        if filt.get("intent"):
            pat = rf"(?:^|;){re.escape(filt['intent'])}(?:;|$)"
            mask &= r["intents"].fillna("").str.contains(pat, regex=True).to_numpy()
        if filt.get("product"):
            mask &= (self._product == filt["product"]).to_numpy()
        if filt.get("topic") and "topic" in r.columns:
            mask &= (r["topic"] == int(filt["topic"])).to_numpy()
        if filt.get("analysed"):
            mask &= (r["skipped"] == "").to_numpy()
        if filt.get("rating"):
            mask &= (r["rating"].round() == float(filt["rating"])).to_numpy()
        if filt.get("mismatch"):
            mask &= (r["mismatch"] != "").to_numpy()
        if filt.get("date_from") or filt.get("date_to"):
            d = pd.to_datetime(r["date"], errors="coerce")
            lo = pd.Timestamp(filt.get("date_from") or "1970-01-01")
            hi = pd.Timestamp(filt.get("date_to") or "2100-01-01") + pd.Timedelta(days=1)
            mask &= ((d >= lo) & (d < hi)).to_numpy()
        return np.flatnonzero(mask)

    def refilter(self, keep_polarity: bool = False) -> None:
        if self.insights is None:
            return
        if not keep_polarity:
            if self.combos["aspect"].currentData() is None:
                self._polarity = None
            self._analysed_only = False  # set by a chart click, dropped by the next manual change
        filt = self.current_filter()
        positions = self.filtered_positions(filt)
        self.model.set_rows(positions)
        self.count.setText(tr("shown", n=f"{len(positions):,}", total=f"{len(self.insights.reviews):,}")
                           + (tr("analysed_only") if filt.get("analysed") else ""))
        self.detail.clear()
        if len(positions):
            self.view.selectRow(0)

    def visible_rows(self) -> list[int]:
        """Spreadsheet row numbers of every review passing the filters (not only those loaded)."""
        return [int(self.insights.reviews["row"].iat[p]) for p in self.model.index_map]

    # -- detail --------------------------------------------------------------------
    def _show_detail(self, row: int) -> None:
        if self.insights is None or row < 0 or row >= self.model.loaded:
            return
        pos = self.model.position(row)
        self.selection_changed.emit(pos)
        r = self.insights.reviews.iloc[pos]
        text = str(r["text"])
        mentions = self.insights.mentions.iloc[self._mention_index.get(pos, [])] \
            if len(self._mention_index) else self.insights.mentions.iloc[0:0]
        spans = sorted({(int(m.start), int(m.end), m.polarity) for m in mentions.itertuples()})
        out, last = [], 0
        for s, e, pol in spans:
            if s < last:
                continue
            base = COLORS.get(pol, COLORS["neutral"])
            out.append(html.escape(text[last:s]))
            out.append(f'<span style="background-color:{base.lighter(175).name()};color:{base.darker(160).name()}"><b>'
                       f"{html.escape(text[s:e])}</b></span>")
            last = e
        out.append(html.escape(text[last:]))
        parts = [f"<p style='font-size:large'>{''.join(out)}</p>"]
        if r["skipped"]:
            parts.append(f"<p><i>{html.escape(tr('skipped', why=r['skipped']))}</i></p>")
        else:
            parts.append(f"<p>{tr('col_sentiment')}: <b>{tr(r['sentiment'])}</b> "
                         f"({float(r['sentiment_confidence']):.2f}) · {tr('col_intents')}: "
                         f"{html.escape(str(r['intents']) or '–')}</p>")
        if len(mentions):
            rows = "".join(
                f"<tr><td>{html.escape(self.insights.aspect_names.get(m.aspect, {}).get(language()) or m.aspect)}</td>"
                f"<td>{html.escape(m.term)}</td><td>{html.escape(m.clause)}</td>"
                f"<td style='color:{COLORS.get(m.polarity, COLORS['neutral']).darker(130).name()}'>{tr(m.polarity)}</td>"
                f"<td>{m.confidence:.2f}</td></tr>" for m in mentions.itertuples())
            parts.append(f"<h4>{tr('clauses')}</h4><table cellpadding='3'>{rows}</table>")
        followup = str(r.get("followup", "") or "").strip()
        if followup:  # 追评, with its own sentiment (the verdict after days of use)
            verdict = str(r.get("followup_sentiment", "") or "")
            parts.append(f"<h4>{tr('role_followup')}</h4><p>{html.escape(followup)}"
                         + (f" · <b>{tr(verdict)}</b>" if verdict else "") + "</p>")
        reply = str(r.get("reply", "") or "").strip()
        if reply:
            parts.append(f"<h4>{tr('role_reply')}</h4><p>{html.escape(reply)}</p>")
        self.detail.setHtml("".join(parts))
