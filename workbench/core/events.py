"""Typed lifecycle events (past-tense facts), the bus that publishes them, and their history.

The event stream is the single source of truth: the CLI, the timeline, billing and lesson
checks are all folds over it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

InvocationType = Literal["RequestResponse", "Event", "DryRun"]
InvocationStatus = Literal["success", "error", "timeout"]


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event: when it happened (epoch seconds) and for which function."""

    at: float
    function: str


@dataclass(frozen=True, kw_only=True)
class EnvironmentCreated(Event):
    env_id: str
    backend: str
    initialization_type: str = "on-demand"
    memory_mb: int = 128
    architecture: str = "x86_64"


@dataclass(frozen=True, kw_only=True)
class InitStarted(Event):
    env_id: str
    phase: Literal["init", "invoke"] = "init"


@dataclass(frozen=True, kw_only=True)
class InitCompleted(Event):
    env_id: str
    init_duration_ms: float
    phase: Literal["init", "invoke"] = "init"


@dataclass(frozen=True, kw_only=True)
class InitFailed(Event):
    env_id: str
    init_duration_ms: float
    status: Literal["error", "timeout"]
    error_type: str
    phase: Literal["init", "invoke"] = "init"


@dataclass(frozen=True, kw_only=True)
class EnvironmentFrozen(Event):
    env_id: str


@dataclass(frozen=True, kw_only=True)
class EnvironmentThawed(Event):
    env_id: str


@dataclass(frozen=True, kw_only=True)
class EnvironmentReaped(Event):
    """The environment is gone: idle too long, reset after a failure, shut down, replaced by
    a redeploy, or found dead while idle ("died": killed, out of memory, engine restarted)."""

    env_id: str
    reason: Literal["idle", "reset", "shutdown", "replaced", "died"]


@dataclass(frozen=True, kw_only=True)
class EnvironmentReset(Event):
    """The runtime was shut down after a timeout or crash; the next invocation starts it cold."""

    env_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class EnvironmentFailed(Event):
    env_id: str
    message: str


@dataclass(frozen=True, kw_only=True)
class InvocationQueued(Event):
    """An asynchronous (Event) invocation entered the internal queue."""

    request_id: str
    attempt: int = 1


@dataclass(frozen=True, kw_only=True)
class InvocationThrottled(Event):
    """Refused for lack of concurrency; async invocations go back on the queue."""

    request_id: str
    reason: str
    invocation_type: InvocationType = "RequestResponse"


@dataclass(frozen=True, kw_only=True)
class InvocationDropped(Event):
    """An asynchronous invocation given up: retries exhausted, too old, or function disabled."""

    request_id: str
    reason: str
    attempts: int


@dataclass(frozen=True, kw_only=True)
class DestinationDelivered(Event):
    """An asynchronous invocation's record (or, for a DLQ, its event) sent to a destination."""

    request_id: str
    destination: str
    condition: str
    delivered: bool = True
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class InvocationStarted(Event):
    request_id: str
    env_id: str
    cold: bool
    invocation_type: InvocationType = "RequestResponse"


@dataclass(frozen=True)
class Report:
    """The figures of a REPORT line. status/error_type describe platform failures only
    (timeouts, runtime exits, init errors); handler exceptions are function errors."""

    request_id: str
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None
    status: InvocationStatus = "success"
    error_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class InvocationCompleted(Event):
    request_id: str
    env_id: str
    report: Report
    architecture: str = "x86_64"
    ephemeral_storage_mb: int = 512
    function_error: str | None = None
    invocation_type: InvocationType = "RequestResponse"
    initialization_type: str = "on-demand"


@dataclass(frozen=True, kw_only=True)
class LogLine(Event):
    """One line of the CloudWatch-style log stream."""

    text: str
    env_id: str | None = None
    request_id: str | None = None
    stream: str = ""


Subscriber = Callable[[Event], None]
E = TypeVar("E", bound=Event)


@dataclass
class EventBus:
    """Publishes events synchronously to subscribers and keeps them in a bounded log.

    Subscribers run inside publish(); they must be quick and must not raise (errors are
    contained so that one broken observer cannot stop the service).
    """

    history_limit: int = 100_000
    _subscribers: list[Subscriber] = field(default_factory=list)
    _history: deque[Event] = field(init=False)
    on_subscriber_error: Callable[[Subscriber, BaseException], None] | None = None

    def __post_init__(self) -> None:
        self._history = deque(maxlen=self.history_limit)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call subscriber for every future event; returns a function that unsubscribes."""
        self._subscribers.append(subscriber)
        return lambda: self._unsubscribe(subscriber)

    def _unsubscribe(self, subscriber: Subscriber) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(subscriber)

    def publish(self, event: Event) -> None:
        self._history.append(event)
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception as exc:  # an observer's bug must not break the engine
                if self.on_subscriber_error:
                    self.on_subscriber_error(subscriber, exc)

    def history(self) -> list[Event]:
        """Every event still kept, oldest first."""
        return list(self._history)

    def of_type(self, kind: type[E]) -> Iterator[E]:
        """The kept events of one kind, oldest first."""
        return (e for e in self._history if isinstance(e, kind))

    def queue(self) -> tuple[asyncio.Queue[Event], Callable[[], None]]:
        """An asyncio queue fed with every future event, and its unsubscribe function."""
        q: asyncio.Queue[Event] = asyncio.Queue()
        return q, self.subscribe(q.put_nowait)
