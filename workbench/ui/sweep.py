"""The memory sweep, as AWS Lambda Power Tuning does it: one event at several memory sizes.

For each size the function is redeployed (so every environment starts cold), one cold
invocation is made and discarded, then N warm ones are measured. The deployed settings are
restored at the end, whatever happens. No Qt here: the billing pane drives it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from workbench.core.billing import charge_for
from workbench.core.errors import InvokeError
from workbench.core.model import MEMORY_RANGE_MB, FunctionConfig
from workbench.core.outcomes import Served
from workbench.core.service import LambdaService

DEFAULT_SIZES = (128, 256, 512, 1024, 1769, 3008)
DEFAULT_WARM = 5
MAX_SIZES = 12

Progress = Callable[[int, int, str], None]  # (done, total, what is happening)


class SweepCancelled(Exception):
    """The learner cancelled the sweep; the deployed settings were restored."""


class SweepFailed(Exception):
    """An invocation was refused (e.g. throttled); the deployed settings were restored."""


@dataclass(frozen=True)
class SweepPoint:
    """What one memory size measured over its warm invocations."""

    memory_mb: int
    durations_ms: tuple[float, ...]
    billed_ms: tuple[int, ...]
    costs: tuple[Decimal, ...] = field(repr=False)
    errors: int = 0
    cold_duration_ms: float | None = None

    @property
    def duration_ms(self) -> float:
        """The median warm duration (robust to one slow outlier)."""
        return statistics.median(self.durations_ms) if self.durations_ms else 0.0

    @property
    def cost(self) -> Decimal:
        """The mean cost of one warm invocation, in dollars."""
        return sum(self.costs, Decimal(0)) / len(self.costs) if self.costs else Decimal(0)


def parse_sizes(text: str) -> list[int]:
    """Memory sizes from "128, 256 512"; ValueError naming the problem."""
    sizes: list[int] = []
    for part in text.replace(",", " ").split():
        try:
            value = int(part)
        except ValueError:
            raise ValueError(f"{part!r} is not a whole number of MB") from None
        low, high = MEMORY_RANGE_MB
        if not low <= value <= high:
            raise ValueError(f"{value} MB is out of range: use {low:,} to {high:,} MB")
        if value not in sizes:
            sizes.append(value)
    if not sizes:
        raise ValueError("give at least one memory size")
    if len(sizes) > MAX_SIZES:
        raise ValueError(f"at most {MAX_SIZES} sizes at once")
    return sorted(sizes)


def best(points: Sequence[SweepPoint]) -> tuple[SweepPoint | None, SweepPoint | None]:
    """(cheapest, fastest) among points that had no errors."""
    clean = [p for p in points if p.durations_ms and not p.errors]
    if not clean:
        return None, None
    cheapest = min(clean, key=lambda p: (p.cost, p.duration_ms))
    fastest = min(clean, key=lambda p: (p.duration_ms, p.cost))
    return cheapest, fastest


async def run_sweep(
    service: LambdaService,
    name: str,
    payload: bytes,
    sizes: Sequence[int],
    warm: int = DEFAULT_WARM,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[SweepPoint]:
    """Measure each memory size; restores the deployed config before returning or raising."""
    original = service.function(name)
    total = len(sizes) * (warm + 1)
    done = 0
    points: list[SweepPoint] = []

    def step(text: str) -> None:
        if cancelled():
            raise SweepCancelled("cancelled")
        if progress is not None:
            progress(done, total, text)

    try:
        for memory in sizes:
            step(f"{memory:,} MB: deploying, then a cold start (discarded)")
            trial = original.with_changes(memory_mb=memory)
            service.deploy(trial)
            cold = (await _invoke(service, name, payload)).report.duration_ms
            done += 1
            points.append(await _measure(service, trial, payload, warm, cold, step))
            done += warm
    finally:
        service.deploy(original)
    if progress is not None:
        progress(total, total, "done: the deployed settings are back")
    return points


async def _measure(
    service: LambdaService,
    config: FunctionConfig,
    payload: bytes,
    warm: int,
    cold_ms: float,
    step: Callable[[str], None],
) -> SweepPoint:
    durations, billed, costs, errors = [], [], [], 0
    for number in range(1, warm + 1):
        step(f"{config.memory_mb:,} MB: warm invocation {number} of {warm}")
        served = await _invoke(service, config.name, payload)
        report = served.report
        durations.append(report.duration_ms)
        billed.append(report.billed_duration_ms)
        charge = charge_for(
            report,
            architecture=config.architecture,
            ephemeral_storage_mb=config.ephemeral_storage_mb,
        )
        costs.append(charge.total)
        errors += bool(served.function_error)
    return SweepPoint(
        config.memory_mb, tuple(durations), tuple(billed), tuple(costs), errors, cold_ms
    )


async def _invoke(service: LambdaService, name: str, payload: bytes) -> Served:
    """One synchronous invocation; SweepFailed when the service refuses it."""
    try:
        return await service.invoke(name, payload)
    except InvokeError as exc:
        raise SweepFailed(f"{exc.error_type}: {exc.message}") from exc
