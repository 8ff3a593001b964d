"""The timeline's one style table: every colour and mark, what it is called, what it means.

A mark on the Requests row is one MarkStyle entry here: the core event that places it, its
colour and glyph (how the painter draws it), its legend word and sentence, and its tooltip
wording. The model, the painter, the legend and the tooltips all read this table when they
run, so adding an entry is the whole change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from workbench.core.events import (
    Event,
    InvocationDropped,
    InvocationQueued,
    InvocationThrottled,
)


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


def no_detail(_event: Event) -> str:
    """A mark whose tooltip needs no more than what happened, to which request, when."""
    return ""


@dataclass(frozen=True)
class MarkStyle(Style):
    """A mark on the Requests row: something that happened to a request outside any
    environment. The painter draws ○ as a ring, ▼ as a triangle, ✕ as a cross and any other
    glyph as that character."""

    event: type[Event]  # the core event that places the mark
    says: str  # the tooltip's first line after the function's name
    detail: Callable[[Event], str] = no_detail  # the tooltip's last line, from the event


def _throttle_detail(event: Event) -> str:
    return event.reason if isinstance(event, InvocationThrottled) else ""


def _drop_detail(event: Event) -> str:
    if isinstance(event, InvocationDropped):
        return f"{event.reason} after {event.attempts} attempt(s)"
    return ""


def _queue_detail(event: Event) -> str:
    if isinstance(event, InvocationQueued) and event.attempt > 1:
        return f"retry, attempt {event.attempt}"
    return ""


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
    MarkStyle(
        "throttled", "#d1242f", "#ff7b72", "▼", "throttled",
        "throttled (▼ on the Requests row): no concurrency was left for the request",
        InvocationThrottled, "throttled: no concurrency left", _throttle_detail,
    ),
    MarkStyle(
        "queued", "#8250df", "#a371f7", "○", "queued",
        "queued (○ on the Requests row): an asynchronous request waiting for an environment",
        InvocationQueued, "queued for asynchronous invocation", _queue_detail,
    ),
    MarkStyle(
        "dropped", "#57606a", "#c9d1d9", "✕", "dropped",
        "dropped (✕ on the Requests row): an asynchronous event given up after its retries",
        InvocationDropped, "dropped: the asynchronous event was given up", _drop_detail,
    ),
    Style(
        "provisioned", "#1a7f37", "#1a7f37", "PC", "provisioned",
        "PC: a provisioned-concurrency environment, initialised ahead of traffic",
    ),
)  # fmt: skip


def style(key: str) -> Style:
    """The style entry of a phase, mark kind or badge."""
    return _index().by_key[key]


def marks() -> list[MarkStyle]:
    """The Requests row's mark entries, in legend order."""
    return [entry for entry in STYLES if isinstance(entry, MarkStyle)]


def mark_for(event: Event) -> MarkStyle | None:
    """The mark an event places on the Requests row, if the table declares one."""
    return _index().by_event.get(type(event))


@dataclass(frozen=True)
class _Index:
    styles: tuple[Style, ...]
    by_key: dict[str, Style]
    by_event: dict[type[Event], MarkStyle]


def _build(styles: tuple[Style, ...]) -> _Index:
    by_event = {entry.event: entry for entry in styles if isinstance(entry, MarkStyle)}
    return _Index(styles, {entry.key: entry for entry in styles}, by_event)


_current = _build(STYLES)


def _index() -> _Index:
    """The table's indexes. The table is read where it is used (never copied at import), so
    an entry added to STYLES is seen everywhere; the indexes are rebuilt only when STYLES is
    another tuple (an identity check: the model asks once per event)."""
    global _current
    if _current.styles is not STYLES:
        _current = _build(STYLES)
    return _current


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
