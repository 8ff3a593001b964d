"""Asynchronous (Event) invocations: Lambda's internal queue, retries and back-off.

Function errors are retried twice, after 1 and 2 minutes; throttles and system errors go
back on the queue with exponential back-off (1 s up to 5 min) until the event is older than
the maximum event age (6 h by default). A function with reserved concurrency 0 gets no
retries (invocation-async.html, LAMBDA_FACTS A7).

Throttle back-off is jittered (each wait is 50-150 % of the exponential step), so events
throttled together do not come back together in lockstep waves. AWS documents the back-off
range, not its jitter: the spread is our choice.

An event whose next try would come after its maximum age is given up when it reaches that
age (not earlier), with condition EventAgeExceeded and the attempts made so far.

With an EventStore, every accepted event is written before the 202 and removed only when
it is finished with, so events survive a crash and resume on the next start (at least once).
At most `slots` events run at a time (the account's concurrency): the rest wait their turn
in the queue instead of all starting environments at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from workbench.core import errors
from workbench.core.clock import Clock
from workbench.core.destinations import DestinationRouter, invocation_record
from workbench.core.event_store import EventStore, StoredEvent
from workbench.core.events import (
    DestinationDelivered,
    EventBus,
    InvocationDropped,
    InvocationQueued,
)
from workbench.core.model import FunctionConfig, parse_target
from workbench.core.outcomes import Served

# (function name, payload, request id, qualifier) -> the served invocation
Runner = Callable[[str, bytes, str, str | None], Awaitable[Served]]
JITTER = (0.5, 1.5)  # a throttled event waits 50-150 % of its back-off step
_SLEEP_CHUNK_S = 1.0  # re-read the clock this often while waiting (its speed may change)


@dataclass(frozen=True)
class RetryPolicy:
    """Lambda's defaults; tests and lessons shorten the waits."""

    error_delays_s: tuple[float, ...] = (60.0, 120.0)
    throttle_first_delay_s: float = 1.0
    throttle_max_delay_s: float = 300.0
    max_event_age_s: float = 21_600.0


