"""The review browser's filters: one visible widget per filter, a chip per active filter.

Every filter a dashboard click can set has its own widget here (a chart click on
"Shipping, negative" shows Aspect = Shipping AND Polarity = negative), and every active
filter also appears as a chip whose × removes it; "Clear filters" removes them all.

``filter_positions`` is the filtering itself: vectorised pandas over the per-review frame
(tens of ms at 100k rows), no Qt.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from gui.i18n import tr

FILTER_COMBOS = ("sentiment", "aspect", "polarity", "topic", "intent", "product", "rating", "source")
CHECKS = ("mismatch", "analysed")


def _date(d: Any) -> QDate:
    d = pd.Timestamp(d)
    return QDate(d.year, d.month, d.day)


def filter_positions(r: pd.DataFrame, filt: dict, *, lower: pd.Series, product: pd.Series,
                     source: pd.Series | None = None) -> np.ndarray:
    """Positions of the rows of ``r`` passing every filter in ``filt``."""
    mask = np.ones(len(r), bool)
    if filt.get("search"):
        mask &= lower.str.contains(filt["search"].lower(), regex=False).to_numpy()
    if filt.get("sentiment"):
        mask &= (r["sentiment"] == filt["sentiment"]).to_numpy()
    if filt.get("aspect") or filt.get("polarity"):  # polarity alone: any aspect mentioned that way
        aspect = re.escape(filt["aspect"]) if filt.get("aspect") else r"[^;]+"
        pol = re.escape(filt["polarity"]) if filt.get("polarity") else r"[a-z]+"
        mask &= r["aspects"].fillna("").str.contains(rf"(?:^|;){aspect}:{pol}(?:;|$)", regex=True).to_numpy()
    if filt.get("intent"):
        pat = rf"(?:^|;){re.escape(filt['intent'])}(?:;|$)"
        mask &= r["intents"].fillna("").str.contains(pat, regex=True).to_numpy()
    if filt.get("product"):
        mask &= (product == filt["product"]).to_numpy()
    if filt.get("topic") and "topic_ids" in r.columns:  # any clause of the review in that topic
        mask &= r["topic_ids"].fillna("").astype(str).str.contains(rf"(?:^|;){int(filt['topic'])}(?:;|$)",
                                                                     regex=True).to_numpy()
    elif filt.get("topic") and "topic" in r.columns:  # a cache from before issue 16
        mask &= (r["topic"] == int(filt["topic"])).to_numpy()
    if filt.get("source") is not None and source is not None:
        mask &= (source == filt["source"]).to_numpy()
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


class FilterBar(QWidget):
    """Search, combos, dates and checks; ``changed()`` after any user change (search debounced)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: dict[str, QToolButton] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(tr("search"))
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        grid.addWidget(self.search, 0, 0, 1, 2)
        self.combos: dict[str, QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        for i, key in enumerate(FILTER_COMBOS):
            combo = QComboBox()
            combo.setObjectName(f"filter_{key}")
            combo.setToolTip(tr(f"f_{key}"))
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.addItem(tr("any"), None)
            combo.currentIndexChanged.connect(lambda _: self._emit())
            self.combos[key] = combo
            self.labels[key] = QLabel(tr(f"f_{key}"))
            row, col = divmod(i + 1, 4)  # four filters a row, the search box first
            grid.addWidget(self.labels[key], row, col * 2)
            grid.addWidget(combo, row, col * 2 + 1)
        outer.addLayout(grid)
        row = QHBoxLayout()
        self.use_dates = QCheckBox(tr("f_from"))
        self.use_dates.setObjectName("filter_dates")
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for w in (self.date_from, self.date_to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.dateChanged.connect(lambda _: self._emit() if self.use_dates.isChecked() else None)
        self.use_dates.toggled.connect(lambda _: self._emit())
        row.addWidget(self.use_dates)
        row.addWidget(self.date_from)
        row.addWidget(QLabel(tr("f_to")))
        row.addWidget(self.date_to)
        self.checks: dict[str, QCheckBox] = {}
        for key in CHECKS:
            box = QCheckBox(tr(f"f_{key}"))
            box.setObjectName(f"filter_{key}")
            box.toggled.connect(lambda _: self._emit())
            self.checks[key] = box
            row.addWidget(box)
        self.clear_button = QPushButton(tr("clear_filters"))
        self.clear_button.setObjectName("clear_filters")
        self.clear_button.clicked.connect(lambda: (self.set_filter({}), self._emit()))
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("count")
        row.addWidget(self.count)
        outer.addLayout(row)
        self.chips_row = QHBoxLayout()
        self.chips_row.addStretch(1)
        outer.addLayout(self.chips_row)
        self.fill("source", [])

    # -- choices -----------------------------------------------------------------
    def fill(self, key: str, items: list[tuple[str, Any]]) -> None:
        combo = self.combos[key]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(tr("any"), None)
        for label, data in items:
            combo.addItem(label, data)
        combo.blockSignals(False)
        if key == "source":  # one source file: nothing to choose
            combo.setVisible(len(items) > 1)
            self.labels[key].setVisible(len(items) > 1)

    def set_date_range(self, lo: Any, hi: Any) -> None:
        for w, d in ((self.date_from, lo), (self.date_to, hi)):
            w.blockSignals(True)
            w.setDate(_date(d))
            w.blockSignals(False)

    def _widgets(self) -> list[QWidget]:
        return [*self.combos.values(), *self.checks.values(), self.search, self.use_dates, self.date_from,
                self.date_to]

    # -- state ---------------------------------------------------------------------
    def set_filter(self, filt: dict) -> None:
        """Set every filter from ``filt`` (missing keys: cleared), emitting nothing."""
        for w in self._widgets():
            w.blockSignals(True)
        self.search.setText(filt.get("search", ""))
        for key, combo in self.combos.items():
            value = filt.get(key)
            i = combo.findData(value) if value is not None else 0
            if i < 0:  # e.g. a product beyond the combo's first 500: add it
                combo.addItem(str(value), value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)
        for key, box in self.checks.items():
            box.setChecked(bool(filt.get(key)))
        has_dates = "date_from" in filt or "date_to" in filt
        self.use_dates.setChecked(has_dates)
        if has_dates:
            self.date_from.setDate(_date(filt.get("date_from") or date(1970, 1, 1)))
            self.date_to.setDate(_date(filt.get("date_to") or date(2100, 1, 1)))
        for w in self._widgets():
            w.blockSignals(False)
        self._debounce.stop()
        self._update_chips()

    def current_filter(self) -> dict:
        out = {k: c.currentData() for k, c in self.combos.items() if c.currentData() is not None}
        if self.search.text():
            out["search"] = self.search.text()
        for key, box in self.checks.items():
            if box.isChecked():
                out[key] = True
        if self.use_dates.isChecked():
            out["date_from"] = self.date_from.date().toPython()
            out["date_to"] = self.date_to.date().toPython()
        return out

    def remove(self, key: str) -> None:
        """Drop one active filter (a chip's ×)."""
        filt = self.current_filter()
        for k in (("date_from", "date_to") if key == "dates" else (key,)):
            filt.pop(k, None)
        self.set_filter(filt)
        self._emit()

    def _emit(self) -> None:
        self._update_chips()
        self.changed.emit()

    # -- chips -------------------------------------------------------------------
    def chip_texts(self) -> dict[str, str]:
        """Active filter -> its chip's text (what the user sees is filtering)."""
        out: dict[str, str] = {}
        if self.search.text():
            out["search"] = f"{tr('search_chip')}: {self.search.text()}"
        for key, combo in self.combos.items():
            if combo.currentData() is not None:
                out[key] = f"{tr(f'f_{key}')}: {combo.currentText()}"
        if self.use_dates.isChecked():
            out["dates"] = (f"{tr('col_date')}: {self.date_from.date().toString('yyyy-MM-dd')} – "
                            f"{self.date_to.date().toString('yyyy-MM-dd')}")
        for key, box in self.checks.items():
            if box.isChecked():
                out[key] = box.text()
        return out

    def _update_chips(self) -> None:
        for chip in self.chips.values():
            self.chips_row.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self.chips = {}
        for i, (key, text) in enumerate(self.chip_texts().items()):
            chip = QToolButton()
            chip.setObjectName(f"chip_{key}")
            chip.setText(f"{text}  ✕")
            chip.setToolTip(tr("remove_filter"))
            chip.setAutoRaise(False)
            chip.clicked.connect(lambda _=False, k=key: self.remove(k))
            self.chips_row.insertWidget(i, chip)
            self.chips[key] = chip
        self.clear_button.setEnabled(bool(self.chips))
