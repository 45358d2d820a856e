"""Review browser: a virtualised table over the per-review DataFrame, filters, detail pane.

The table model lives in ``gui.review_model`` (rows fetched on demand, so 100k rows cost
nothing until scrolled to); the filters, each visible with a removable chip, in
``gui.review_filters`` (vectorised pandas over precomputed lower-case text).
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget

from gui.charts import COLORS
from gui.i18n import intent_name, intents_text, language, tr
from gui.review_filters import FILTER_COMBOS, FilterBar, filter_positions
from gui.review_model import COLUMNS, ReviewModel, product_keys

__all__ = ["FILTER_COMBOS", "ReviewBrowser", "ReviewModel"]


def _shown(raw: str) -> str:
    """Review text for the detail pane: entities from the export (&#34;) as characters, escaped once."""
    return html.escape(html.unescape(raw))


class ReviewBrowser(QWidget):
    """Search + filters over the analysed reviews; a detail pane with clause-level results."""

    selection_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.insights = None
        self._lower = None
        self._product = pd.Series(dtype=object)
        self._mention_index: dict[int, np.ndarray] = {}
        layout = QVBoxLayout(self)
        self.filters = FilterBar()
        self.filters.changed.connect(self.refilter)
        layout.addWidget(self.filters)
        f = self.filters  # the filter widgets, by the names callers and tests use
        self.search, self.combos, self.use_dates = f.search, f.combos, f.use_dates
        self.date_from, self.date_to, self.count = f.date_from, f.date_to, f.count
        self.mismatch, self.analysed_only = f.checks["mismatch"], f.checks["analysed"]
        from gui.review_export import ListExport

        self.list_export = ListExport(self)
        layout.addWidget(self.list_export)
        self._source: pd.Series | None = None

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
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # input order until a header is clicked
        self.view.setSortingEnabled(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)  # cut cells end in "…"; the tooltip has it all
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
        self._source = None
        self._mention_index = {}
        for key in FILTER_COMBOS:
            self.filters.fill(key, [])
        self.filters.set_filter({})
        self.model.set_frame(pd.DataFrame(columns=list(COLUMNS)))
        self.count.setText("")
        self.detail.clear()

    def set_insights(self, insights) -> None:
        self.insights = insights
        r = insights.reviews
        self._lower = r["text"].fillna("").astype(str).map(html.unescape).str.lower()
        self._mention_index = insights.mentions.groupby("index").indices if not insights.mentions.empty else {}
        names = insights.aspect_names
        fill = self.filters.fill
        polarities = [(tr(p), p) for p in ("positive", "neutral", "negative")]
        fill("sentiment", polarities)
        fill("polarity", polarities)
        aspects = insights.aspects["aspect"].tolist() if not insights.aspects.empty else []
        fill("aspect", [((names.get(a, {}).get(language()) or a), a) for a in aspects])
        intents = sorted({i for s in r["intents"].dropna().unique() for i in str(s).split(";") if i})
        fill("intent", [(intent_name(i), i) for i in intents])
        self._product = product_keys(r)
        products = [p for p in self._product.value_counts().index.tolist() if p][:500]
        fill("product", [(p, p) for p in products])
        topics = insights.topics if insights.topics is not None else pd.DataFrame()
        fill("topic", [(f"{int(t['topic'])}. {t['name']}", int(t["topic"])) for _, t in topics.iterrows()]
             if "topic" in r.columns and not topics.empty else [])
        fill("rating", [(f"{k}★", k) for k in range(5, 0, -1)])
        dates = pd.to_datetime(r["date"], errors="coerce").dropna()
        if len(dates):
            self.filters.set_date_range(dates.min(), dates.max())
        self._source = None  # the window sets them for this analysis (set_sources)
        fill("source", [])
        self.model.aspect_names = insights.aspect_names
        self.model.set_frame(r)
        self.refilter()
        self._fit_column("intents", 120, 320)

    def _fit_column(self, name: str, least: int, most: int) -> None:
        """Widen a column to its loaded cells (within bounds): intents were cut off at 120 px."""
        i = COLUMNS.index(name)
        self.view.resizeColumnToContents(i)
        self.view.setColumnWidth(i, max(least, min(most, self.view.columnWidth(i))))

    def set_sources(self, names: pd.Series | None) -> None:
        """Each review's source file name (aligned with ``insights.reviews``; None where the
        project does not know it); the Source filter is shown when there are two or more."""
        self._source = names
        choices = sorted({str(n) for n in names.dropna()}) if names is not None else []
        self.filters.fill("source", [(n, n) for n in choices])
        self.refilter()

    def clear_filters(self) -> None:
        self.apply_filter({})

    def apply_filter(self, filt: dict) -> None:
        """Set every filter from ``filt`` (missing keys: cleared) and refilter once."""
        self.filters.set_filter(filt)
        self.refilter()

    def current_filter(self) -> dict:
        return self.filters.current_filter()

    def filtered_positions(self, filt: dict) -> np.ndarray:
        return filter_positions(self.insights.reviews, filt, lower=self._lower, product=self._product,
                                source=self._source)

    def refilter(self) -> None:
        if self.insights is None:
            return
        filt = self.current_filter()
        positions = self.filtered_positions(filt)
        self.model.set_rows(positions)
        self.count.setText(tr("shown", n=f"{len(positions):,}", total=f"{len(self.insights.reviews):,}"))
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
        text = str(r["text"])  # raw: the mention offsets index it; entities are unescaped piecewise
        mentions = self.insights.mentions.iloc[self._mention_index.get(pos, [])] \
            if len(self._mention_index) else self.insights.mentions.iloc[0:0]
        spans = sorted({(int(m.start), int(m.end), m.polarity) for m in mentions.itertuples()})
        out, last = [], 0
        for s, e, pol in spans:
            if s < last:
                continue
            base = COLORS.get(pol, COLORS["neutral"])
            out.append(_shown(text[last:s]))
            out.append(f'<span style="background-color:{base.lighter(175).name()};color:{base.darker(160).name()}"><b>'
                       f"{_shown(text[s:e])}</b></span>")
            last = e
        out.append(_shown(text[last:]))
        parts = [f"<p style='font-size:large'>{''.join(out)}</p>"]
        if r["skipped"]:
            from core.report import TEXT  # the report's words for the reasons (无文字, 乱码 ...)

            why = TEXT.get(language(), TEXT["en"]).get(r["skipped"], r["skipped"])
            parts.append(f"<p><i>{html.escape(tr('skipped', why=why))}</i></p>")
        else:
            parts.append(f"<p>{tr('col_sentiment')}: <b>{tr(r['sentiment'])}</b> "
                         f"({float(r['sentiment_confidence']):.2f}) · {tr('col_intents')}: "
                         f"{html.escape(intents_text(r['intents']) or '–')}</p>")
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
            parts.append(f"<h4>{tr('role_followup')}</h4><p>{_shown(followup)}"
                         + (f" · <b>{tr(verdict)}</b>" if verdict else "") + "</p>")
        reply = str(r.get("reply", "") or "").strip()
        if reply:
            parts.append(f"<h4>{tr('role_reply')}</h4><p>{_shown(reply)}</p>")
        self.detail.setHtml("".join(parts))
