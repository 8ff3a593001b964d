"""Drawing the timeline's rows: lanes of phase spans, their labels, and the requests row.

Painting touches only what is on screen: each lane is bisected by start time, and spans
narrower than a pixel are merged per colour, so ten thousand spans cost a few hundred rects.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen, QPolygonF

from workbench.ui.panes.timeline_bars import (
    BILLED_LABEL_PX,
    LANE_HEIGHT,
    MIN_SPAN_PX,
    LaneBars,
    bar_geometry,
    bar_key,
)
from workbench.ui.panes.timeline_style import style
from workbench.ui.timeline_model import Lane, Mark, Phase, Span

# Colours come from the one style table (the legend is generated from the same entries): a
# phase, the error bar and every mark are looked up by key as they are drawn.
LABEL_WIDTH = 172  # room for "function · env 12" and a PC badge
AXIS_HEIGHT = 22
ID_LABEL_PX = 120  # ... and this wide its request id too
REQUESTS_ROW = "Requests"
_ELIDED: dict[tuple[str, float, str], str] = {}  # (name, room, font) → the name as shown
ROUNDED_LIMIT = 24  # up to this many bars of a colour in a lane get rounded corners


@dataclass(frozen=True)
class Scale:
    """Maps times to x pixels for one paint: x = left + (t - start) * px_per_s."""

    start: float
    px_per_s: float
    left: float = LABEL_WIDTH

    def x(self, t: float) -> float:
        """Pixel x of time t."""
        return self.left + (t - self.start) * self.px_per_s


def span_rect(scale: Scale, row_top: float, span: Span, now: float) -> QRectF:
    """Where a span is painted."""
    x0, x1 = scale.x(span.start), scale.x(span.end_or(now))
    if span.phase in (Phase.INIT, Phase.INVOKE):
        x1 = max(x1, x0 + MIN_SPAN_PX)
    top, height = bar_geometry(span.phase, row_top)
    return QRectF(x0, top, max(1.0, x1 - x0), height)


@dataclass(frozen=True)
class Hit:
    """What lies under a point: a lane's span, or a mark in the requests row."""

    lane: Lane | None = None
    span: Span | None = None
    mark: Mark | None = None

    @property
    def request_id(self) -> str | None:
        """The request the hit belongs to, if any."""
        if self.mark is not None:
            return self.mark.request_id
        return self.span.request_id if self.span is not None else None


class LanePainter:
    """Paints lanes and the requests row for one paint event (colours and fonts cached)."""

    def __init__(self, painter: QPainter, palette: QPalette, dark: bool, width: float) -> None:
        self.painter = painter
        self.palette = palette
        self.dark = dark
        self.width = width
        self.small = QFont(painter.font())
        self.small.setPointSizeF(max(7.0, painter.font().pointSizeF() - 1.5))
        self.small_metrics = QFontMetricsF(self.small)
        self.label_font = QFont(painter.font())
        self.label_metrics = QFontMetricsF(self.label_font)
        self._font_key = self.label_font.key()
        self._colours: dict[Phase | str, QColor] = {}
        self._stripe = palette.color(QPalette.ColorRole.AlternateBase)

    def row_background(self, row: int, top: float) -> None:
        """Alternate stripes, so long lanes stay easy to follow."""
        if row % 2:
            self.painter.fillRect(QRectF(0, top, self.width, LANE_HEIGHT), self._stripe)

    def label(self, top: float, text: str, alive: bool, badge: str = "") -> None:
        """The lane's name at the left, with an optional badge (PC: provisioned).

        A long function name is elided in its middle, the " · env N" part always shown.
        """
        painter = self.painter
        role = QPalette.ColorRole.Text if alive else QPalette.ColorRole.PlaceholderText
        painter.setPen(self.palette.color(role))
        painter.setFont(self.label_font)
        room = LABEL_WIDTH - 14 - (28 if badge else 0)
        metrics = self.label_metrics
        key = (text, room, self._font_key)
        shown = _ELIDED.get(key)
        if shown is None:  # measured once per name and font: a repaint only looks it up
            if len(_ELIDED) > 4096:
                _ELIDED.clear()
            shown = _ELIDED[key] = elide_name(
                text, room, metrics.horizontalAdvance, metrics.elidedText
            )
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(QRectF(8, top, room, LANE_HEIGHT), flags, shown)
        if badge:
            x = 8 + metrics.horizontalAdvance(shown) + 5
            chip = QRectF(x, top + LANE_HEIGHT / 2 - 7, 22, 14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(style("provisioned").colour(self.dark)))
            painter.drawRoundedRect(chip, 3, 3)
            painter.setPen(QColor("white"))
            painter.setFont(self.small)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, badge)

    def bars(self, top: float, cached: LaneBars, scale: Scale, live: list[Span], now: float):
        """A lane's cached bars in view, one call per colour, then its still-open spans."""
        painter = self.painter
        k = scale.px_per_s
        shift = scale.left + (cached.origin - scale.start) * k  # screen x of local x = 0
        lo, hi = LABEL_WIDTH - shift, self.width - shift
        painter.setPen(Qt.PenStyle.NoPen)
        painter.translate(shift, top)
        for key in cached.rects:
            rects = cached.visible(key, lo, hi)
            if not rects:
                continue
            painter.setBrush(self._brush(key))
            if len(rects) <= ROUNDED_LIMIT:  # few bars: rounded, antialiased corners
                for rect in rects:
                    radius = 2.0 if rect.width() > 4 else 0.0
                    painter.drawRoundedRect(rect, radius, radius)
            else:  # many: one call; without antialiasing they stay crisp and cheap
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.drawRects(rects)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.translate(-shift, -top)
        for span in live:  # open spans grow every frame, so they are never cached
            painter.setBrush(self._brush(bar_key(span)))
            painter.drawRoundedRect(span_rect(scale, top, span, now), 2.0, 2.0)

    def _brush(self, key: Phase | str) -> QColor:
        colour = self._colours.get(key)
        if colour is None:
            colour = self._colours[key] = QColor(style(key).colour(self.dark))
        return colour

    def details(self, top, spans: list[Span], scale: Scale, now: float, selected) -> None:
        """Cold-start marks, reaped crosses, labels and the selection outline."""
        painter = self.painter
        last_cold_x = -1e9
        for span in spans:
            rect = span_rect(scale, top, span, now)
            if span.phase is Phase.REAPED:
                self._cross(rect.center())
                continue
            if span.cold and rect.left() - last_cold_x >= 6:
                self._cold_mark(rect)
                last_cold_x = rect.left()
            if rect.width() >= BILLED_LABEL_PX:
                self._label(rect, span)
            if selected is not None and span.request_id == selected:
                outline = QPen(self.palette.color(QPalette.ColorRole.Text), 2)
                painter.setPen(outline)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 3, 3)
                painter.setPen(Qt.PenStyle.NoPen)

    def _label(self, rect: QRectF, span: Span) -> None:
        """Billed duration, and the request id when there is room, inside the bar."""
        text = label_text(span, rect.width())
        if not text:
            return
        painter = self.painter
        painter.setFont(self.small)
        inner = rect.adjusted(4, 0, -4, 0)
        # Whole words or nothing: a cut number ("1,14…") reads as a different number.
        fits = [
            t
            for t in label_choices(text)
            if self.small_metrics.horizontalAdvance(t) <= inner.width()
        ]
        if not fits:
            return
        shown = fits[0]
        painter.setPen(QColor("white"))
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, shown)
        painter.setPen(Qt.PenStyle.NoPen)

    def _cold_mark(self, rect: QRectF) -> None:
        x, y = rect.left(), rect.top() - 1
        self.painter.setPen(Qt.PenStyle.NoPen)
        self.painter.setBrush(QColor(style("cold").colour(self.dark)))
        self.painter.drawPolygon(
            QPolygonF([QPointF(x - 4, y - 6), QPointF(x + 4, y - 6), QPointF(x, y)])
        )

    def _cross(self, centre: QPointF, colour: str | None = None, size: float = 4) -> None:
        painter = self.painter
        painter.setPen(QPen(QColor(colour or style(Phase.REAPED).colour(self.dark)), 2))
        x, y = centre.x(), centre.y()
        painter.drawLine(QPointF(x - size, y - size), QPointF(x + size, y + size))
        painter.drawLine(QPointF(x - size, y + size), QPointF(x + size, y - size))
        painter.setPen(Qt.PenStyle.NoPen)

    def marks(self, top: float, marks: list[Mark], scale: Scale, selected) -> None:
        """The requests row: a mark per style-table entry, e.g. queued ○, throttled ▼, dropped ✕.

        Marks of one kind within a few pixels are drawn once, with how many they are.
        """
        groups: list[list] = []  # [kind, x, count, selected?]
        last: dict[str, list] = {}
        for mark in marks:
            x = scale.x(mark.at)
            group = last.get(mark.kind)
            if group is not None and x - group[1] < 4:
                group[2] += 1
            else:
                group = last[mark.kind] = [mark.kind, x, 1, False]
                groups.append(group)
            group[3] = group[3] or (selected is not None and mark.request_id == selected)
        middle = top + LANE_HEIGHT / 2
        for kind, x, count, chosen in groups:
            self._mark(kind, QPointF(x, middle), count, chosen)

    def _mark(self, kind: str, at: QPointF, count: int, chosen: bool) -> None:
        painter = self.painter
        entry = style(kind)
        colour = QColor(entry.colour(self.dark))
        if entry.glyph == "○":
            painter.setPen(QPen(colour, 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(at, 4, 4)
        elif entry.glyph == "▼":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawPolygon(throttle_shape(at.x(), at.y()))
        elif entry.glyph == "✕":
            self._cross(at, colour.name(), 4.5)
        else:  # any other glyph is drawn as itself, centred on the moment
            painter.setPen(colour)
            painter.setFont(self.small)
            box = QRectF(at.x() - 8, at.y() - 8, 16, 16)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, entry.glyph)
        if count > 1:
            painter.setPen(colour)
            painter.setFont(self.small)
            painter.drawText(QPointF(at.x() + 7, at.y() + 4), f"×{count}")
        if chosen:
            painter.setPen(QPen(self.palette.color(QPalette.ColorRole.Text), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(at, 8, 8)


def label_text(span: Span, width_px: float) -> str:
    """What an invocation bar this wide says: billed ms, then the request id as room grows."""
    if span.phase is not Phase.INVOKE or width_px < BILLED_LABEL_PX:
        return ""
    parts = []
    if width_px >= ID_LABEL_PX and span.request_id:
        parts.append(span.request_id[:8])
    if span.billed_ms is not None:
        parts.append(f"{span.billed_ms:,} ms")
    elif span.end is None:
        parts.append("running…")
    return " · ".join(parts)


def label_choices(text: str) -> list[str]:
    """A bar label from the fullest to the shortest: "id · 1,141 ms", "1,141 ms", "1,141"."""
    last = text.rsplit(" · ", 1)[-1]
    choices = [text, last]
    if last.endswith(" ms"):
        choices.append(last.removesuffix(" ms"))
    return list(dict.fromkeys(choices))


def elide_name(text: str, room: float, advance, elided) -> str:
    """Fit "function · env N ✕" into room px: shorten the function, keep the rest whole."""
    if advance(text) <= room:
        return text
    name, sep, rest = text.partition(" · ")
    if not sep:
        return elided(text, Qt.TextElideMode.ElideMiddle, room)
    tail = sep + rest
    return elided(name, Qt.TextElideMode.ElideMiddle, max(0.0, room - advance(tail))) + tail


def throttle_shape(x: float, middle: float) -> QPolygonF:
    """A downward triangle: the request bounced off the concurrency limit."""
    return QPolygonF(
        [QPointF(x - 5.5, middle - 5), QPointF(x + 5.5, middle - 5), QPointF(x, middle + 6)]
    )
