"""EventBridge schedules: `rate(...)` and `cron(...)` expressions, their fire times, a Scheduler.

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

A Scheduler fires Scheduled Events through `LambdaService.invoke_event`: EventBridge
invokes its Lambda targets asynchronously.
"""

from __future__ import annotations

import asyncio
import calendar
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workbench.core.clock import Clock
from workbench.core.errors import InvokeError
from workbench.core.model import ACCOUNT_ID, REGION
from workbench.core.service import LambdaService

RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86_400}
CRON_FIELD_NAMES = ("Minutes", "Hours", "Day-of-month", "Month", "Day-of-week", "Year")
MONTH_NAMES = {n.upper(): i for i, n in enumerate(calendar.month_abbr) if n}
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
RULE_NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")  # EventBridge rule names
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


# ----- cron(...) -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]
    wildcards: str  # the special characters the field takes, as the guide lists them


_FIELDS = (
    _Field("Minutes", 0, 59, {}, ", - * /"),
    _Field("Hours", 0, 23, {}, ", - * /"),
    _Field("Day-of-month", 1, 31, {}, ", - * ? / L W"),
    _Field("Month", 1, 12, MONTH_NAMES, ", - * /"),
    _Field("Day-of-week", 1, 7, DAY_NAMES, ", - * ? L #"),
    _Field("Year", 1970, 2199, {}, ", - * /"),
)


@dataclass(frozen=True)
class _MonthDays:
    """Day-of-month: plain days, or one of L, LW, nW; None in the cron means `?`."""

    days: frozenset[int] = frozenset()
    last: bool = False
    last_weekday: bool = False
    nearest_weekday: int | None = None

    def resolve(self, year: int, month: int) -> list[int]:
        length = calendar.monthrange(year, month)[1]
        if self.last:
            return [length]
        if self.last_weekday:
            return [_weekday_on_or_before(year, month, length)]
        if self.nearest_weekday is not None:
            day = _nearest_weekday(year, month, self.nearest_weekday, length)
            return [day] if day else []
        return [d for d in sorted(self.days) if d <= length]


@dataclass(frozen=True)
class _WeekDays:
    """Day-of-week: plain weekdays (SUN=1), or nL (last n-day), or n#k (k-th n-day)."""

    weekdays: frozenset[int] = frozenset()
    last_of: int | None = None
    nth: tuple[int, int] | None = None

    def resolve(self, year: int, month: int) -> list[int]:
        length = calendar.monthrange(year, month)[1]
        if self.last_of is not None:
            tail = range(length - 6, length + 1)  # the last seven days hold each weekday once
            return [next(d for d in tail if _dow(year, month, d) == self.last_of)]
        if self.nth is not None:
            weekday, k = self.nth
            matches = [d for d in range(1, length + 1) if _dow(year, month, d) == weekday]
            return [matches[k - 1]] if k <= len(matches) else []
        return [d for d in range(1, length + 1) if _dow(year, month, d) in self.weekdays]


def _dow(year: int, month: int, day: int) -> int:
    """EventBridge's day of week: SUN=1 … SAT=7 (Python's weekday() has MON=0)."""
    return (date(year, month, day).weekday() + 1) % 7 + 1


def _weekday_on_or_before(year: int, month: int, day: int) -> int:
    while _dow(year, month, day) in (1, 7):
        day -= 1
    return day


def _nearest_weekday(year: int, month: int, day: int, length: int) -> int | None:
    """`nW`: the weekday nearest day n, never crossing into another month."""
    if day > length:
        return None  # e.g. 31W in a 30-day month: no such day, no firing
    dow = _dow(year, month, day)
    if dow == 7:  # Saturday: the Friday before, or Monday the 3rd when n is the 1st
        return day - 1 if day > 1 else day + 2
    if dow == 1:  # Sunday: the Monday after, or the Friday before when n is the last day
        return day + 1 if day < length else day - 2
    return day


