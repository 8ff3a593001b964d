"""The timeline's painted surface: one lane per environment, spans coloured by phase."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from workbench.ui.timeline_model import Lane, Phase, Span, TimelineModel
from workbench.ui.widgets.code_editor import is_dark

PHASE_COLOURS: dict[Phase, tuple[str, str]] = {
    # (light, dark) fills
    Phase.INIT: ("#e8912d", "#f0a04b"),
    Phase.INVOKE: ("#2f6fde", "#4c8df6"),
    Phase.IDLE: ("#9fd3a8", "#3d7a4c"),
    Phase.FROZEN: ("#b9cde3", "#3b5573"),
    Phase.REAPED: ("#8c959f", "#8b949e"),
}
ERROR_COLOUR = "#d1242f"
COLD_COLOUR = "#bf3989"
LABEL_WIDTH = 120
AXIS_HEIGHT = 22
LANE_HEIGHT = 30
BAR_HEIGHT = 16  # init and invoke: the phases that cost time and money
THIN_HEIGHT = 8  # idle and frozen: drawn thinner so invocations stand out
MIN_INVOKE_PX = 3.0  # a 2 ms invocation must still be visible at any zoom
NOW_MARGIN = 0.05  # share of the view kept free right of "now", so new spans are not at the edge


class TimelineCanvas(QWidget):
    """Paints a TimelineModel between view_end - window_s and view_end."""

    def __init__(
        self, model: TimelineModel, now: Callable[[], float] = time.time, parent=None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.now = now
        self.window_s = 15.0
        self.view_end: float | None = None  # None: follow now
        self.setMouseTracking(True)
        self.setMinimumHeight(AXIS_HEIGHT + LANE_HEIGHT * 2)

    def sizeHint(self) -> QSize:
        return QSize(600, AXIS_HEIGHT + LANE_HEIGHT * max(3, len(self.model.lanes)) + 8)

    # ----- geometry --------------------------------------------------------------------
    def current_end(self) -> float:
        """The time at the right edge of the view."""
        if self.view_end is not None:
            return self.view_end
        return max(self.now(), self.model.last_at or 0.0)

    def view_start(self) -> float:
        """The time at the left edge of the lanes."""
        return self.current_end() - self.window_s * (1 - NOW_MARGIN)

    def x_of(self, t: float) -> float:
        """Pixel x of time t."""
        width = max(1, self.width() - LABEL_WIDTH - 8)
        return LABEL_WIDTH + (t - self.view_start()) / self.window_s * width

    def span_rect(self, row: int, span: Span, now: float) -> QRectF:
        """Where a span is painted."""
        x0, x1 = self.x_of(span.start), self.x_of(span.end_or(now))
        if span.phase is Phase.INVOKE:
            x1 = max(x1, x0 + MIN_INVOKE_PX)
        height = BAR_HEIGHT if span.phase in (Phase.INIT, Phase.INVOKE) else THIN_HEIGHT
        top = AXIS_HEIGHT + row * LANE_HEIGHT + (LANE_HEIGHT - height) / 2
        return QRectF(x0, top, max(1.0, x1 - x0), height)

    def span_at(self, x: float, y: float) -> tuple[Lane, Span] | None:
        """The lane and span under a point, preferring invocations (they are the narrow ones)."""
        row = int((y - AXIS_HEIGHT) // LANE_HEIGHT)
        lanes = list(self.model.lanes.values())
        if y < AXIS_HEIGHT or not 0 <= row < len(lanes):
            return None
        lane, now = lanes[row], self.current_end()
        hits = [
            s
            for s in lane.spans
            if self.span_rect(row, s, now).adjusted(-2, 0, 2, 0).contains(x, y)
        ]
        hits.sort(key=lambda s: s.phase is not Phase.INVOKE)
        return (lane, hits[0]) if hits else None

    # ----- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        dark = is_dark(palette)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if self.model.lanes:
            self._paint_axis(painter, palette)
        now = self.current_end()
        start = self.view_start()
        for row, lane in enumerate(self.model.lanes.values()):
            self._paint_lane(painter, row, lane, start, now, dark, palette)
        if not self.model.lanes:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect().adjusted(LABEL_WIDTH, AXIS_HEIGHT, 0, 0),
                Qt.AlignmentFlag.AlignCenter,
                "No environments yet: invoke the function to start one.",
            )
        painter.end()

    def _paint_axis(self, painter: QPainter, palette: QPalette) -> None:
        start, step = self.view_start(), _tick_step(self.window_s)
        right = start + self.window_s
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(70)
        text = palette.color(QPalette.ColorRole.PlaceholderText)
        t = (start // step + 1) * step  # ticks on round wall-clock times
        while t <= right:
            x = self.x_of(t)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, AXIS_HEIGHT - 4), QPointF(x, self.height()))
            if x - 40 >= LABEL_WIDTH and x + 40 <= self.width():  # never a clipped label
                painter.setPen(text)
                painter.drawText(
                    QRectF(x - 40, 2, 80, AXIS_HEIGHT - 6),
                    Qt.AlignmentFlag.AlignCenter,
                    _tick_label(t, step),
                )
            t += step

    def _paint_lane(self, painter, row, lane: Lane, start, now, dark, palette) -> None:
        top = AXIS_HEIGHT + row * LANE_HEIGHT
        if row % 2:
            stripe = palette.color(QPalette.ColorRole.AlternateBase)
            painter.fillRect(QRectF(0, top, self.width(), LANE_HEIGHT), stripe)
        painter.setPen(
            palette.color(
                QPalette.ColorRole.Text if lane.alive else QPalette.ColorRole.PlaceholderText
            )
        )
        label = lane.env_id if lane.alive else f"{lane.env_id} ✕"
        painter.drawText(
            QRectF(8, top, LABEL_WIDTH - 12, LANE_HEIGHT),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            label,
        )
        painter.setClipRect(QRectF(LABEL_WIDTH, top, self.width() - LABEL_WIDTH, LANE_HEIGHT))
        for span in lane.spans:
            if span.end_or(now) < start and span.phase is not Phase.INVOKE:
                continue
            self._paint_span(painter, row, span, now, dark)
        painter.setClipping(False)

    def _paint_span(self, painter: QPainter, row: int, span: Span, now: float, dark: bool) -> None:
        rect = self.span_rect(row, span, now)
        if rect.right() < LABEL_WIDTH:
            return
        if span.phase is Phase.REAPED:
            painter.setPen(QPen(QColor(PHASE_COLOURS[Phase.REAPED][dark]), 2))
            c = rect.center()
            painter.drawLine(QPointF(c.x() - 4, c.y() - 4), QPointF(c.x() + 4, c.y() + 4))
            painter.drawLine(QPointF(c.x() - 4, c.y() + 4), QPointF(c.x() + 4, c.y() - 4))
            return
        fill = QColor(PHASE_COLOURS[span.phase][dark])
        if span.error and span.phase in (Phase.INVOKE, Phase.INIT):
            fill = QColor(ERROR_COLOUR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        radius = 2.0 if rect.width() > 4 else 0.0
        painter.drawRoundedRect(rect, radius, radius)
        if span.phase is Phase.INVOKE and span.cold:
            self._paint_cold_mark(painter, rect)
        if span.phase is Phase.INVOKE and rect.width() > 56 and span.billed_ms is not None:
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{span.billed_ms} ms")

    @staticmethod
    def _paint_cold_mark(painter: QPainter, rect: QRectF) -> None:
        x, y = rect.left(), rect.top() - 1
        painter.setBrush(QColor(COLD_COLOUR))
        painter.drawPolygon(
            QPolygonF([QPointF(x - 4, y - 6), QPointF(x + 4, y - 6), QPointF(x, y)])
        )

    # ----- hover -----------------------------------------------------------------------
    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.span_at(event.position().x(), event.position().y())
            if hit:
                QToolTip.showText(event.globalPos(), describe_span(*hit, self.current_end()), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


def describe_span(lane: Lane, span: Span, now: float) -> str:
    """The tooltip text of a span."""
    length_ms = (span.end_or(now) - span.start) * 1000
    lines = [f"{lane.env_id} — {span.phase.value}"]
    if span.phase is Phase.REAPED:
        lines.append(f"environment ended ({lane.end_reason})")
    else:
        lines.append(f"{length_ms:,.1f} ms" + (" so far" if span.end is None else ""))
    if span.request_id:
        lines.append(f"request {span.request_id}")
    if span.billed_ms is not None:
        lines.append(f"billed {span.billed_ms} ms")
    if span.cold:
        lines.append("cold start")
    if span.error:
        lines.append(f"error: {span.error}")
    return "\n".join(lines)


def _tick_step(window_s: float) -> float:
    for step in (0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600):
        if window_s / step <= 8:
            return float(step)
    return 7200.0


def _tick_label(at: float, step: float) -> str:
    """Wall-clock time of a tick, as the log stream's timestamps read."""
    clock = time.strftime("%H:%M:%S", time.localtime(at))
    if step < 1:
        return time.strftime("%M:%S", time.localtime(at)) + f".{round(at * 100) % 100:02d}"
    return clock
