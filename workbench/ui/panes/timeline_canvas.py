"""The timeline's painted surface: rows of lanes under a time axis; zoom, pan, hover and click.

Ctrl+wheel zooms around the mouse, the wheel or a drag pans in time, Shift+wheel scrolls
the rows; a click on an invocation selects its request.

Following keeps the learner's latest activity in view: the right edge sits at the last
event (or at "now" while something initialises or runs), not at a clock sliding on, so a
cold start stays on screen while the learner reads it. With "Fit" the view also widens to
the whole latest stretch of activity. Environments that ended before the view fold away.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from workbench.ui.panes.timeline_bars import MIN_SPAN_PX, LaneBars
from workbench.ui.panes.timeline_paint import (
    AXIS_HEIGHT,
    LABEL_WIDTH,
    LANE_HEIGHT,
    REQUESTS_ROW,
    Hit,
    LanePainter,
    Scale,
    span_rect,
)
from workbench.ui.panes.timeline_text import (
    describe_mark,
    describe_row,
    describe_span,
    paint_axis,
    placeholder_text,
)
from workbench.ui.timeline_model import Lane, Phase, Span, TimelineModel
from workbench.ui.widgets.code_editor import is_dark

FIT_MIN_S = 1.0  # "Fit" never zooms in closer than this (a 100 ms init is ~10% wide)...
FIT_MARGIN = 1.15  # ...and leaves this much room around the activity
NOW_MARGIN = 0.05  # share of the view kept free right of "now", so new spans are not at the edge
ZOOM_RANGE_S = (0.05, 6 * 3600.0)
WHEEL_ZOOM = 1.25  # one wheel notch zooms by this factor
WHEEL_PAN = 0.1  # one wheel notch pans this share of the view
DRAG_PX = 4  # a press that moves less than this is a click


class TimelineCanvas(QWidget):
    """Paints a TimelineModel between view_end - window_s and view_end."""

    sig_view_changed = Signal()
    """Zoom, pan or row scroll changed (the pane syncs its scrollbars and controls)."""

    sig_request_selected = Signal(str)
    """The learner clicked an invocation or mark ("" when they clicked empty space)."""

    def __init__(
        self, model: TimelineModel, now: Callable[[], float] = time.time, parent=None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.now = now
        self.window_s = 15.0
        self.fit = False  # while following, size the window to the latest activity
        self.show_ended = False  # False: environments that ended before the view fold away
        self.view_end: float | None = None  # None: follow the latest activity
        self.first_row = 0
        self.selected: str | None = None
        self._bars: dict[str, LaneBars] = {}  # env id → its bars at the current zoom
        self._press: tuple[float, float] | None = None  # (x, view end) at the press
        self._dragged = False
        self.setMouseTracking(True)
        self.setMinimumHeight(AXIS_HEIGHT + LANE_HEIGHT * 2)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def sizeHint(self) -> QSize:
        return QSize(600, AXIS_HEIGHT + LANE_HEIGHT * 4 + 8)

    # ----- geometry --------------------------------------------------------------------
    def rows(self) -> list[Lane | str]:
        """Every row top to bottom: the requests row (if any marks), then the shown lanes."""
        lanes: list[Lane | str] = list(self.shown_lanes())
        return [REQUESTS_ROW, *lanes] if self.model.marks else lanes

    def shown_lanes(self) -> list[Lane]:
        """Living lanes, and ended ones still in view (all of them with show_ended)."""
        if self.show_ended:
            return list(self.model.lanes.values())
        start = self.view_start()
        return [
            lane
            for lane in self.model.lanes.values()
            if lane.ended_at is None or lane.ended_at >= start
        ]

    def folded_count(self) -> int:
        """How many ended environments are folded away."""
        return len(self.model.lanes) - len(self.shown_lanes())

    def visible_row_count(self) -> int:
        """How many whole rows fit under the axis."""
        return max(1, (self.height() - AXIS_HEIGHT) // LANE_HEIGHT)

    def live_now(self) -> float:
        """The present: open spans reach up to here."""
        return max(self.now(), self.model.last_at or 0.0)

    def activity_end(self) -> float:
        """The latest activity: now while anything initialises or runs, else the last event."""
        if self.model.last_at is None or self.model.busy():
            return self.live_now()
        return self.model.last_at

    def follow_end(self) -> float:
        """The right edge while following: the latest activity, with a little room after it
        (with "Fit", the room that centres the latest stretch of activity)."""
        end, start = self.activity_end(), self.model.activity_start
        if self.fit and start is not None:
            return end + max(self.window_s * NOW_MARGIN, (self.window_s - (end - start)) / 2)
        return end + self.window_s * NOW_MARGIN

    def refit(self) -> None:
        """With "Fit" while following, size the window to the latest stretch of activity."""
        start = self.model.activity_start
        if not self.fit or self.view_end is not None or start is None:
            return
        low, high = ZOOM_RANGE_S
        wanted = (self.activity_end() - start) * FIT_MARGIN
        self.window_s = min(high, max(FIT_MIN_S, low, wanted))

    def current_end(self) -> float:
        """The time at the right edge of the view."""
        if self.view_end is not None:
            return self.view_end
        return self.follow_end()

    def view_start(self) -> float:
        """The time at the left edge of the lanes."""
        return self.current_end() - self.window_s

    def scale(self) -> Scale:
        """The time → x mapping of the current view."""
        width = max(1, self.width() - LABEL_WIDTH - 8)
        return Scale(self.view_start(), width / self.window_s)

    def x_of(self, t: float) -> float:
        """Pixel x of time t."""
        return self.scale().x(t)

    def time_at(self, x: float) -> float:
        """The time under pixel x."""
        scale = self.scale()
        return scale.start + (x - scale.left) / scale.px_per_s

    def span_rect(self, row: int, span: Span, now: float) -> QRectF:
        """Where a span of the row-th visible row is painted."""
        return span_rect(self.scale(), AXIS_HEIGHT + row * LANE_HEIGHT, span, now)

    def hit_at(self, x: float, y: float) -> Hit | None:
        """The span or mark under a point, preferring invocations (they are the narrow ones)."""
        row = int((y - AXIS_HEIGHT) // LANE_HEIGHT)
        rows = self.rows()
        index = self.first_row + row
        if y < AXIS_HEIGHT or x < LABEL_WIDTH or not 0 <= index < len(rows):
            return None
        content = rows[index]
        scale = self.scale()
        if isinstance(content, str):
            t0, t1 = self.time_at(x - 6), self.time_at(x + 6)
            marks = self.model.visible_marks(t0, t1)
            if not marks:
                return None
            return Hit(mark=min(marks, key=lambda m: abs(scale.x(m.at) - x)))
        now = self.live_now()
        pad = (MIN_SPAN_PX + 3) / scale.px_per_s  # a short span is drawn wider than it lasts
        candidates = content.visible(self.time_at(x) - pad, self.time_at(x) + pad)
        hits = [
            s
            for s in candidates
            if self.span_rect(row, s, now).adjusted(-2, 0, 2, 0).contains(x, y)
        ]
        hits.sort(key=lambda s: s.phase is not Phase.INVOKE)
        return Hit(lane=content, span=hits[0]) if hits else None

    def span_at(self, x: float, y: float) -> tuple[Lane, Span] | None:
        """The lane and span under a point, if any."""
        hit = self.hit_at(x, y)
        if hit is None or hit.lane is None or hit.span is None:
            return None
        return hit.lane, hit.span

    # ----- view changes ------------------------------------------------------------------
    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        """Show factor × less time; the time under anchor_x stays put (when not following)."""
        low, high = ZOOM_RANGE_S
        new_window = min(high, max(low, self.window_s / factor))
        self.fit = False
        if self.view_end is not None:
            anchor = self.time_at(anchor_x) if anchor_x is not None else None
            if anchor is not None:
                share = (self.view_end - anchor) / self.window_s
                self.view_end = anchor + share * new_window
        self.window_s = new_window
        self.sig_view_changed.emit()
        self.update()

    def pan_by(self, seconds: float) -> None:
        """Move the view later (positive) or earlier; panning away from now stops following."""
        self.set_view_end(self.current_end() + seconds)

    def set_view_end(self, end: float | None) -> None:
        """Show the time up to end; reaching the present (or None) follows now again."""
        if end is not None and end >= self.follow_end():
            end = None
        self.view_end = end
        self.sig_view_changed.emit()
        self.update()

    def scroll_rows(self, delta: int) -> None:
        """Scroll the rows by delta (positive: down)."""
        limit = max(0, len(self.rows()) - self.visible_row_count())
        self.first_row = min(limit, max(0, self.first_row + delta))
        self.sig_view_changed.emit()
        self.update()

    def select(self, request_id: str | None) -> None:
        """Outline a request's span and marks (None: no selection)."""
        self.selected = request_id or None
        self.update()

    # ----- input -------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms, Shift+wheel scrolls rows, the wheel pans in time."""
        delta = event.angleDelta()
        notches = (delta.y() or delta.x()) / 120
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(WHEEL_ZOOM**notches, event.position().x())
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self.scroll_rows(-round(notches) or (-1 if notches > 0 else 1))
        else:
            self.pan_by(-notches * WHEEL_PAN * self.window_s)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = (event.position().x(), self.current_end())
            self._dragged = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            start_x, start_end = self._press
            moved = event.position().x() - start_x
            if self._dragged or abs(moved) >= DRAG_PX:
                self._dragged = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
                self.set_view_end(start_end - moved / self.scale().px_per_s)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            if not self._dragged:
                self.click_at(event.position())
            self._press = None
            self._dragged = False
            self.unsetCursor()
        super().mouseReleaseEvent(event)

    def click_at(self, point: QPointF) -> None:
        """Select the request under point (or clear the selection) and say so."""
        hit = self.hit_at(point.x(), point.y())
        request_id = hit.request_id if hit is not None else None
        self.select(request_id)
        self.sig_request_selected.emit(request_id or "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.sig_view_changed.emit()  # how many rows fit changed

    # ----- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Base))
        self.paint_into(painter)
        painter.end()

    def paint_into(self, painter: QPainter) -> None:
        """Draw the visible rows (also used by the paint benchmark)."""
        palette = self.palette()
        self.refit()
        rows = self.rows()
        if not rows:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            # The whole width, wrapped: a narrow canvas must not clip the sentence.
            painter.drawText(
                QRectF(self.rect()).adjusted(12, AXIS_HEIGHT, -12, 0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                placeholder_text(self.folded_count()),
            )
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, end, now = self.scale(), self.current_end(), self.live_now()
        paint_axis(painter, palette, scale, self.window_s, (self.width(), self.height()))
        lanes = LanePainter(painter, palette, is_dark(palette), self.width())
        self.first_row = min(self.first_row, max(0, len(rows) - self.visible_row_count()))
        shown = rows[self.first_row : self.first_row + self.visible_row_count() + 1]
        tops = [AXIS_HEIGHT + offset * LANE_HEIGHT for offset in range(len(shown))]
        for offset, top in enumerate(tops):
            lanes.row_background(self.first_row + offset, top)
        painter.setClipRect(QRectF(LABEL_WIDTH, AXIS_HEIGHT, self.width(), self.height()))
        detailed: list[tuple[float, list[Span]]] = []
        for top, content in zip(tops, shown, strict=True):
            if isinstance(content, Lane):
                cached = self._bars_of(content, scale)
                live = [s for s in content.spans[cached.done :] if s.phase is not Phase.REAPED]
                lanes.bars(top, cached, scale, live, now)
                detailed.append((top, self._details_of(cached, live, scale)))
        for top, spans in detailed:
            lanes.details(top, spans, scale, now, self.selected)
        if self.model.marks and self.first_row == 0:
            marks = self.model.visible_marks(scale.start, end)
            lanes.marks(AXIS_HEIGHT, marks, scale, self.selected)
        painter.setClipping(False)
        for top, content in zip(tops, shown, strict=True):
            if isinstance(content, str):
                lanes.label(top, content, True)
            else:
                ended = "" if content.alive else " ✕"
                badge = "PC" if content.provisioned else ""
                lanes.label(top, content.title + ended, content.alive, badge)

    def _bars_of(self, lane: Lane, scale: Scale) -> LaneBars:
        """The lane's cached bars at this zoom, extended with the spans closed since."""
        origin = self.model.first_at or 0.0
        if len(self._bars) > len(self.model.lanes):  # lanes were cleared: forget their bars
            self._bars = {k: v for k, v in self._bars.items() if k in self.model.lanes}
        cached = self._bars.get(lane.env_id)
        if cached is None or not cached.fits(lane, scale.px_per_s, origin):
            cached = self._bars[lane.env_id] = LaneBars(scale.px_per_s, origin)
        cached.extend(lane)
        return cached

    def _details_of(self, cached: LaneBars, live: list[Span], scale: Scale) -> list[Span]:
        """The spans of a lane needing more than a bar: in view, open, or selected."""
        shift = scale.left + (cached.origin - scale.start) * scale.px_per_s
        spans = cached.visible_details(LABEL_WIDTH - shift, self.width() - shift)
        spans = spans + [s for s in live if s.phase is Phase.INVOKE]
        chosen = cached.by_request.get(self.selected) if self.selected else None
        if chosen is not None and chosen not in spans:
            spans.append(chosen)
        return spans

    # ----- hover -----------------------------------------------------------------------
    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos().x(), event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, x: float, y: float) -> str:
        """What hovering at (x, y) explains: a span, a mark, or a lane's name."""
        hit = self.hit_at(x, y)
        if hit is not None and hit.mark is not None:
            return describe_mark(hit.mark)
        if hit is not None and hit.lane is not None and hit.span is not None:
            return describe_span(hit.lane, hit.span, self.live_now())
        if x < LABEL_WIDTH and y >= AXIS_HEIGHT:
            index = self.first_row + int((y - AXIS_HEIGHT) // LANE_HEIGHT)
            rows = self.rows()
            if 0 <= index < len(rows):
                return describe_row(rows[index])
        return ""
