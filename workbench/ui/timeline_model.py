"""A pure-Python fold of lifecycle events into timeline lanes and spans, and of the events the
style table declares as marks into the Requests row."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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
from workbench.ui.panes.timeline_style import MarkStyle, mark_for

MAX_SPANS_PER_LANE = 5_000  # keeps a long session bounded; the oldest spans scroll away
TRIM_CHUNK = 500  # spans dropped at once, so trimming a list stays cheap on average
MAX_MARKS = 20_000
PROVISIONED = "provisioned-concurrency"
ACTIVITY_GAP_S = 30.0  # a pause this long starts a new stretch of activity (what "Fit" shows)


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


@dataclass(frozen=True)
class Mark:
    """A moment in a request's life that no environment saw: queued, throttled, dropped…"""

    kind: str  # the key of its entry in the style table (timeline_style.MarkStyle)
    at: float
    function: str
    request_id: str
    detail: str = ""


@dataclass
class Lane:
    """One execution environment's history."""

    env_id: str
    function: str
    created_at: float
    backend: str = ""
    provisioned: bool = False
    # A list, not a deque: painting bisects it by start time, which wants O(1) indexing.
    spans: list[Span] = field(default_factory=list)
    ended_at: float | None = None
    end_reason: str | None = None
    invocations: int = 0
    cold_starts: int = 0
    number: int = 1  # the how-manieth environment of its function the timeline saw

    @property
    def title(self) -> str:
        """The lane's readable name: "hello · env 2"."""
        return f"{self.function} · env {self.number}"

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

    def visible(self, start: float, end: float) -> list[Span]:
        """The spans that overlap [start, end], found by bisection (spans follow each other)."""
        spans = self.spans
        # Spans of a lane follow one another, so the one open at `start` is the last to begin
        # at or before it; everything after it up to `end` overlaps the window.
        first = max(0, bisect_right(spans, start, key=_start) - 1)
        last = bisect_right(spans, end, key=_start, lo=first)
        return spans[first:last]

    def append(self, span: Span) -> None:
        """Add a span, dropping the oldest ones beyond MAX_SPANS_PER_LANE."""
        self.spans.append(span)
        if len(self.spans) > MAX_SPANS_PER_LANE + TRIM_CHUNK:
            del self.spans[:TRIM_CHUNK]


def _start(span: Span) -> float:
    return span.start


class TimelineModel:
    """Folds events into lanes (one per environment), each a list of phase spans."""

    def __init__(self) -> None:
        self.lanes: dict[str, Lane] = {}
        self.marks: list[Mark] = []
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.activity_start: float | None = None  # where the latest stretch of activity began
        self._last_activity: float | None = None  # the last event that was not a reap
        self._numbers: dict[str, int] = {}  # function → environments seen

    def apply(self, event: Event) -> bool:
        """Fold one event in; returns whether the timeline changed."""
        entry = mark_for(event)
        handler = _HANDLERS.get(type(event))
        if handler is None:
            if entry is None:
                return False
            self._note_time(event.at)
            self._add_mark(entry, event)
            return True
        if entry is not None:  # an event may both shape a lane and mark the Requests row
            self._add_mark(entry, event)
        env_id = getattr(event, "env_id", None)
        lane = self.lanes.get(env_id) if env_id else None
        if lane is None and not isinstance(event, EnvironmentCreated):
            # An environment we never saw created (e.g. the pane attached late): adopt it.
            lane = self._new_lane(env_id or "?", event.function, event.at, "")
        # A reap is the service tidying up, not the learner acting: it extends the view to
        # show the ✕ but does not start a new stretch of activity (what "Fit" shows whole).
        self._note_time(event.at, activity=not isinstance(event, EnvironmentReaped))
        handler(self, lane, event)
        return True

    def clear(self) -> None:
        """Forget every lane and mark."""
        self.lanes.clear()
        self.marks.clear()
        self.first_at = self.last_at = self.activity_start = self._last_activity = None
        self._numbers.clear()

    def visible_marks(self, start: float, end: float) -> list[Mark]:
        """The marks between start and end (marks arrive in time order)."""
        first = bisect_left(self.marks, start, key=_mark_time)
        return self.marks[first : bisect_right(self.marks, end, key=_mark_time, lo=first)]

    def find_request(self, request_id: str) -> tuple[Lane, Span] | None:
        """The invocation span of a request id (the latest attempt), if it is still kept."""
        for lane in reversed(self.lanes.values()):
            for span in reversed(lane.spans):
                if span.request_id == request_id:
                    return lane, span
        return None

    def _note_time(self, at: float, activity: bool = True) -> None:
        if self.first_at is None:
            self.first_at = at
        if activity:
            if self._last_activity is None or at - self._last_activity > ACTIVITY_GAP_S:
                self.activity_start = at
            self._last_activity = max(self._last_activity or at, at)
        elif self.activity_start is None:
            self.activity_start = at
        self.last_at = max(self.last_at or at, at)

    def busy(self) -> bool:
        """Whether any environment is initialising or serving right now."""
        return any(lane.busy for lane in self.lanes.values() if lane.alive)

    def _add_mark(self, entry: MarkStyle, event: Event) -> None:
        request_id = getattr(event, "request_id", None) or ""
        self.marks.append(
            Mark(entry.key, event.at, event.function, request_id, entry.detail(event))
        )
        if len(self.marks) > MAX_MARKS + TRIM_CHUNK:
            del self.marks[:TRIM_CHUNK]

    def alive_lanes(self) -> list[Lane]:
        """The environments that still exist."""
        return [lane for lane in self.lanes.values() if lane.alive]

    def _new_lane(self, env_id: str, function: str, at: float, backend: str) -> Lane:
        number = self._numbers[function] = self._numbers.get(function, 0) + 1
        lane = Lane(env_id, function, created_at=at, backend=backend, number=number)
        self.lanes[env_id] = lane
        return lane

    # ----- one method per event kind -------------------------------------------------
    def _created(self, lane: Lane | None, event: EnvironmentCreated) -> None:
        new = self._new_lane(event.env_id, event.function, event.at, event.backend)
        new.provisioned = event.initialization_type == PROVISIONED

    @staticmethod
    def _open(lane: Lane, span: Span) -> Span:
        _close(lane, span.start)
        lane.append(span)
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
        lane.append(Span(Phase.REAPED, event.at, event.at, error=_fail_text(event)))


def _close(lane: Lane, at: float) -> None:
    """End whatever span is open at `at`."""
    for span in reversed(lane.spans):
        if span.end is None:
            span.end = max(at, span.start)
        else:
            break


def _mark_time(mark: Mark) -> float:
    return mark.at


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
