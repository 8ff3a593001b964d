"""Each lane's bars at one zoom, kept between frames, so a repaint only slices and draws them.

Bars are QRectF in lane-local pixels, x = (t - origin) × px_per_s, merged per colour where
they are closer than a pixel. Following "now" only shifts the view, which a painter
translation absorbs; new spans extend the cache; a zoom rebuilds it. Open spans (still
growing) are never cached.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QRectF

from workbench.ui.timeline_model import Lane, Phase, Span

MIN_SPAN_PX = 6.0  # a 2 ms invocation or init stays visible and clickable at any zoom
MERGE_PX = 1.0  # same-colour spans closer than this are drawn as one rect
BILLED_LABEL_PX = 44  # an invocation this wide shows its billed duration
BAR_HEIGHT = 16  # init and invoke: the phases that cost time and money
THIN_HEIGHT = 8  # idle and frozen: drawn thinner so invocations stand out
LANE_HEIGHT = 30
ERROR_KEY = "error"  # failed inits and invocations share one colour


def bar_geometry(phase: Phase, row_top: float) -> tuple[float, float]:
    """(top, height) of a phase's bar inside a lane starting at row_top."""
    height = BAR_HEIGHT if phase in (Phase.INIT, Phase.INVOKE) else THIN_HEIGHT
    return row_top + (LANE_HEIGHT - height) / 2, height


def bar_key(span: Span) -> Phase | str:
    """Which colour a span is drawn in: its phase, or the error colour."""
    if span.error and span.phase in (Phase.INIT, Phase.INVOKE):
        return ERROR_KEY
    return span.phase


class LaneBars:
    """One lane's closed spans as merged bars, per colour, at one zoom."""

    def __init__(self, px_per_s: float, origin: float) -> None:
        self.px_per_s = px_per_s
        self.origin = origin
        self.rects: dict[Phase | str, list[QRectF]] = {}
        self.lefts: dict[Phase | str, list[float]] = {}
        self.rights: dict[Phase | str, list[float]] = {}
        self.details: list[Span] = []  # reaped marks, cold starts, wide (labelled) invocations
        self.detail_x: list[float] = []
        self.widest_detail = 0.0  # px: how far before the view a visible detail may start
        self.by_request: dict[str, Span] = {}
        self.done = 0  # how many of the lane's spans are folded in
        self.first: Span | None = None

    def fits(self, lane: Lane, px_per_s: float, origin: float) -> bool:
        """Whether this cache still describes the lane at this zoom (it may need extending)."""
        spans = lane.spans
        return (
            self.px_per_s == px_per_s
            and self.origin == origin
            and len(spans) >= self.done
            and (self.done == 0 or (bool(spans) and spans[0] is self.first))
        )

    def extend(self, lane: Lane) -> None:
        """Fold in the lane's spans that closed since the last call."""
        spans = lane.spans
        closed = len(spans) if not spans or spans[-1].end is not None else len(spans) - 1
        if closed <= self.done:
            return
        if self.done == 0:
            self.first = spans[0] if spans else None
        k, origin = self.px_per_s, self.origin
        for span in spans[self.done : closed]:
            x0 = (span.start - origin) * k
            x1 = (span.end - origin) * k if span.end is not None else x0
            if span.request_id:
                self.by_request[span.request_id] = span
            if span.phase is Phase.REAPED or (
                span.phase is Phase.INVOKE and (span.cold or x1 - x0 >= BILLED_LABEL_PX)
            ):
                self.details.append(span)
                self.detail_x.append(x0)
                self.widest_detail = max(self.widest_detail, x1 - x0)
            if span.phase is Phase.REAPED:
                continue
            if span.phase in (Phase.INIT, Phase.INVOKE):
                x1 = max(x1, x0 + MIN_SPAN_PX)
            elif span.phase is not Phase.INIT and x1 - x0 < 0.5:
                continue  # an idle or frozen moment too short to see: the bars beside it cover it
            self._add(bar_key(span), span.phase, x0, x1)
        self.done = closed

    def _add(self, key: Phase | str, phase: Phase, x0: float, x1: float) -> None:
        rects = self.rects.get(key)
        if rects is None:
            rects = self.rects[key] = []
            self.lefts[key], self.rights[key] = [], []
        rights = self.rights[key]
        if rights and x0 - rights[-1] < MERGE_PX:
            if x1 > rights[-1]:
                rights[-1] = x1
                rects[-1].setRight(x1)
            return
        top, height = bar_geometry(phase, 0.0)
        rects.append(QRectF(x0, top, x1 - x0, height))
        self.lefts[key].append(x0)
        rights.append(x1)

    def visible(self, key: Phase | str, lo: float, hi: float) -> list[QRectF]:
        """The bars of one colour that reach into local x from lo to hi."""
        first = bisect_left(self.rights[key], lo)
        return self.rects[key][first : bisect_right(self.lefts[key], hi, lo=first)]

    def visible_details(self, lo: float, hi: float) -> list[Span]:
        """Detail spans that reach into local x from lo to hi (a label may start before)."""
        first = bisect_left(self.detail_x, lo - self.widest_detail - 8)
        return self.details[first : bisect_right(self.detail_x, hi, lo=first)]
