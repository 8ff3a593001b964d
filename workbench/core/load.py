"""A load generator: invocations at a steady rate, with live figures, through the real service.

Arrivals are open-loop (one every 1/rate seconds), so a slow function piles up concurrency
and scales out, as real traffic does; an optional client-side cap on concurrency makes
arrivals wait for a free slot instead.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from workbench.core import errors
from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EnvironmentCreated, Event, InvocationStarted
from workbench.core.service import LambdaService

MAX_RATE = 10_000.0


@dataclass(frozen=True)
class LoadPlan:
    """What to send: rate per second (None: as fast as the concurrency allows), for how long."""

    duration_s: float
    rate_per_s: float | None = None
    concurrency: int | None = None
    payload: bytes = b"{}"
    max_invocations: int | None = None

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ValueError("duration must be more than 0 seconds")
        if self.rate_per_s is not None and not 0 < self.rate_per_s <= MAX_RATE:
            raise ValueError(f"rate must be more than 0 and at most {MAX_RATE:,.0f} per second")
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.rate_per_s is None and self.concurrency is None:
            raise ValueError("give a rate, a concurrency, or both")


@dataclass(frozen=True)
class LoadSnapshot:
    """The figures so far."""

    elapsed_s: float
    sent: int
    succeeded: int
    function_errors: int
    throttled: int
    failed: int
    in_flight: int
    p50_ms: float | None
    p95_ms: float | None
    started: int
    cold_starts: int
    environments_created: int
    environments_now: int
    cost: Decimal

    @property
    def completed(self) -> int:
        return self.succeeded + self.function_errors

    @property
    def cold_share(self) -> float:
        """Of the invocations that started in an environment, the share that started cold."""
        return self.cold_starts / self.started if self.started else 0.0

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s else 0.0


@dataclass
class _Tally:
    latencies_ms: list[float] = field(default_factory=list)
    succeeded: int = 0
    function_errors: int = 0
    throttled: int = 0
    failed: int = 0
    cold: int = 0
    started: int = 0
    created: int = 0
    sent: int = 0
    in_flight: int = 0


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1) by nearest rank, or None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, round(q * 100) - 1)]


class LoadRun:
    """One load run against one function; `run()` returns the final snapshot."""

    def __init__(self, service: LambdaService, function: str, plan: LoadPlan) -> None:
        service.function(function)  # unknown functions fail now, not per invocation
        self.service = service
        self.function = function
        self.plan = plan
        self._tally = _Tally()
        self._meter = BillingMeter()
        self._started = 0.0
        self._stopped = False

    def _observe(self, event: Event) -> None:
        if event.function != self.function:
            return
        self._meter.observe(event)
        if isinstance(event, EnvironmentCreated):
            self._tally.created += 1
        elif isinstance(event, InvocationStarted):
            self._tally.started += 1
            self._tally.cold += event.cold

    def snapshot(self) -> LoadSnapshot:
        t = self._tally
        ordered = sorted(t.latencies_ms)
        return LoadSnapshot(
            elapsed_s=time.monotonic() - self._started if self._started else 0.0,
            sent=t.sent,
            succeeded=t.succeeded,
            function_errors=t.function_errors,
            throttled=t.throttled,
            failed=t.failed,
            in_flight=t.in_flight,
            p50_ms=percentile(ordered, 0.50),
            p95_ms=percentile(ordered, 0.95),
            started=t.started,
            cold_starts=t.cold,
            environments_created=t.created,
            environments_now=len(self.service.environments(self.function)),
            cost=self._meter.cost,
        )

    async def _one(self, slots: asyncio.Semaphore | None) -> None:
        t = self._tally
        try:
            t.in_flight += 1
            started = time.perf_counter()
            result = await self.service.invoke(self.function, self.plan.payload)
            t.latencies_ms.append((time.perf_counter() - started) * 1000)
            if result.function_error:
                t.function_errors += 1
            else:
                t.succeeded += 1
        except errors.InvokeError as exc:
            if exc.status == 429:
                t.throttled += 1
            else:
                t.failed += 1
        finally:
            t.in_flight -= 1
            if slots:
                slots.release()

    async def run(
        self, on_tick: Callable[[LoadSnapshot], None] | None = None, tick_s: float = 1.0
    ) -> LoadSnapshot:
        """Send the planned load, calling on_tick with live figures; wait for every answer."""
        unsubscribe = self.service.bus.subscribe(self._observe)
        self._started = time.monotonic()
        ticker = asyncio.create_task(self._tick(on_tick, tick_s)) if on_tick else None
        tasks: set[asyncio.Task[None]] = set()
        slots = asyncio.Semaphore(self.plan.concurrency) if self.plan.concurrency else None
        interval = 1 / self.plan.rate_per_s if self.plan.rate_per_s else 0.0
        try:
            deadline = self._started + self.plan.duration_s
            while time.monotonic() < deadline and not self._enough():
                if slots:
                    await slots.acquire()
                self._tally.sent += 1
                task = asyncio.create_task(self._one(slots))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                if interval:
                    next_at = self._started + self._tally.sent * interval
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                else:
                    await asyncio.sleep(0)
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            if ticker:
                ticker.cancel()
            unsubscribe()
        return self.snapshot()

    def stop(self) -> None:
        """Send nothing more; `run()` returns once the invocations in flight have answered."""
        self._stopped = True

    def _enough(self) -> bool:
        limit = self.plan.max_invocations
        return self._stopped or (limit is not None and self._tally.sent >= limit)

    async def _tick(self, on_tick: Callable[[LoadSnapshot], None], tick_s: float) -> None:
        while True:
            await asyncio.sleep(tick_s)
            on_tick(self.snapshot())
