"""A two-axis line chart drawn with QPainter: duration and cost per invocation against memory.

Memory sizes sit at equal steps along x (as Power Tuning shows them), duration on the left
axis, cost on the right; the cheapest and the fastest sizes are ringed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

DURATION_COLOURS = ("#2f6fde", "#58a6ff")  # (light, dark)
COST_COLOURS = ("#d4761c", "#f0a04b")
BEST_COLOUR = "#1a7f37"
FAILED_COLOUR = "#d1242f"
MARGINS = (64, 34, 78, 40)  # left, top, right, bottom: room for the axes' labels


@dataclass(frozen=True)
class ChartPoint:
    """One memory size's figures, as the chart plots them."""

    memory_mb: int
    duration_ms: float
    cost_usd: float
    errors: int = 0
    problem: str = ""  # why invocations at this size failed, in words ("" if none did)


def nice_ceiling(value: float) -> float:
    """A round number at or above value: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * power * 1.0000001:
            return factor * power
    return 10 * power


def nice_axis(largest: float, ticks: int = 4) -> tuple[float, int]:
    """(step, ticks): a round step so that `ticks` steps from 0 cover largest.

    Both axes use the same number of steps, so their labels sit on the same gridlines.
    """
    return nice_ceiling(max(largest, 1e-12) / ticks), ticks


def per_million_text(usd: float) -> str:
    """A per-invocation cost as dollars per million invocations: $0.21 reads better."""
    per_million = usd * 1_000_000
    return f"${per_million:,.2f}" if per_million >= 0.1 else f"${per_million:,.4f}"


def axis_text(value: float, step: float, unit: str = "", prefix: str = "") -> str:
    """An axis label with as many decimals as the tick step needs (2.5 → 1, 0.25 → 2)."""
    decimals = len(f"{step:.9f}".rstrip("0").split(".")[1])
    return f"{prefix}{value:,.{decimals}f}{unit}"


def cost_text(usd: float) -> str:
    """A per-invocation cost: millionths of a dollar read better as $0.0000021."""
    if usd == 0:
        return "$0"
    if usd >= 0.01:
        return f"${usd:,.2f}"
    digits = 1 - math.floor(math.log10(usd))  # two significant digits
    return f"${usd:.{min(max(digits, 2), 12)}f}"


def duration_text(ms: float) -> str:
    """A duration for an axis or a tooltip."""
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:,.1f} ms" if ms >= 10 else f"{ms:,.2f} ms"


class SweepChart(QWidget):
    """Plots duration (left axis) and cost per invocation (right axis) against memory."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[ChartPoint] = []
        self.cheapest: int | None = None  # memory of the cheapest size
        self.fastest: int | None = None
        self.placeholder = "Run a sweep to plot duration and cost against memory."
        self.setMinimumSize(320, 120)
        self.setMouseTracking(True)
        self.setToolTip("")  # per-point tooltips come from the chart itself

    def sizeHint(self) -> QSize:
        return QSize(560, 260)

    def set_points(
        self, points: list[ChartPoint], cheapest: int | None = None, fastest: int | None = None
    ) -> None:
        """Plot these points; cheapest and fastest are memory sizes to ring."""
        self.points = sorted(points, key=lambda p: p.memory_mb)
        self.cheapest, self.fastest = cheapest, fastest
        self.update()

    # ----- geometry --------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        """The area inside the axes."""
        left, top, right, bottom = MARGINS
        return QRectF(left, top, self.width() - left - right, self.height() - top - bottom)

    def _x(self, index: int) -> float:
        plot = self.plot_rect()
        count = len(self.points)
        if count == 1:
            return plot.center().x()
        return plot.left() + 12 + index * (plot.width() - 24) / (count - 1)

    def _axes(self) -> tuple[tuple[float, int], tuple[float, int]]:
        """(step, count) of the duration axis (ms) and of the cost axis ($ per 1M)."""
        ms = nice_axis(max((p.duration_ms for p in self.points), default=1) * 1.05)
        cost = nice_axis(max((p.cost_usd for p in self.points), default=1e-7) * 1.05e6)
        return ms, cost

    def _limits(self) -> tuple[float, float]:
        (ms_step, ms_count), (cost_step, cost_count) = self._axes()
        return ms_step * ms_count, cost_step * cost_count / 1_000_000

    def positions(self) -> list[tuple[QPointF, QPointF]]:
        """(duration point, cost point) of each memory size, in widget coordinates."""
        plot = self.plot_rect()
        top_ms, top_cost = self._limits()
        found = []
        for index, point in enumerate(self.points):
            x = self._x(index)
            y_ms = plot.bottom() - point.duration_ms / top_ms * plot.height()
            y_cost = plot.bottom() - point.cost_usd / top_cost * plot.height()
            found.append((QPointF(x, y_ms), QPointF(x, y_cost)))
        return found

    # ----- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if not self.points:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            painter.end()
            return
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        self._paint_axes(painter, palette, dark)
        positions = self.positions()
        self._paint_series(painter, [d for d, _ in positions], DURATION_COLOURS[dark], False)
        self._paint_series(painter, [c for _, c in positions], COST_COLOURS[dark], True)
        self._paint_best(painter, positions)
        self._paint_legend(painter, palette, dark)
        painter.end()

    def _paint_axes(self, painter: QPainter, palette: QPalette, dark: bool) -> None:
        plot = self.plot_rect()
        top_ms, top_cost = self._limits()
        grid = palette.color(QPalette.ColorRole.Mid)
        text = palette.color(QPalette.ColorRole.PlaceholderText)
        metrics = QFontMetricsF(painter.font())
        ms_step, cost_step = top_ms / 4, top_cost * 1_000_000 / 4
        for step in range(5):
            share = step / 4
            y = plot.bottom() - share * plot.height()
            painter.setPen(
                QPen(grid, 1, Qt.PenStyle.SolidLine if step == 0 else Qt.PenStyle.DotLine)
            )
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(DURATION_COLOURS[dark]))
            left_label = QRectF(0, y - 9, plot.left() - 6, 18)
            painter.drawText(left_label, _RIGHT, axis_text(ms_step * step, ms_step, " ms"))
            painter.setPen(QColor(COST_COLOURS[dark]))
            right_label = QRectF(plot.right() + 6, y - 9, MARGINS[2] - 8, 18)
            painter.drawText(right_label, _LEFT, axis_text(cost_step * step, cost_step, "", "$"))
        painter.setPen(text)
        for index, point in enumerate(self.points):
            x = self._x(index)
            label = f"{point.memory_mb:,}"
            width = metrics.horizontalAdvance(label) + 8
            painter.drawText(QRectF(x - width / 2, plot.bottom() + 4, width, 18), _CENTRE, label)
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 20, plot.width(), 18), _CENTRE, "Memory (MB)"
        )
        painter.save()  # the right axis' title, written upwards along it
        painter.translate(self.width() - 8, plot.center().y())
        painter.rotate(-90)
        painter.setPen(QColor(COST_COLOURS[dark]))
        painter.drawText(QRectF(-plot.height() / 2, -14, plot.height(), 14), _CENTRE, "per 1M")
        painter.restore()

    def _paint_series(self, painter: QPainter, points: list[QPointF], colour: str, dashed: bool):
        pen = QPen(QColor(colour), 2.2)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        painter.setPen(QPen(QColor(colour), 1.5))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        for index, point in enumerate(points):
            if self.points[index].errors:
                painter.setBrush(QColor(FAILED_COLOUR))
            painter.drawEllipse(point, 4, 4)
            painter.setBrush(self.palette().color(QPalette.ColorRole.Base))

    def _paint_best(self, painter: QPainter, positions: list[tuple[QPointF, QPointF]]) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(BEST_COLOUR), 2))
        for index, point in enumerate(self.points):
            duration_at, cost_at = positions[index]
            if point.memory_mb == self.cheapest:
                painter.drawEllipse(cost_at, 8, 8)
            if point.memory_mb == self.fastest:
                painter.drawEllipse(duration_at, 8, 8)

    def _paint_legend(self, painter: QPainter, palette: QPalette, dark: bool) -> None:
        x, y = MARGINS[0], 10.0
        items = [
            (DURATION_COLOURS[dark], Qt.PenStyle.SolidLine, "duration (warm median)"),
            (COST_COLOURS[dark], Qt.PenStyle.DashLine, "cost per 1M invocations"),
            (BEST_COLOUR, None, "best"),
        ]
        if any(p.errors for p in self.points):
            items.append((FAILED_COLOUR, "dot", "failed"))
        metrics = QFontMetricsF(painter.font())
        needed = sum(24 + metrics.horizontalAdvance(label) + 18 for *_, label in items)
        if x + needed > self.width():  # a narrow chart: the short words, never a cut legend
            x = 8.0
            short = {"duration (warm median)": "duration", "cost per 1M invocations": "cost"}
            items = [(colour, style, short.get(label, label)) for colour, style, label in items]
        for colour, style, label in items:
            if style == "dot":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(colour))
                painter.drawEllipse(QPointF(x + 9, y + 6), 4, 4)
            elif style is None:
                painter.setPen(QPen(QColor(colour), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(x + 9, y + 6), 5, 5)
            else:
                painter.setPen(QPen(QColor(colour), 2.2, style))
                painter.drawLine(QPointF(x, y + 6), QPointF(x + 18, y + 6))
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(QPointF(x + 24, y + 10), label)
            x += 24 + metrics.horizontalAdvance(label) + 18

    # ----- hover -------------------------------------------------------------------------
    def point_near(self, x: float, y: float) -> ChartPoint | None:
        """The memory size whose column is nearest to x (within 24 px)."""
        best: tuple[float, ChartPoint] | None = None
        for index, point in enumerate(self.points):
            distance = abs(self._x(index) - x)
            if distance <= 24 and (best is None or distance < best[0]):
                best = (distance, point)
        return best[1] if best else None

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            point = self.point_near(event.pos().x(), event.pos().y())
            if point is not None:
                lines = [
                    f"{point.memory_mb:,} MB",
                    f"duration {duration_text(point.duration_ms)} (median, warm)",
                    f"cost {cost_text(point.cost_usd)} per invocation",
                    f"{per_million_text(point.cost_usd)} per million invocations",
                ]
                if point.problem:
                    lines.append(f"Failed: {point.problem}")
                elif point.errors:
                    lines.append(f"{point.errors} invocation(s) failed")
                QToolTip.showText(event.globalPos(), "\n".join(lines), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter
