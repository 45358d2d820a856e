"""Small QPainter charts (PySide6-Essentials has no QtCharts): bars and a line.

Every bar segment and line point is clickable and emits ``clicked(key)``; the dashboard
turns that key into a review-browser filter. Hover shows a tooltip with the figure;
the keyboard moves a focus marker (arrows) and Enter/Space clicks it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

COLORS = {"positive": QColor("#4caf50"), "neutral": QColor("#b0bec5"), "negative": QColor("#e53935"),
          "line": QColor("#1e88e5"), "flag": QColor("#ff9800")}


@dataclass
class Segment:
    key: Any
    value: float
    color: QColor
    tip: str = ""


@dataclass
class Bar:
    label: str
    segments: list[Segment] = field(default_factory=list)
    note: str = ""  # drawn after the bar's total, e.g. its share "38%"


class BarChart(QWidget):
    """Horizontal stacked bars, one row per ``Bar``; ``clicked(key)`` on a segment."""

    clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, row_height: int = 22, label_width: int = 110,
                 show_values: bool = True) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.legend: list[tuple[str, QColor]] = []  # (name, colour) drawn above the bars
        self.row_height, self.label_width, self.show_values = row_height, label_width, show_values
        self._hits: list[tuple[QRectF, Segment]] = []
        self._focus = -1
        self.empty_text = ""
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_bars(self, bars: list[Bar], legend: list[tuple[str, QColor]] | None = None) -> None:
        self.bars = bars
        self.legend = list(legend or []) if bars else []
        self._focus = -1
        self.setMinimumHeight(max(60, self.sizeHint().height()))  # never clip a bar
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(360, max(1, len(self.bars)) * (self.row_height + 6) + 10 + self._legend_h())

    def _legend_h(self) -> int:
        return QFontMetrics(self.font()).height() + 6 if self.legend else 0

    def _value_text(self, b: Bar) -> str:
        total = sum(s.value for s in b.segments)
        return f"{total:,.0f}" + (f" ({b.note})" if b.note else "")

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, min(self.sizeHint().height(), 60))

    def segment_rects(self) -> list[tuple[QRectF, Segment]]:
        """(rect, segment) for every drawn segment (tests click their centres)."""
        return list(self._hits)

    def _layout(self) -> None:
        self._hits = []
        fm = QFontMetrics(self.font())
        label_w = min(self.label_width, max((fm.horizontalAdvance(b.label) for b in self.bars), default=0) + 8)
        widest = max((fm.horizontalAdvance(self._value_text(b)) for b in self.bars), default=0)
        value_w = max(widest, fm.horizontalAdvance("100000")) + 8 if self.show_values else 0
        width = max(self.width() - label_w - value_w - 8, 10)
        top = max((sum(s.value for s in b.segments) for b in self.bars), default=0) or 1
        y = 5.0 + self._legend_h()
        for b in self.bars:
            x = float(label_w)
            for s in b.segments:
                w = width * s.value / top
                if w > 0:
                    self._hits.append((QRectF(x, y, max(w, 2.0), self.row_height), s))
                x += w
            y += self.row_height + 6
        self._label_w, self._value_w = label_w, value_w

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._layout()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002
        self._layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if not self.bars:
            p.setPen(pal.placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        fm = QFontMetrics(self.font())
        self._paint_legend(p, fm)
        y = 5 + self._legend_h()
        for b in self.bars:
            p.setPen(pal.text().color())
            text = fm.elidedText(b.label, Qt.TextElideMode.ElideRight, self._label_w - 6)
            p.drawText(QRectF(0, y, self._label_w - 6, self.row_height),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            if self.show_values:
                end = max((r.right() for r, s in self._hits if s in b.segments), default=self._label_w)
                p.drawText(QRectF(end + 4, y, self._value_w, self.row_height), Qt.AlignmentFlag.AlignVCenter,
                           self._value_text(b))
            y += self.row_height + 6
        for i, (rect, s) in enumerate(self._hits):
            p.fillRect(rect, s.color)
            if i == self._focus and self.hasFocus():
                p.setPen(QPen(pal.highlight().color(), 2))
                p.drawRect(rect.adjusted(1, 1, -1, -1))

    def _paint_legend(self, p: QPainter, fm: QFontMetrics) -> None:
        x, box = float(self._label_w), fm.height() - 4
        for name, color in self.legend:
            p.fillRect(QRectF(x, 5, box, box), color)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x + box + 4, 3, fm.horizontalAdvance(name) + 2, fm.height()),
                       Qt.AlignmentFlag.AlignVCenter, name)
            x += box + fm.horizontalAdvance(name) + 16

    def _at(self, pos: QPointF) -> int:
        for i, (rect, _) in enumerate(self._hits):
            if rect.contains(pos):
                return i
        return -1

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        i = self._at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if i >= 0 else Qt.CursorShape.ArrowCursor)
        if i >= 0:
            QToolTip.showText(event.globalPosition().toPoint(), self._hits[i][1].tip, self)
        else:
            QToolTip.hideText()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        i = self._at(event.position())
        if i >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self._focus = i
            self.update()
            self.clicked.emit(self._hits[i][1].key)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if not self._hits:
            return super().keyPressEvent(event)
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._focus = (self._focus + 1) % len(self._hits)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._focus = (self._focus - 1) % len(self._hits)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._focus >= 0:
            self.clicked.emit(self._hits[self._focus][1].key)
            return
        else:
            return super().keyPressEvent(event)
        rect, seg = self._hits[self._focus]
        self.setToolTip(seg.tip)
        self.update()


class LineChart(QWidget):
    """One line over periods (values 0..1 shares, or counts); points are clickable."""

    clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[Any, str, float, str, bool]] = []  # key, label, value, tip, flagged
        self.percent = True
        self.empty_text = ""
        self._xy: list[QPointF] = []
        self._focus = -1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(150)

    def set_points(self, points: list[tuple[Any, str, float, str, bool]], *, percent: bool = True) -> None:
        self.points, self.percent, self._focus = points, percent, -1
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 180)

    def point_positions(self) -> list[QPointF]:
        self._layout()
        return list(self._xy)

    def _layout(self) -> None:
        fm = QFontMetrics(self.font())
        left, bottom, top = fm.horizontalAdvance("100%") + 10, fm.height() + 8, 10
        right = fm.horizontalAdvance("2026-01") // 2 + 6  # room for the last x label
        w, h = max(self.width() - left - right, 10), max(self.height() - bottom - top, 10)
        vmax = 1.0 if self.percent else max((p[2] for p in self.points), default=1) or 1
        n = len(self.points)
        self._xy = [QPointF(left + (w * i / max(n - 1, 1) if n > 1 else w / 2), top + h * (1 - p[2] / vmax))
                    for i, p in enumerate(self.points)]
        self._box = QRectF(left, top, w, h)
        self._vmax = vmax

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002
        self._layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if not self.points:
            p.setPen(pal.placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        box = self._box
        p.setPen(QPen(pal.mid().color(), 1))
        for frac in (0.0, 0.5, 1.0):
            y = box.bottom() - box.height() * frac
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
            label = f"{frac * 100:.0f}%" if self.percent else f"{frac * self._vmax:,.0f}"
            p.setPen(pal.text().color())
            p.drawText(QRectF(0, y - 8, box.left() - 4, 16), Qt.AlignmentFlag.AlignRight, label)
            p.setPen(QPen(pal.mid().color(), 1))
        path = QPainterPath()
        for i, pt in enumerate(self._xy):
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        p.setPen(QPen(COLORS["line"], 2))
        p.drawPath(path)
        fm = QFontMetrics(self.font())
        step = max(1, int(len(self.points) / max(box.width() / (fm.horizontalAdvance("2026-01") + 12), 1)) + 1)
        for i, (pt, point) in enumerate(zip(self._xy, self.points)):
            p.setBrush(COLORS["flag"] if point[4] else COLORS["line"])
            p.setPen(QPen(pal.highlight().color(), 2) if i == self._focus and self.hasFocus() else Qt.PenStyle.NoPen)
            p.drawEllipse(pt, 5 if point[4] else 4, 5 if point[4] else 4)
            if i % step == 0:
                p.setPen(pal.text().color())
                p.drawText(QRectF(pt.x() - 40, box.bottom() + 4, 80, fm.height()), Qt.AlignmentFlag.AlignHCenter,
                           point[1])

    def _at(self, pos: QPointF) -> int:
        best, dist = -1, 12.0 ** 2
        for i, pt in enumerate(self._xy):
            d = (pt.x() - pos.x()) ** 2 + (pt.y() - pos.y()) ** 2
            if d <= dist:
                best, dist = i, d
        return best

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        i = self._at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if i >= 0 else Qt.CursorShape.ArrowCursor)
        if i >= 0:
            QToolTip.showText(event.globalPosition().toPoint(), self.points[i][3], self)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        i = self._at(event.position())
        if i >= 0:
            self._focus = i
            self.update()
            self.clicked.emit(self.points[i][0])

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if not self.points:
            return super().keyPressEvent(event)
        key = event.key()
        if key == Qt.Key.Key_Right:
            self._focus = (self._focus + 1) % len(self.points)
        elif key == Qt.Key.Key_Left:
            self._focus = (self._focus - 1) % len(self.points)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._focus >= 0:
            self.clicked.emit(self.points[self._focus][0])
            return
        else:
            return super().keyPressEvent(event)
        self.setToolTip(self.points[self._focus][3])
        self.update()
