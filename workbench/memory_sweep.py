"""The memory sweep, as AWS Lambda Power Tuning does it: one event at several memory sizes.

The sweep runs on its own copy of the function ("hello--sweep"): the learner's function,
its environments and its reserved or provisioned concurrency are never touched, and the
copy's log lines stay out of the learner's log view. For each size the copy is redeployed
(so every environment starts cold), one cold invocation is made and discarded, then N warm
ones are measured; a failed invocation is kept with its cause in words (timeout, out of
memory, or the error and its message). The copy's environments are retired at the end,
whatever happens. The billing pane drives it.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from workbench.core.billing import charge_for
from workbench.core.errors import InvokeError
from workbench.core.model import MEMORY_RANGE_MB, FunctionConfig
from workbench.core.outcomes import Served
from workbench.core.service import LambdaService

DEFAULT_SIZES = (128, 256, 512, 1024, 1769, 3008)
DEFAULT_WARM = 5
MAX_SIZES = 12
SWEEP_SUFFIX = "--sweep"  # the copy's name: the function's, then this
MAX_NAME = 64  # Lambda's limit on function names
MESSAGE_CHARS = 160  # an error message is cut here in captions and tooltips

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
    failures: tuple[str, ...] = ()  # why each failed warm invocation failed, in words
    cold_failure: str = ""  # why the (discarded) cold invocation failed, if it did

    def failure_text(self) -> str:
        """The failures grouped by cause: "the cold start and 2 of 5 warm runs timed out
        (timeout 3 s)"; "" if none failed."""
        runs = len(self.durations_ms)
        counts = Counter(self.failures)
        causes = list(dict.fromkeys([self.cold_failure] if self.cold_failure else []))
        causes += [why for why, _n in counts.most_common() if why not in causes]
        parts = []
        for why in causes:
            who = [f"{counts[why]} of {runs} warm runs"] if counts[why] else []
            if why == self.cold_failure:
                who.insert(0, "the cold start")
            parts.append(f"{' and '.join(who)} {why}")
        return "; ".join(parts)

    @property
    def duration_ms(self) -> float:
        """The median warm duration (robust to one slow outlier)."""
        return statistics.median(self.durations_ms) if self.durations_ms else 0.0

    @property
    def cost(self) -> Decimal:
        """The mean cost of one warm invocation, in dollars."""
        return sum(self.costs, Decimal(0)) / len(self.costs) if self.costs else Decimal(0)


def sweep_function_name(name: str) -> str:
    """The name of the copy a sweep of `name` runs on."""
    return name[: MAX_NAME - len(SWEEP_SUFFIX)] + SWEEP_SUFFIX


def is_sweep_function(name: str) -> bool:
    """Whether a function is a sweep's copy (its logs are not the learner's)."""
    return name.endswith(SWEEP_SUFFIX)


def why_failed(served: Served, config: FunctionConfig) -> str:
    """Why an invocation failed, as a learner reads it (after "2 of 5 warm runs")."""
    report = served.report
    if report.status == "timeout":
        return f"timed out (timeout {config.timeout_s} s)"
    if report.error_type == "Runtime.OutOfMemory":
        return f"ran out of memory at {config.memory_mb:,} MB"
    try:
        body = json.loads(served.payload)
    except ValueError:
        body = None
    if isinstance(body, dict) and "errorType" in body:
        message = " ".join(str(body.get("errorMessage", "")).split())
        if len(message) > MESSAGE_CHARS:
            message = message[: MESSAGE_CHARS - 1] + "…"
        return f"failed: {body['errorType']}" + (f": {message}" if message else "")
    return f"failed ({served.function_error or report.error_type or 'error'})"


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
    """Measure each memory size on a copy of the function (the learner's is left alone)."""
    copy = service.function(name).with_changes(
        name=sweep_function_name(name), reserved_concurrency=None, provisioned_concurrency=0
    )
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
            trial = copy.with_changes(memory_mb=memory)
            service.deploy(trial)
            cold = await _invoke(service, trial.name, payload)
            done += 1
            point = await _measure(service, trial, payload, warm, cold.report.duration_ms, step)
            if cold.function_error:  # not measured, but told: it explains what follows
                point = replace(point, cold_failure=why_failed(cold, trial))
            points.append(point)
            done += warm
    finally:
        service.deploy(copy)  # a redeploy retires the copy's environments: nothing lingers
    if progress is not None:
        progress(total, total, "done: your function's settings were not touched")
    return points


async def _measure(
    service: LambdaService,
    config: FunctionConfig,
    payload: bytes,
    warm: int,
    cold_ms: float,
    step: Callable[[str], None],
) -> SweepPoint:
    durations, billed, costs, failures = [], [], [], []
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
        if served.function_error:
            failures.append(why_failed(served, config))
    return SweepPoint(
        config.memory_mb,
        tuple(durations),
        tuple(billed),
        tuple(costs),
        len(failures),
        cold_ms,
        tuple(failures),
    )


async def _invoke(service: LambdaService, name: str, payload: bytes) -> Served:
    """One synchronous invocation; SweepFailed when the service refuses it."""
    try:
        return await service.invoke(name, payload)
    except InvokeError as exc:
        raise SweepFailed(f"{exc.error_type}: {exc.message}") from exc
