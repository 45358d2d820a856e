"""Dashboard: KPI tiles, sentiment split, aspects, trend, products, what-to-fix.

Every tile, bar segment, trend point and what-to-fix item emits ``filter_requested(dict)``
with a review browser filter for the reviews behind it (keys: sentiment, aspect, polarity,
topic, product, date_from, date_to, mismatch, analysed). ``analysed`` keeps the reviews the
figure was computed over (skipped rows have no sentiment): the rating tile and the trend.
"""
from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QApplication, QButtonGroup, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QRadioButton, QScrollArea, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from gui.charts import COLORS, Bar, BarChart, LineChart, Segment
from gui.i18n import language, tr

POLARITIES = ("positive", "neutral", "negative")


def _pct(x: float) -> str:
    return "–" if x != x else f"{x * 100:.0f}%"


def counts_text(insights) -> str:
    """The one definition of the review counts, used on every screen: rows of the analysed
    table (one per non-empty input row), of which analysed, of which skipped (empty,
    placeholder, no text)."""
    total = len(insights.reviews)
    analysed = len(insights.analysed)
    return tr("count_summary", n=f"{total:,}", a=f"{analysed:,}", s=f"{total - analysed:,}")


def model_text(method: dict) -> str:
    """Which model produced the figures: its version, bundled or trained for this project,
    and fast mode when the small network ran (from the analysis' own method record)."""
    version = method.get("model_version")
    if not version:
        return ""
    parts = [tr(f"origin_{method['model_origin']}")] if method.get("model_origin") in ("bundled", "project") else []
    if method.get("fast"):
        parts.append(tr("fast_note"))
    sep = "，" if language() == "zh" else ", "
    return tr("model_line", v=version, o=sep.join(parts)) if parts else tr("model_line", v=version, o="").replace(
        " ()", "").replace("（）", "")


