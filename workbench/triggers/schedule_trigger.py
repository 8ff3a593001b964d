"""The EventBridge schedule trigger: a rate or cron expression invokes the function
asynchronously. Its spec and checks, its runner (a scheduled rule on the service's clock, as
`lambda-workbench schedule` runs it) and its SAM event; declared in
workbench.triggers.kinds.schedule.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workbench.triggers.running import (
    Changed,
    Log,
    SamEvent,
    SpecDefaults,
    Trigger,
)
from workbench.triggers.schedule import ScheduleFiring, Scheduler
from workbench.triggers.schedule_expressions import (
    Schedule,
    iso_utc,
    next_fire_times,
    parse_schedule,
)

if TYPE_CHECKING:
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService

PREVIEW_COUNT = 5
DEFAULT_EXPRESSION = "rate(5 minutes)"


@dataclass(frozen=True)
class ScheduleSpec:
    """An EventBridge scheduled rule."""

    expression: str
    fire_now: bool = False

    kind = "schedule"


def check_schedule(
    expression: str, now: float, count: int = PREVIEW_COUNT
) -> tuple[Schedule, list[datetime]]:
    """The parsed schedule and its next fire times after now (epoch s); ScheduleError if bad."""
    schedule = parse_schedule(expression)
    moment = datetime.fromtimestamp(now, UTC)
    return schedule, next_fire_times(schedule, moment, count, moment)


class ScheduleTrigger(Trigger):
    """An EventBridge scheduled rule firing Scheduled Events on the service's clock."""

    kind, tag = "schedule", "schedule"
    spec: ScheduleSpec

    def __init__(
        self, function: str, log: Log, spec: ScheduleSpec, changed: Changed | None = None
    ) -> None:
        super().__init__(function, log, spec, changed)
        self.scheduler: Scheduler | None = None

    @property
    def title(self) -> str:
        return f"EventBridge schedule · {self.spec.expression}"

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        schedule = parse_schedule(self.spec.expression)
        self.scheduler = Scheduler(service, config.name, schedule, on_fire=self._fired)
        task = self.scheduler.start(fire_now=self.spec.fire_now)
        task.add_done_callback(self._ended)
        self.status = "running"
        self.log(f"rule {self.scheduler.rule}: {schedule.expression} → {config.name}")

    def details(self) -> list[str]:
        if self.scheduler is None:
            return []
        times = self.scheduler.next_fire_times(2) if self.status == "running" else []
        fired = len(self.scheduler.firings)
        upcoming = " then ".join(iso_utc(t) for t in times) or "no more fire times"
        now = datetime.fromtimestamp(self.scheduler.clock.now(), UTC)
        return [f"next: {upcoming} (UTC)", f"clock now {iso_utc(now)} · fired {fired} time(s)"]

    async def fire_now(self) -> None:
        """Send one Scheduled Event now, as the console's test does."""
        if self.scheduler is not None:
            await self.scheduler.fire()

    def _fired(self, firing: ScheduleFiring) -> None:
        self.log(firing.line(), firing.request_id)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.status != "running":
            return
        error = task.exception()
        self.status = f"failed: {error}" if error else "finished: no more fire times"
        self.log(f"the rule stopped: {self.status}")

    async def _stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()


def default_spec(defaults: SpecDefaults) -> ScheduleSpec:
    return ScheduleSpec(DEFAULT_EXPRESSION)


def sam_events(spec: ScheduleSpec, prefix: str) -> SamEvent:
    """A Schedule event (an EventBridge scheduled rule)."""
    event = {"Type": "Schedule", "Properties": {"Schedule": spec.expression}}
    return SamEvent({f"{prefix}Schedule": event}, {})
