"""An EventBridge scheduled rule: it fires Scheduled Events at a function on the service's clock.

A Scheduler fires Scheduled Events through `LambdaService.invoke_event`: EventBridge
invokes its Lambda targets asynchronously. The expressions and their fire times are
workbench.triggers.schedule_expressions.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.core.clock import Clock
from workbench.core.errors import InvokeError
from workbench.core.model import ACCOUNT_ID, REGION
from workbench.core.service import LambdaService
from workbench.triggers.schedule_expressions import (
    Schedule,
    ScheduleError,
    iso_utc,
    next_fire_times,
    parse_schedule,
)

RULE_NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")  # EventBridge rule names


def rule_arn(rule: str) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"


def check_rule_name(rule: str) -> None:
    """EventBridge rule names: 1 to 64 letters, digits, '.', '-' or '_'."""
    if not RULE_NAME_RE.fullmatch(rule):
        raise ScheduleError(
            f"rule name {rule!r} is invalid: use 1 to 64 letters, digits, '.', '-' or '_'"
        )


def scheduled_event(rule: str, moment: datetime, event_id: str | None = None) -> dict[str, Any]:
    """The event a scheduled rule sends to its Lambda target."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": iso_utc(moment),
        "region": REGION,
        "resources": [rule_arn(rule)],
        "detail": {},
    }


# ----- the scheduler ---------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleFiring:
    """One Scheduled Event sent (or refused), for a log line or the app's timeline."""

    rule: str
    function: str
    scheduled_for: datetime  # the fire time the event carries (UTC)
    event: dict[str, Any]
    request_id: str | None  # the asynchronous invocation's request id
    error: str | None = None  # why Lambda refused the event
    skipped: int = 0  # fire times missed before this one (the clock jumped ahead)

    def line(self) -> str:
        head = f"{iso_utc(self.scheduled_for)}  {self.rule} → {self.function}"
        if self.error:
            return f"{head}: not delivered — {self.error}"
        missed = f" ({self.skipped} missed fire time(s) skipped)" if self.skipped else ""
        return f"{head}: Scheduled Event {self.event['id']}, request {self.request_id}{missed}"


FiringCallback = Callable[[ScheduleFiring], None]
Sleep = Callable[[float], Awaitable[object]]


class Scheduler:
    """Fires a rule's Scheduled Events at a function, asynchronously, until stopped.

    Fire times are read from the service's clock, so the teaching clock (or a test's clock)
    can make minutes pass in moments; waiting is done in short sleeps that re-read it.
    """

    def __init__(
        self,
        service: LambdaService,
        function: str,
        schedule: Schedule | str,
        *,
        rule: str | None = None,
        on_fire: FiringCallback | None = None,
        clock: Clock | None = None,
        tick_s: float = 0.25,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.service = service
        self.function = function
        self.schedule = parse_schedule(schedule) if isinstance(schedule, str) else schedule
        self.rule = rule or f"{function}-schedule"
        check_rule_name(self.rule)
        self.clock = clock or service.clock
        self.tick_s = tick_s
        self._sleep = sleep
        self._on_fire = on_fire
        self.firings: list[ScheduleFiring] = []
        self._anchor: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    @property
    def anchor(self) -> datetime:
        """Where a rate counts from: when the rule was first asked for its fire times."""
        if self._anchor is None:
            self._anchor = self.now()
        return self._anchor

    def next_fire_times(self, count: int = 5) -> list[datetime]:
        """The next fire times from now (UTC)."""
        return next_fire_times(self.schedule, self.now(), count, self.anchor)

    async def fire(self, moment: datetime | None = None, skipped: int = 0) -> ScheduleFiring:
        """Send one Scheduled Event now (the console's "test" of a rule, or a due fire time)."""
        moment = moment or self.now()
        event = scheduled_event(self.rule, moment)
        try:
            request_id = await self.service.invoke_event(self.function, json.dumps(event).encode())
            firing = ScheduleFiring(
                self.rule, self.function, moment, event, request_id, None, skipped
            )
        except InvokeError as exc:
            detail = f"{exc.error_type}: {exc.message}"
            firing = ScheduleFiring(self.rule, self.function, moment, event, None, detail, skipped)
        self.firings.append(firing)
        if self._on_fire:
            self._on_fire(firing)
        return firing

    async def run(self, *, fire_now: bool = False) -> None:
        """Fire at every fire time until cancelled; with fire_now, once at the start too."""
        anchor = self.anchor
        if fire_now:
            await self.fire()
        due = self.schedule.next_after(max(anchor, self.now()), anchor)
        while due is not None:
            await self._wait_until(due)
            now = self.now()
            following = self.schedule.next_after(due, anchor)
            skipped = 0
            # EventBridge does not catch up on missed fire times: fire once, move on.
            while following is not None and following <= now:
                skipped += 1
                due, following = following, self.schedule.next_after(following, anchor)
            await self.fire(due, skipped)
            due = following

    async def _wait_until(self, moment: datetime) -> None:
        target = moment.timestamp()
        while (remaining := target - self.clock.now()) > 0:
            await self._sleep(min(remaining, self.tick_s))

    def start(self, *, fire_now: bool = False) -> asyncio.Task[None]:
        """Run in the background; stop() ends it."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(fire_now=fire_now))
        return self._task

    async def stop(self) -> None:
        """Stop firing; invocations already queued still run in the service."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