class KpiTile(QPushButton):
    """A big figure with a caption; clicking it filters the browser."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.setMinimumSize(130, 72)
        self.setCheckable(False)
        self.setStyleSheet("QPushButton{text-align:left;padding:8px;border:1px solid palette(mid);"
                           "border-radius:6px;background:palette(base);}"
                           "QPushButton:focus{border:2px solid palette(highlight);}")
        # the tile's font is set once, from the application's: scaling self.font() on every
        # refresh compounded (x1.25 per refresh) until the figures were unreadable
        font = QApplication.font()
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.25)
        font.setBold(True)
        self.setFont(font)
        self.set_value("–")

    def set_value(self, value: str) -> None:
        self.value = value
        self.setText(f"{value}\n{self.caption}")
        self.setToolTip(tr("kpi_tip", label=self.caption, value=value))


class Dashboard(QWidget):
    filter_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.insights = None
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        grid = QGridLayout(body)
        self.summary = QLabel("")
        self.summary.setObjectName("dash_summary")
        self.model_line = QLabel("")
        self.model_line.setObjectName("dash_model")
        self.model_line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.model_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.model_line)
        grid.addLayout(head, 0, 0, 1, 2)

        tiles = QHBoxLayout()
        self.tiles: dict[str, KpiTile] = {}
        for key, caption, filt in (("reviews", "kpi_reviews", {}), ("positive", "kpi_pos", {"sentiment": "positive"}),
                                   ("neutral", "kpi_neu", {"sentiment": "neutral"}),
                                   ("negative", "kpi_neg", {"sentiment": "negative"}),
                                   ("rating", "kpi_rating", {"analysed": True}),
                                   ("mismatch", "kpi_mismatch", {"mismatch": True})):
            tile = KpiTile(tr(caption))
            tile.setObjectName(f"kpi_{key}")
            tile.clicked.connect(lambda _=False, f=filt: self.filter_requested.emit(dict(f)))
            self.tiles[key] = tile
            tiles.addWidget(tile)
        grid.addLayout(tiles, 1, 0, 1, 2)

        self.split = BarChart(row_height=28, label_width=90)
        self.split.setObjectName("chart_sentiment")
        self.split.clicked.connect(lambda key: self.filter_requested.emit({"sentiment": key}))
        grid.addWidget(self._box("sentiment_split", self.split), 2, 0)

        trend_box = QGroupBox(tr("trend"))
        tl = QVBoxLayout(trend_box)
        row = QHBoxLayout()
        self.by_week, self.by_month = QRadioButton(tr("by_week")), QRadioButton(tr("by_month"))
        self.by_month.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_week)
        group.addButton(self.by_month)
        self.by_week.toggled.connect(lambda _: self._fill_trend())
        row.addWidget(self.by_week)
        row.addWidget(self.by_month)
        row.addStretch(1)
        tl.addLayout(row)
        self.trend = LineChart()
        self.trend.setObjectName("chart_trend")
        self.trend.clicked.connect(self._trend_clicked)
        tl.addWidget(self.trend)
        grid.addWidget(trend_box, 2, 1)

        self.aspects = BarChart(label_width=120)
        self.aspects.setObjectName("chart_aspects")
        self.aspects.clicked.connect(lambda key: self.filter_requested.emit({"aspect": key[0], "polarity": key[1]}))
        grid.addWidget(self._box("aspects_chart", self.aspects), 3, 0)

        self.products = BarChart(label_width=160)
        self.products.setObjectName("chart_products")
        self.products.clicked.connect(lambda key: self.filter_requested.emit({"product": key[0], "sentiment": key[1]}))
        grid.addWidget(self._box("products", self.products), 3, 1)

        self.fix = QTreeWidget()
        self.fix.setObjectName("fix_list")
        self.fix.setHeaderHidden(True)
        self.fix.setWordWrap(True)
        self.fix.setMinimumHeight(200)
        self.fix.itemActivated.connect(self._fix_activated)
        self.fix.itemClicked.connect(self._fix_activated)  # one click opens its reviews, like every tile
        grid.addWidget(self._box("fix_list", self.fix), 4, 0, 1, 2)
        for chart in (self.split, self.aspects, self.products, self.trend):
            chart.empty_text = tr("no_data")

    def _box(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(tr(title))
        QVBoxLayout(box).addWidget(widget)
        return box

    def aspect_name(self, aspect: str) -> str:
        if self.insights is None:
            return aspect
        return self.insights.aspect_names.get(aspect, {}).get(language()) or aspect

    # -- data --------------------------------------------------------------------
    def clear(self) -> None:
        """No project data: every tile, chart and list empty (a new or switched project)."""
        self.insights = None
        self.summary.setText("")
        self.model_line.setText("")
        for tile in self.tiles.values():
            tile.set_value("–")
        for chart in (self.split, self.aspects, self.products):
            chart.set_bars([])
        self.trend.set_points([])
        self.fix.clear()

    def set_insights(self, insights) -> None:
        self.insights = insights
        counts = insights.sentiment_counts()
        analysed = sum(counts.values())
        self.summary.setText(counts_text(insights))
        self.model_line.setText(model_text(insights.method or {}))
        self.tiles["reviews"].set_value(f"{len(insights.reviews):,}")
        for p in POLARITIES:
            self.tiles[p].set_value(_pct(counts[p] / analysed) if analysed else "–")
        rating = insights.analysed["rating"].mean() if len(insights.analysed) else float("nan")
        self.tiles["rating"].set_value("–" if rating != rating else f"{rating:.2f}")
        self.tiles["mismatch"].set_value(f"{len(insights.mismatches):,}")
        legend = [(tr(p), COLORS[p]) for p in POLARITIES]
        self.split.set_bars([Bar(tr(p), [Segment(p, counts[p], COLORS[p], tr(
            "bar_tip_share", label=tr("sentiment_split"), seg=tr(p), n=counts[p],
            share=_pct(counts[p] / analysed) if analysed else "–"))],
            note=_pct(counts[p] / analysed) if analysed else "") for p in POLARITIES])
        self._fill_aspects()
        bars = []
        if insights.products is not None:
            for _, prod in insights.products.head(10).iterrows():
                n = int(prod["reviews"])
                segs = []
                for p in POLARITIES:
                    k = round(n * float(prod[f"{p}_share"]))
                    segs.append(Segment((prod["product"], p), k, COLORS[p], tr(
                        "bar_tip_share", label=prod["product"], seg=tr(p), n=k, share=_pct(k / n) if n else "–")))
                bars.append(Bar(str(prod["product"]), segs))
        self.products.set_bars(bars, legend)
        self._fill_trend()
        self._fill_fix()

    def _fill_aspects(self) -> None:
        """Aspect mentions stacked positive / neutral / negative, the most mentioned first."""
        frame = self.insights.aspects
        bars = []
        if not frame.empty:
            frame = frame.assign(_total=frame[list(POLARITIES)].sum(axis=1))
            frame = frame.sort_values(["_total", "aspect"], ascending=[False, True]).head(12)
            for _, a in frame.iterrows():
                name, total = self.aspect_name(a["aspect"]), int(a["_total"])
                bars.append(Bar(name, [Segment((a["aspect"], p), float(a[p]), COLORS[p], tr(
                    "bar_tip_share", label=name, seg=tr(p), n=int(a[p]), share=_pct(int(a[p]) / total)))
                    for p in POLARITIES], note=tr("neg_note", share=_pct(int(a["negative"]) / total))))
        self.aspects.set_bars(bars, [(tr(p), COLORS[p]) for p in POLARITIES])

    def _fill_trend(self) -> None:
        if self.insights is None:
            return
        weekly = self.by_week.isChecked()
        frame = self.insights.trend_week if weekly else self.insights.trend_month
        points = []
        for _, r in frame.iterrows():
            start = pd.Timestamp(r["period"])
            end = start + (pd.Timedelta(days=6) if weekly else pd.offsets.MonthEnd(0))
            label = f"{start:%m-%d}" if weekly else f"{start:%Y-%m}"
            share = float(r["negative_share"]) if r["negative_share"] == r["negative_share"] else 0.0
            points.append(((start.date(), end.date()), label, share,
                           tr("point_tip", label=label, n=int(r["reviews"]), share=_pct(share)), bool(r["flagged"])))
        self.trend.set_points(points)

    def _trend_clicked(self, key) -> None:
        self.filter_requested.emit({"date_from": key[0], "date_to": key[1], "analysed": True})

    def _fill_fix(self) -> None:
        """One item per concrete problem, worst first: its reviews, low ratings, refund/return
        requests and trend; under it the products most affected and three short quotes. Every
        line opens the review browser on exactly the reviews the item counts."""
        from core.analysis import problem_filter
        from core.text import mask_pii
        from gui.settings import setting

        # quotes follow the masking default: a screen share must not show a phone number
        mask = mask_pii if setting("report/mask", True) else (lambda s: s)
        self.fix.clear()
        fixes = self.insights.fix_list
        if fixes.empty or "reviews" not in fixes.columns:
            item = QTreeWidgetItem([tr("fix_none")])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.fix.addTopLevelItem(item)
            return
        for rank, (_, r) in enumerate(fixes.iterrows(), 1):
            name = self.aspect_name(r["name"]) if r["kind"] == "aspect" else str(r["name"])
            extra = (tr("fix_low", n=int(r["low_rating"])) if r["low_rating"] else "") + \
                    (tr("fix_refund", n=int(r["refund"])) if r["refund"] else "") + \
                    (tr(f"fix_{r['trend']}") if r["trend"] else "")
            item = QTreeWidgetItem([tr("fix_item", rank=rank, name=name, n=int(r["reviews"]),
                                       share=_pct(float(r["share"])), extra=extra)])
            filt = problem_filter(r)
            lines = [tr("fix_products", p=r["products"])] if r["products"] else []
            lines += [f"“{mask(str(q))}”" for q in list(r["quotes"])[:3]]
            for target in [item] + [QTreeWidgetItem([line]) for line in lines]:
                target.setData(0, Qt.ItemDataRole.UserRole, filt)
                target.setToolTip(0, tr("fix_tip", n=int(r["reviews"])))
                if target is not item:
                    item.addChild(target)
            self.fix.addTopLevelItem(item)
            item.setExpanded(True)

    def _fix_activated(self, item: QTreeWidgetItem) -> None:
        filt = item.data(0, Qt.ItemDataRole.UserRole)
        if filt:  # a topic: every review with a clause in it; an aspect: its negative mentions
            self.filter_requested.emit(dict(filt))
