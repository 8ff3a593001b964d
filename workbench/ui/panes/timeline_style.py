"""The timeline's one style table: every colour and mark, what it is called, what it means.

The painter takes its colours from here and the legend is generated from here, so a mark
is one entry in one place: add or change it here and both follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from workbench.ui.timeline_model import MarkKind, Phase


@dataclass(frozen=True)
class Style:
    """One thing the timeline draws: its colours (light, dark), glyph, name and meaning."""

    key: str
    light: str
    dark: str
    glyph: str  # how the legend shows it: ■ a bar, ▼ ○ ✕ a mark, "PC" a badge
    name: str  # the legend's word
    meaning: str  # the legend's tooltip sentence

    def colour(self, dark: bool) -> str:
        """The colour for a light or dark palette."""
        return self.dark if dark else self.light


STYLES: tuple[Style, ...] = (
    Style(
        "init", "#e8912d", "#f0a04b", "■", "init",
        "init: the runtime starts and your code outside the handler runs (a cold start)",
    ),
    Style(
        "invoke", "#2f6fde", "#4c8df6", "■", "invoke",
        "invoke: the handler runs for one request (the billed duration)",
    ),
    Style(
        "idle", "#9fd3a8", "#3d7a4c", "■", "idle",
        "idle: the environment is between requests, not yet frozen",
    ),
    Style(
        "frozen", "#b9cde3", "#3b5573", "■", "frozen",
        "frozen: paused between requests; the next request thaws it (a warm start)",
    ),
    Style(
        "error", "#d1242f", "#ff7b72", "■", "error",
        "error: the init or the invocation failed (hover for the error type)",
    ),
    Style(
        "cold", "#bf3989", "#db61a2", "▼", "cold start",
        "cold start (▼ above a bar): this request had to wait for a new environment",
    ),
    Style(
        "reaped", "#8c959f", "#8b949e", "✕", "ended",
        "ended (✕): the environment was reaped when idle, reset or failed",
    ),
    Style(
        "throttled", "#d1242f", "#ff7b72", "▼", "throttled",
        "throttled (▼ on the Requests row): no concurrency was left for the request",
    ),
    Style(
        "queued", "#8250df", "#a371f7", "○", "queued",
        "queued (○ on the Requests row): an asynchronous request waiting for an environment",
    ),
    Style(
        "dropped", "#57606a", "#c9d1d9", "✕", "dropped",
        "dropped (✕ on the Requests row): an asynchronous event given up after its retries",
    ),
    Style(
        "provisioned", "#1a7f37", "#1a7f37", "PC", "provisioned",
        "PC: a provisioned-concurrency environment, initialised ahead of traffic",
    ),
)  # fmt: skip
BY_KEY: dict[str, Style] = {style.key: style for style in STYLES}


def style(key: str) -> Style:
    """The style entry of a phase, mark kind or badge."""
    return BY_KEY[key]


PHASE_KEYS: dict[Phase, str] = {
    Phase.INIT: "init",
    Phase.INVOKE: "invoke",
    Phase.IDLE: "idle",
    Phase.FROZEN: "frozen",
    Phase.REAPED: "reaped",
}
MARK_KEYS: dict[MarkKind, str] = {
    MarkKind.QUEUED: "queued",
    MarkKind.THROTTLED: "throttled",
    MarkKind.DROPPED: "dropped",
}


def legend_html(dark: bool) -> str:
    """The legend line: every entry's glyph in its colour and its name."""
    items = []
    for entry in STYLES:
        colour = entry.colour(dark)
        if len(entry.glyph) > 1:  # a badge: white letters on the colour
            glyph = (
                f'<span style="background:{colour};color:white">&nbsp;{entry.glyph}&nbsp;</span>'
            )
        else:
            glyph = f'<span style="color:{colour}">{escape(entry.glyph)}</span>'
        items.append(f"<nobr>{glyph}&nbsp;{escape(entry.name)}</nobr>")
    return " &nbsp; ".join(items)


def legend_tooltip() -> str:
    """Every entry's meaning, one per line (the legend's tooltip)."""
    return "\n".join(entry.meaning for entry in STYLES)
