"""Asynchronous (Event) invocations: Lambda's internal queue, retries and back-off.

Function errors are retried twice, after 1 and 2 minutes; throttles and system errors go
back on the queue with exponential back-off (1 s up to 5 min) until the event is older than
the maximum event age (6 h by default). A function with reserved concurrency 0 gets no
retries (invocation-async.html, LAMBDA_FACTS A7).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from workbench.core import errors
from workbench.core.clock import Clock
from workbench.core.destinations import DestinationRouter, invocation_record
from workbench.core.events import (
    DestinationDelivered,
    EventBus,
    InvocationDropped,
    InvocationQueued,
)
from workbench.core.model import FunctionConfig, parse_target
from workbench.core.outcomes import Served

Runner = Callable[[str, bytes, str], Awaitable[Served]]


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
    ) -> None:
        self._run = run
        self._is_disabled = is_disabled
        self._router = router
        self._bus = bus
        self._clock = clock
        self.policy = policy

    async def handle(self, config: FunctionConfig, payload: bytes, request_id: str) -> None:
        """Deliver an event, then send the outcome where the function's settings say."""
        outcome = await self.deliver(
            config.name,
            payload,
            request_id,
            max_retries=config.max_retry_attempts,
            max_event_age_s=config.max_event_age_s,
        )
        success = outcome.condition == "Success"
        record = invocation_record(
            function_arn=config.arn,
            request_id=request_id,
            condition=outcome.condition,
            attempts=outcome.attempts,
            request_payload=payload,
            result=outcome.result,
            now=self._clock.now(),
        )
        destination = config.on_success if success else config.on_failure
        if destination:
            await self._send(config.name, request_id, destination, record, outcome.condition)
        if not success and config.dead_letter:
            event = record["requestPayload"]  # a dead-letter queue gets only the event
            await self._send(config.name, request_id, config.dead_letter, event, outcome.condition)

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

    async def deliver(
        self,
        name: str,
        payload: bytes,
        request_id: str,
        *,
        max_retries: int = 2,
        max_event_age_s: float | None = None,
    ) -> AsyncOutcome:
        """Keep trying until success, retries run out, or the event is too old."""
        max_age = self.policy.max_event_age_s if max_event_age_s is None else max_event_age_s
        queued_at = self._clock.monotonic()
        attempt, error_retries, throttle_delay = 1, 0, self.policy.throttle_first_delay_s
        last: Served | None = None
        while True:
            try:
                last = await self._run(name, payload, request_id)
            except errors.InvokeError as exc:
                if exc.status == 429 and self._is_disabled(name):
                    return self._give_up(name, request_id, "FunctionDisabled", attempt, last)
                delay = throttle_delay  # throttles and service errors: back on the queue
                throttle_delay = min(throttle_delay * 2, self.policy.throttle_max_delay_s)
            else:
                if last.function_error is None:
                    return AsyncOutcome("Success", attempt, last)
                retries = min(max_retries, len(self.policy.error_delays_s))
                if error_retries >= retries:
                    return self._give_up(name, request_id, "RetriesExhausted", attempt, last)
                delay = self.policy.error_delays_s[error_retries]
                error_retries += 1
            if self._clock.monotonic() - queued_at + delay > max_age:
                return self._give_up(name, request_id, "EventAgeExceeded", attempt, last)
            await asyncio.sleep(delay)
            attempt += 1
            self._bus.publish(
                InvocationQueued(
                    at=self._clock.now(), function=name, request_id=request_id, attempt=attempt
                )
            )

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
