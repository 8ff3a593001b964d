"""The timeline's time axis and the words it shows: tick labels and hover descriptions."""

from __future__ import annotations

import time

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen

from workbench.ui.panes.timeline_paint import AXIS_HEIGHT, LABEL_WIDTH, Scale
from workbench.ui.panes.timeline_style import MarkStyle, marks, style
from workbench.ui.timeline_model import Lane, Mark, Phase, Span


def paint_axis(painter: QPainter, palette: QPalette, scale: Scale, window_s: float, size) -> None:
    """Grid lines and wall-clock labels on round times."""
    width, height = size
    step = tick_step(window_s, width - LABEL_WIDTH)
    right = scale.start + window_s
    # Mixed with the background beforehand: translucent lines are ~6× slower to draw.
    grid = _mix(palette.color(QPalette.ColorRole.Mid), palette.color(QPalette.ColorRole.Base), 0.3)
    text = palette.color(QPalette.ColorRole.PlaceholderText)
    ticks = []
    t = (scale.start // step + 1) * step
    while t <= right:
        ticks.append(t)
        t += step
    # Crisp one-pixel lines, drawn in one call: antialiased full-height lines cost ~1 ms each.
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(grid, 1))
    xs = [round(scale.x(t)) for t in ticks]
    painter.drawLines([QLineF(x, AXIS_HEIGHT - 4, x, height) for x in xs])
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(text)
    for x, t in zip(xs, ticks, strict=True):
        if x - 40 >= LABEL_WIDTH and x + 40 <= width:  # never a clipped label
            painter.drawText(
                QRectF(x - 40, 2, 80, AXIS_HEIGHT - 6),
                Qt.AlignmentFlag.AlignCenter,
                tick_label(t, step),
            )


def _mix(colour: QColor, background: QColor, share: float) -> QColor:
    """colour laid over background at `share` opacity, as one opaque colour."""
    return QColor.fromRgbF(
        background.redF() + (colour.redF() - background.redF()) * share,
        background.greenF() + (colour.greenF() - background.greenF()) * share,
        background.blueF() + (colour.blueF() - background.blueF()) * share,
    )


def tick_step(window_s: float, width_px: float = 800) -> float:
    """A round tick interval giving a label about every 100 px."""
    wanted = max(2, width_px / 100)
    for step in (0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30):
        if window_s / step <= wanted:
            return float(step)
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200):
        if window_s / step <= wanted:
            return float(step)
    return 14400.0


def tick_label(at: float, step: float) -> str:
    """Wall-clock time of a tick, as the log stream's timestamps read (MM:SS.f below 1 s)."""
    local = time.localtime(at)
    if step >= 1:
        return time.strftime("%H:%M:%S", local)
    digits = len(f"{step:.3f}".rstrip("0").split(".")[1])  # 0.5 → 1, 0.25 → 2, 0.005 → 3
    fraction = f"{at % 1:.{digits}f}"
    if fraction.startswith("1"):  # 59.96 rounded up: the next second
        local, fraction = time.localtime(at + 1), f"{0:.{digits}f}"
    return time.strftime("%M:%S", local) + fraction[1:]


def describe_span(lane: Lane, span: Span, now: float) -> str:
    """The tooltip text of a span."""
    length_ms = (span.end_or(now) - span.start) * 1000
    kind = "provisioned" if lane.provisioned else "on-demand"
    lines = [f"{lane.title} ({kind}) — {span.phase.value}"]
    if span.phase is Phase.REAPED:
        lines.append(f"environment ended ({lane.end_reason})")
    else:
        lines.append(f"{length_ms:,.1f} ms" + (" so far" if span.end is None else ""))
    if span.request_id:
        lines.append(f"request {span.request_id}")
    if span.billed_ms is not None:
        lines.append(f"billed {span.billed_ms:,} ms")
    if span.cold:
        lines.append("cold start")
    if span.error:
        lines.append(f"error: {span.error}")
    if span.request_id:
        lines.append("Click to show its log lines")
    return "\n".join(lines)


def describe_mark(mark: Mark) -> str:
    """The tooltip text of a mark on the Requests row, worded by its style-table entry."""
    entry = style(mark.kind)
    what = entry.says if isinstance(entry, MarkStyle) else entry.name
    clock = (
        time.strftime("%H:%M:%S", time.localtime(mark.at)) + f".{int(mark.at * 1000) % 1000:03d}"
    )
    lines = [f"{mark.function}: {what}", f"request {mark.request_id}", f"at {clock}"]
    if mark.detail:
        lines.append(mark.detail)
    return "\n".join(lines)


def describe_row(content: Lane | str) -> str:
    """The tooltip of a row's label."""
    if isinstance(content, str):
        kinds = ", ".join(f"{entry.name} ({entry.glyph})" for entry in marks())
        return f"Requests that no environment served: {kinds}"
    kind = (
        "provisioned concurrency: initialised ahead of traffic, never reaped when idle"
        if content.provisioned
        else "on-demand: started by an invocation"
    )
    state = "alive" if content.alive else f"ended ({content.end_reason})"
    return (
        f"{content.title} ({content.env_id}) — {kind}\n"
        f"{state}; {content.invocations} invocation(s), {content.cold_starts} cold"
    )


def placeholder_text(folded: int) -> str:
    """What an empty view says, given how many ended environments are folded away."""
    if folded:
        return (
            f"No environment is alive: {folded} ended environment(s) folded away "
            "(tick Show ended to see them). Invoke the function to start one."
        )
    return "No environments yet: invoke the function to start one."
