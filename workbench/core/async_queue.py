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
from workbench.core.events import EventBus, InvocationDropped, InvocationQueued
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
        bus: EventBus,
        clock: Clock,
        policy: RetryPolicy,
    ) -> None:
        self._run = run
        self._is_disabled = is_disabled
        self._bus = bus
        self._clock = clock
        self.policy = policy

    async def deliver(self, name: str, payload: bytes, request_id: str) -> None:
        """Keep trying until success, retries run out, or the event is too old."""
        queued_at = self._clock.monotonic()
        attempt, error_retries, throttle_delay = 1, 0, self.policy.throttle_first_delay_s
        while True:
            try:
                result = await self._run(name, payload, request_id)
            except errors.InvokeError as exc:
                if exc.status == 429 and self._is_disabled(name):
                    return self._drop(name, request_id, "function disabled", attempt)
                delay = throttle_delay  # throttles and service errors: back on the queue
                throttle_delay = min(throttle_delay * 2, self.policy.throttle_max_delay_s)
            else:
                if result.function_error is None:
                    return None
                if error_retries >= len(self.policy.error_delays_s):
                    return self._drop(name, request_id, "retries exhausted", attempt)
                delay = self.policy.error_delays_s[error_retries]
                error_retries += 1
            if self._clock.monotonic() - queued_at + delay > self.policy.max_event_age_s:
                return self._drop(name, request_id, "event too old", attempt)
            await asyncio.sleep(delay)
            attempt += 1
            self._bus.publish(
                InvocationQueued(
                    at=self._clock.now(), function=name, request_id=request_id, attempt=attempt
                )
            )

    def _drop(self, name: str, request_id: str, reason: str, attempts: int) -> None:
        self._bus.publish(
            InvocationDropped(
                at=self._clock.now(),
                function=name,
                request_id=request_id,
                reason=reason,
                attempts=attempts,
            )
        )