class AsyncInvoker:
    """Runs queued invocations in the background and retries them as Lambda does."""

    def __init__(
        self,
        run: Runner,
        is_disabled: Callable[[str], bool],
        router: DestinationRouter,
        bus: EventBus,
        clock: Clock,
        policy: RetryPolicy,
        *,
        store: EventStore | None = None,
        slots: int = 1_000,
        rng: random.Random | None = None,
    ) -> None:
        self._run = run
        self._is_disabled = is_disabled
        self._router = router
        self._bus = bus
        self._clock = clock
        self.policy = policy
        self.store = store
        self._slots = asyncio.Semaphore(slots)
        self._rng = rng or random.Random()
        self._in_memory: set[str] = set()  # request ids of events not yet finished (no store)

    def accept(
        self, function: str, payload: bytes, request_id: str, qualifier: str | None = None
    ) -> StoredEvent:
        """Take an event into the queue (on disk, when there is a store) before the 202."""
        event = StoredEvent(request_id, function, payload, self._clock.now(), qualifier)
        if self.store is not None:
            self.store.add_event(event)
        self._in_memory.add(request_id)
        return event

    def resume(self, functions: set[str]) -> list[StoredEvent]:
        """Events a previous run accepted and did not finish, for these functions."""
        if self.store is None:
            return []
        # Events this invoker is already delivering are its own too: not twice.
        events = [
            e for e in self.store.claim_events(functions) if e.request_id not in self._in_memory
        ]
        self._in_memory.update(e.request_id for e in events)
        return events

    def pending(self) -> int:
        """Accepted events not finished yet (this service's)."""
        if self.store is not None:
            return self.store.pending_events()
        return len(self._in_memory)

    async def handle(self, config: FunctionConfig, event: StoredEvent) -> None:
        """Deliver an event, then send the outcome where the function's settings say."""
        outcome = await self.deliver(
            event, max_retries=config.max_retry_attempts, max_event_age_s=config.max_event_age_s
        )
        success = outcome.condition == "Success"
        record = invocation_record(
            function_arn=config.arn,
            request_id=event.request_id,
            condition=outcome.condition,
            attempts=outcome.attempts,
            request_payload=event.payload,
            result=outcome.result,
            now=self._clock.now(),
        )
        destination = config.on_success if success else config.on_failure
        if destination:
            await self._send(config.name, event.request_id, destination, record, outcome.condition)
        if not success and config.dead_letter:
            body = record["requestPayload"]  # a dead-letter queue gets only the event
            await self._send(
                config.name, event.request_id, config.dead_letter, body, outcome.condition
            )
        self._finished(event.request_id)

    def _finished(self, request_id: str) -> None:
        self._in_memory.discard(request_id)
        if self.store is not None:
            self.store.remove_event(request_id)

    async def _send(
        self, function: str, request_id: str, destination: str, body: object, condition: str
    ) -> None:
        target = parse_target(destination)
        try:
            await self._router.send(target, body)
            delivered, detail = True, ""
        except errors.InvokeError as exc:
            delivered, detail = False, f"{exc.error_type}: {exc.message}"
        self._bus.publish(
            DestinationDelivered(
                at=self._clock.now(),
                function=function,
                request_id=request_id,
                destination=target.arn,
                condition=condition,
                delivered=delivered,
                detail=detail,
            )
        )

    def throttle_delay(self, step_s: float) -> float:
        """One jittered wait for a back-off step."""
        low, high = JITTER
        return step_s * self._rng.uniform(low, high)

    async def deliver(
        self,
        event: StoredEvent,
        *,
        max_retries: int = 2,
        max_event_age_s: float | None = None,
    ) -> AsyncOutcome:
        """Keep trying until success, retries run out, or the event is too old."""
        max_age = self.policy.max_event_age_s if max_event_age_s is None else max_event_age_s
        name, request_id = event.function, event.request_id
        attempt, error_retries = event.attempts, event.error_retries
        step = self.policy.throttle_first_delay_s
        last: Served | None = None
        while True:
            if self._age(event) >= max_age:  # e.g. it expired while the service was stopped
                return self._give_up(name, request_id, "EventAgeExceeded", attempt, last)
            attempt += 1
            if attempt > 1:
                self._bus.publish(
                    InvocationQueued(
                        at=self._clock.now(), function=name, request_id=request_id, attempt=attempt
                    )
                )
            try:
                async with self._slots:
                    last = await self._run(name, event.payload, request_id, event.qualifier)
            except errors.InvokeError as exc:
                if exc.status == 429 and self._is_disabled(name):
                    return self._give_up(name, request_id, "FunctionDisabled", attempt, last)
                delay = self.throttle_delay(step)  # throttles and service errors: back on the queue
                step = min(step * 2, self.policy.throttle_max_delay_s)
            else:
                if last.function_error is None:
                    return AsyncOutcome("Success", attempt, last)
                retries = min(max_retries, len(self.policy.error_delays_s))
                if error_retries >= retries:
                    return self._give_up(name, request_id, "RetriesExhausted", attempt, last)
                delay = self.policy.error_delays_s[error_retries]
                error_retries += 1
            if self.store is not None:
                self.store.record_attempt(request_id, attempt, error_retries)
            left = max_age - self._age(event)
            if delay >= left:
                # The next try would come too late: the event expires first, at its age.
                await self._sleep(left)
                return self._give_up(name, request_id, "EventAgeExceeded", attempt, last)
            await self._sleep(delay)

    async def _sleep(self, seconds: float) -> None:
        """Wait on the service's clock (the teaching clock may run faster than real time)."""
        until = self._clock.monotonic() + seconds
        while (left := until - self._clock.monotonic()) > 0:
            await asyncio.sleep(min(left, _SLEEP_CHUNK_S))

    def _age(self, event: StoredEvent) -> float:
        return self._clock.now() - event.accepted_at

    def _give_up(
        self, name: str, request_id: str, condition: str, attempts: int, last: Served | None
    ) -> AsyncOutcome:
        self._bus.publish(
            InvocationDropped(
                at=self._clock.now(),
                function=name,
                request_id=request_id,
                reason=_REASONS[condition],
                attempts=attempts,
            )
        )
        return AsyncOutcome(condition, attempts, last)


_REASONS = {
    "FunctionDisabled": "function disabled",
    "RetriesExhausted": "retries exhausted",
    "EventAgeExceeded": "event too old",
}


@dataclass(frozen=True)
class AsyncOutcome:
    """How an asynchronous invocation ended: Lambda's condition, attempts, the last result."""

    # Success | RetriesExhausted | EventAgeExceeded (documented) | FunctionDisabled (UNVERIFIED:
    # our sources do not say which condition AWS reports for reserved concurrency 0).
    condition: str
    attempts: int
    result: Served | None
