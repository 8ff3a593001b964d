"""A pure-Python fold of lifecycle events into timeline lanes and spans (no Qt here)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentFailed,
    EnvironmentFrozen,
    EnvironmentReaped,
    EnvironmentReset,
    EnvironmentThawed,
    Event,
    InitCompleted,
    InitFailed,
    InitStarted,
    InvocationCompleted,
    InvocationStarted,
)

MAX_SPANS_PER_LANE = 5_000  # keeps a long session bounded; the oldest spans scroll away


class Phase(StrEnum):
    """What an environment is doing during a span; the timeline colours spans by phase."""

    INIT = "init"
    INVOKE = "invoke"
    IDLE = "idle"
    FROZEN = "frozen"
    REAPED = "reaped"


@dataclass
class Span:
    """One stretch of time in one phase; end is None while it is still going on."""

    phase: Phase
    start: float
    end: float | None = None
    request_id: str | None = None
    cold: bool = False
    error: str | None = None
    billed_ms: int | None = None
    duration_ms: float | None = None

    def end_or(self, now: float) -> float:
        """The span's end, or now while it is open."""
        return self.end if self.end is not None else now


@dataclass
class Lane:
    """One execution environment's history."""

    env_id: str
    function: str
    created_at: float
    backend: str = ""
    spans: deque[Span] = field(default_factory=lambda: deque(maxlen=MAX_SPANS_PER_LANE))
    ended_at: float | None = None
    end_reason: str | None = None
    invocations: int = 0
    cold_starts: int = 0

    @property
    def alive(self) -> bool:
        """Whether the environment still exists (not reaped or failed)."""
        return self.ended_at is None

    @property
    def current(self) -> Span | None:
        """The open span, if any."""
        if self.spans and self.spans[-1].end is None:
            return self.spans[-1]
        return None

    @property
    def busy(self) -> bool:
        """Whether the environment is initialising or serving right now."""
        span = self.current
        return span is not None and span.phase in (Phase.INIT, Phase.INVOKE)


class TimelineModel:
    """Folds events into lanes (one per environment), each a list of phase spans."""

    def __init__(self) -> None:
        self.lanes: dict[str, Lane] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None

    def apply(self, event: Event) -> bool:
        """Fold one event in; returns whether the timeline changed."""
        handler = _HANDLERS.get(type(event))
        if handler is None:
            return False
        env_id = getattr(event, "env_id", None)
        lane = self.lanes.get(env_id) if env_id else None
        if lane is None and not isinstance(event, EnvironmentCreated):
            # An environment we never saw created (e.g. the pane attached late): adopt it.
            lane = self._new_lane(env_id or "?", event.function, event.at, "")
        if self.first_at is None:
            self.first_at = event.at
        self.last_at = max(self.last_at or event.at, event.at)
        handler(self, lane, event)
        return True

    def clear(self) -> None:
        """Forget every lane."""
        self.lanes.clear()
        self.first_at = self.last_at = None

    def alive_lanes(self) -> list[Lane]:
        """The environments that still exist."""
        return [lane for lane in self.lanes.values() if lane.alive]

    def _new_lane(self, env_id: str, function: str, at: float, backend: str) -> Lane:
        lane = Lane(env_id=env_id, function=function, created_at=at, backend=backend)
        self.lanes[env_id] = lane
        return lane

    # ----- one method per event kind -------------------------------------------------
    def _created(self, lane: Lane | None, event: EnvironmentCreated) -> None:
        self._new_lane(event.env_id, event.function, event.at, event.backend)

    @staticmethod
    def _open(lane: Lane, span: Span) -> Span:
        _close(lane, span.start)
        lane.spans.append(span)
        return span

    def _init_started(self, lane: Lane, event: InitStarted) -> None:
        self._open(lane, Span(Phase.INIT, event.at, cold=True))

    def _init_completed(self, lane: Lane, event: InitCompleted) -> None:
        self._open(lane, Span(Phase.IDLE, event.at))

    def _init_failed(self, lane: Lane, event: InitFailed) -> None:
        span = lane.current
        if span is not None and span.phase is Phase.INIT:
            span.error = f"{event.error_type} ({event.status})"
        self._open(lane, Span(Phase.IDLE, event.at))

    def _invocation_started(self, lane: Lane, event: InvocationStarted) -> None:
        lane.invocations += 1
        lane.cold_starts += int(event.cold)
        self._open(lane, Span(Phase.INVOKE, event.at, request_id=event.request_id, cold=event.cold))

    def _invocation_completed(self, lane: Lane, event: InvocationCompleted) -> None:
        span = lane.current
        if span is None or span.phase is not Phase.INVOKE or span.request_id != event.request_id:
            span = self._open(lane, Span(Phase.INVOKE, event.at, request_id=event.request_id))
        span.billed_ms = event.report.billed_duration_ms
        span.duration_ms = event.report.duration_ms
        if event.function_error or event.report.status != "success":
            span.error = event.report.error_type or event.function_error or event.report.status
        self._open(lane, Span(Phase.IDLE, event.at))

    def _frozen(self, lane: Lane, event: EnvironmentFrozen) -> None:
        self._open(lane, Span(Phase.FROZEN, event.at))

    def _thawed(self, lane: Lane, event: EnvironmentThawed) -> None:
        self._open(lane, Span(Phase.IDLE, event.at))

    def _reset(self, lane: Lane, event: EnvironmentReset) -> None:
        self._open(lane, Span(Phase.IDLE, event.at))

    def _ended(self, lane: Lane, event: EnvironmentReaped | EnvironmentFailed) -> None:
        reason = getattr(event, "reason", None) or "failed"
        lane.ended_at, lane.end_reason = event.at, reason
        _close(lane, event.at)
        # Zero-length on purpose: the view draws it as the lane's end marker.
        lane.spans.append(Span(Phase.REAPED, event.at, event.at, error=_fail_text(event)))


def _close(lane: Lane, at: float) -> None:
    """End whatever span is open at `at`."""
    for span in reversed(lane.spans):
        if span.end is None:
            span.end = max(at, span.start)
        else:
            break


def _fail_text(event: Event) -> str | None:
    return event.message if isinstance(event, EnvironmentFailed) else None


_HANDLERS = {
    EnvironmentCreated: TimelineModel._created,
    InitStarted: TimelineModel._init_started,
    InitCompleted: TimelineModel._init_completed,
    InitFailed: TimelineModel._init_failed,
    InvocationStarted: TimelineModel._invocation_started,
    InvocationCompleted: TimelineModel._invocation_completed,
    EnvironmentFrozen: TimelineModel._frozen,
    EnvironmentThawed: TimelineModel._thawed,
    EnvironmentReset: TimelineModel._reset,
    EnvironmentReaped: TimelineModel._ended,
    EnvironmentFailed: TimelineModel._ended,
}
