"""EventBridge schedule expressions: `rate(...)` and `cron(...)`, parsed, and their fire times.

The grammar follows the EventBridge User Guide ("Rate expressions reference", "Cron expressions
reference"): six cron fields `Minutes Hours Day-of-month Month Day-of-week Year`, evaluated
in UTC; `?` in exactly one of Day-of-month and Day-of-week; `L` and `W` in Day-of-month;
`L` and `#` in Day-of-week (SUN=1 … SAT=7); `/` increments everywhere except Day-of-week;
names JAN-DEC and SUN-SAT.

Beyond what the guide spells out, these follow Quartz, the syntax EventBridge's cron is
modelled on: `nL` in Day-of-week is the last such weekday of the month (`6L`, the last
Friday), `L` alone in Day-of-week is Saturday, `LW` is the last weekday of the month,
`*/n` equals `0/n`, and a range may wrap (`FRI-MON`, `22-2`). Quartz's `L-n` offsets are
refused because the guide does not list them.

No engine here (the Add trigger form and the CLI check expressions with it); the rule that
fires them is workbench.triggers.schedule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workbench.triggers.schedule_cron import CronError, CronSchedule, parse_cron

RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86_400}
_EXPRESSION_RE = re.compile(r"^(rate|cron)\((.*)\)$", re.DOTALL)
_USAGE = (
    "write rate(value unit), e.g. rate(5 minutes), or cron(Minutes Hours Day-of-month Month "
    "Day-of-week Year), e.g. cron(0 12 * * ? *)"
)


class ScheduleError(ValueError):
    """An invalid schedule expression; the message says what is wrong and how to fix it."""


# ----- rate(...) -------------------------------------------------------------------------
@dataclass(frozen=True)
class RateSchedule:
    """`rate(value unit)`: every `value` minutes, hours or days from when the rule starts."""

    expression: str
    value: int
    unit: str  # singular: minute, hour or day

    @property
    def interval_s(self) -> int:
        return self.value * RATE_UNITS[self.unit]

    def next_after(self, moment: datetime, anchor: datetime | None = None) -> datetime | None:
        """The first anchor + k × interval (k ≥ 1) strictly after moment."""
        anchor = anchor or moment
        interval = timedelta(seconds=self.interval_s)
        if moment < anchor + interval:
            return anchor + interval
        steps = (moment - anchor) // interval + 1
        return anchor + steps * interval

    def describe(self) -> str:
        unit = self.unit if self.value == 1 else self.unit + "s"
        return f"every {self.value} {unit}" if self.value != 1 else f"every {unit}"


def _parse_rate(expression: str, inner: str) -> RateSchedule:
    parts = inner.split()
    if len(parts) != 2:
        raise ScheduleError(
            f"{expression}: rate needs a value and a unit, e.g. rate(5 minutes) — "
            f"got {len(parts)} part{'s' if len(parts) != 1 else ''}"
        )
    text, unit = parts
    if not text.isdigit() or int(text) < 1:
        raise ScheduleError(
            f"{expression}: the value must be a positive whole number (1 or more) — got {text!r}"
        )
    value = int(text)
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular in ("second", "sec"):
        raise ScheduleError(
            f"{expression}: EventBridge schedules run at most once a minute — use minute(s), "
            "hour(s) or day(s)"
        )
    if singular not in RATE_UNITS:
        raise ScheduleError(
            f"{expression}: the unit must be minute, minutes, hour, hours, day or days "
            f"(lower case) — got {unit!r}"
        )
    if value == 1 and unit != singular:
        raise ScheduleError(f"{expression}: use the singular {singular!r} for a value of 1")
    if value > 1 and unit == singular:
        raise ScheduleError(
            f"{expression}: use the plural {singular + 's'!r} for a value greater than 1"
        )
    return RateSchedule(expression, value, singular)


# ----- both ------------------------------------------------------------------------------
Schedule = RateSchedule | CronSchedule


def parse_schedule(expression: str) -> Schedule:
    """Parse and validate a schedule expression; raises ScheduleError saying what is wrong."""
    text = expression.strip()
    match = _EXPRESSION_RE.fullmatch(text)
    if not match:
        lowered = text.lower()
        if lowered.startswith(("rate(", "cron(")) and text.endswith(")"):
            raise ScheduleError(f"{text!r}: write rate and cron in lower case — {_USAGE}")
        if lowered.startswith("at("):
            raise ScheduleError(
                f"{text!r}: one-time at(...) schedules belong to EventBridge Scheduler, not "
                f"to scheduled rules — {_USAGE}"
            )
        raise ScheduleError(f"{text!r} is not a schedule expression: {_USAGE}")
    kind, inner = match.groups()
    if kind == "rate":
        return _parse_rate(text, inner)
    try:
        return parse_cron(text, inner)
    except CronError as exc:
        raise ScheduleError(str(exc)) from None


def iter_fire_times(
    schedule: Schedule | str, start: datetime, anchor: datetime | None = None
) -> Iterator[datetime]:
    """Fire times strictly after start (UTC); a rate counts from anchor (default: start)."""
    parsed = parse_schedule(schedule) if isinstance(schedule, str) else schedule
    start = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
    anchor = anchor or start
    moment: datetime | None = start
    while moment is not None:
        moment = parsed.next_after(moment, anchor)
        if moment is not None:
            yield moment


def next_fire_times(
    schedule: Schedule | str, start: datetime, count: int = 5, anchor: datetime | None = None
) -> list[datetime]:
    """The next `count` fire times after start (fewer if the schedule ends, e.g. a past Year)."""
    times: list[datetime] = []
    for moment in iter_fire_times(schedule, start, anchor):
        times.append(moment)
        if len(times) >= count:
            break
    return times


def iso_utc(moment: datetime) -> str:
    """EventBridge's timestamp format: 2025-01-31T12:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