@dataclass(frozen=True)
class CronSchedule:
    """`cron(Minutes Hours Day-of-month Month Day-of-week Year)`, evaluated in UTC."""

    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    month_days: _MonthDays | None  # None: `?`
    week_days: _WeekDays | None  # None: `?`

    def days(self, year: int, month: int) -> list[int]:
        """The days of that month on which the schedule fires."""
        if self.month_days is not None:
            return self.month_days.resolve(year, month)
        assert self.week_days is not None  # parsing guarantees exactly one `?`
        return self.week_days.resolve(year, month)

    def next_after(self, moment: datetime, anchor: datetime | None = None) -> datetime | None:
        """The first matching minute strictly after moment, or None if it never fires again."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for year in self.years:
            if year < start.year:
                continue
            for month in self.months:
                if (year, month) < (start.year, start.month):
                    continue
                for day in self.days(year, month):
                    found = self._first_time_on(date(year, month, day), start)
                    if found is not None:
                        return found
        return None

    def _first_time_on(self, day: date, start: datetime) -> datetime | None:
        if day < start.date():
            return None
        for hour in self.hours:
            for minute in self.minutes:
                candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                if candidate >= start:
                    return candidate
        return None


def _number(field: _Field, token: str, item: str) -> int:
    if token.isdigit():
        value = int(token)
    elif token.upper() in field.names:
        value = field.names[token.upper()]
    else:
        names = f" or a name {_name_range(field)}" if field.names else ""
        raise ScheduleError(
            f"{field.name}: {token!r} in {item!r} is not a value from {field.low} to "
            f"{field.high}{names}"
        )
    if not field.low <= value <= field.high:
        raise ScheduleError(
            f"{field.name}: {value} is out of range — use {field.low} to {field.high}"
        )
    return value


def _name_range(field: _Field) -> str:
    names = list(field.names)
    return f"{names[0]}-{names[-1]}"


def _values(field: _Field, text: str) -> frozenset[int]:
    """A list of values, ranges, `*` and increments as a set of numbers."""
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ScheduleError(f"{field.name}: empty value in {text!r} (check the commas)")
        base, slash, step_text = item.partition("/")
        if slash:
            if "/" not in field.wildcards:
                raise ScheduleError(
                    f"{field.name}: {item!r} uses /, which {field.name} does not take "
                    f"(it takes {field.wildcards})"
                )
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(
                    f"{field.name}: the increment in {item!r} must be a whole number of 1 or more"
                )
        step = int(step_text) if slash else 1
        if base == "*":
            sequence = list(range(field.low, field.high + 1))
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = _number(field, first_text, item), _number(field, last_text, item)
            if first <= last:
                sequence = list(range(first, last + 1))
            else:  # a wrapping range such as FRI-MON or 22-2 (as in Quartz)
                sequence = [*range(first, field.high + 1), *range(field.low, last + 1)]
        else:
            first = _number(field, base, item)
            sequence = list(range(first, field.high + 1)) if slash else [first]
        values.update(sequence[::step])
    return frozenset(values)


def _check_characters(field: _Field, text: str) -> None:
    for char, where in (("?", "Day-of-month or Day-of-week"), ("#", "Day-of-week")):
        if char in text and char not in field.wildcards:
            raise ScheduleError(f"{field.name}: {char} is only allowed in {where}")
    upper = text.upper()
    for letter, where in (("L", "Day-of-month or Day-of-week"), ("W", "Day-of-month")):
        stripped = upper
        for name in field.names:
            stripped = stripped.replace(name, "")
        if letter in stripped and letter not in field.wildcards:
            raise ScheduleError(f"{field.name}: {letter} is only allowed in {where}")


def _month_days(field: _Field, text: str) -> _MonthDays | None:
    upper = text.upper()
    if upper == "?":
        return None
    if "L" in upper or "W" in upper:
        if upper == "L":
            return _MonthDays(last=True)
        if upper == "LW":
            return _MonthDays(last_weekday=True)
        match = re.fullmatch(r"(\d+)W", upper)
        if match:
            return _MonthDays(nearest_weekday=_number(field, match.group(1), text))
        raise ScheduleError(
            f"Day-of-month: {text!r} is not valid — L, LW and nW (e.g. 15W, the weekday "
            "nearest the 15th) stand alone, without lists, ranges or offsets"
        )
    return _MonthDays(days=_values(field, text))


def _week_days(field: _Field, text: str) -> _WeekDays | None:
    upper = text.upper()
    if upper == "?":
        return None
    if "#" in upper:
        if "," in upper:
            raise ScheduleError(
                f"Day-of-week: with #, only one expression is allowed — {text!r} is a list"
            )
        day_text, _, k_text = upper.partition("#")
        weekday = _number(field, day_text, text)
        if not k_text.isdigit() or not 1 <= int(k_text) <= 5:
            raise ScheduleError(
                f"Day-of-week: in {text!r} the number after # must be 1 to 5 (the n-th such "
                "day of the month)"
            )
        return _WeekDays(nth=(weekday, int(k_text)))
    if upper == "L":
        return _WeekDays(weekdays=frozenset({7}))  # the last day of the week: Saturday
    if "L" in upper:
        if "," in upper or "-" in upper or not upper.endswith("L"):
            raise ScheduleError(
                f"Day-of-week: {text!r} is not valid — nL (e.g. 6L, the last Friday) stands "
                "alone, without lists or ranges"
            )
        return _WeekDays(last_of=_number(field, upper[:-1], text))
    return _WeekDays(weekdays=_values(field, text))


def _parse_cron(expression: str, inner: str) -> CronSchedule:
    fields = inner.split()
    if len(fields) != 6:
        hint = (
            " (a crontab line has 5: add the Year field, usually *, at the end, and use ? in "
            "Day-of-month or Day-of-week)"
            if len(fields) == 5
            else ""
        )
        raise ScheduleError(
            f"cron needs 6 fields: {' '.join(CRON_FIELD_NAMES)} — got {len(fields)}{hint}"
        )
    for field, text in zip(_FIELDS, fields, strict=True):
        _check_characters(field, text)
        if "?" in text and text != "?":
            raise ScheduleError(f"{field.name}: ? stands alone — got {text!r}")
    dom_text, dow_text = fields[2], fields[4]
    if dom_text == "?" and dow_text == "?":
        raise ScheduleError(
            "use ? in only one of Day-of-month and Day-of-week: the other says which days, "
            "e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON-FRI *)"
        )
    if dom_text != "?" and dow_text != "?":
        raise ScheduleError(
            f"use ? in either Day-of-month or Day-of-week — EventBridge can't match both "
            f"({dom_text!r} and {dow_text!r}), e.g. cron(0 12 * * ? *) or "
            "cron(0 12 ? * MON-FRI *)"
        )
    minutes, hours, _, months, _, years = (
        _values(field, text) if i not in (2, 4) else frozenset()
        for i, (field, text) in enumerate(zip(_FIELDS, fields, strict=True))
    )
    return CronSchedule(
        expression=expression,
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        months=tuple(sorted(months)),
        years=tuple(sorted(years)),
        month_days=_month_days(_FIELDS[2], dom_text),
        week_days=_week_days(_FIELDS[4], dow_text),
    )


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
    return _parse_rate(text, inner) if kind == "rate" else _parse_cron(text, inner)


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
