"""EventBridge `cron(...)` expressions: six fields evaluated in UTC, and their next fire time.

See workbench.triggers.schedule_expressions for the grammar's sources and the Quartz extras;
parse_schedule there turns a CronError into a ScheduleError with the same message.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRON_FIELD_NAMES = ("Minutes", "Hours", "Day-of-month", "Month", "Day-of-week", "Year")
MONTH_NAMES = {n.upper(): i for i, n in enumerate(calendar.month_abbr) if n}
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class CronError(ValueError):
    """A cron expression EventBridge would refuse; the message says what is wrong."""


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
        raise CronError(
            f"{field.name}: {token!r} in {item!r} is not a value from {field.low} to "
            f"{field.high}{names}"
        )
    if not field.low <= value <= field.high:
        raise CronError(f"{field.name}: {value} is out of range — use {field.low} to {field.high}")
    return value


def _name_range(field: _Field) -> str:
    names = list(field.names)
    return f"{names[0]}-{names[-1]}"


def _values(field: _Field, text: str) -> frozenset[int]:
    """A list of values, ranges, `*` and increments as a set of numbers."""
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(f"{field.name}: empty value in {text!r} (check the commas)")
        base, slash, step_text = item.partition("/")
        if slash:
            if "/" not in field.wildcards:
                raise CronError(
                    f"{field.name}: {item!r} uses /, which {field.name} does not take "
                    f"(it takes {field.wildcards})"
                )
            if not step_text.isdigit() or int(step_text) < 1:
                raise CronError(
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
            raise CronError(f"{field.name}: {char} is only allowed in {where}")
    upper = text.upper()
    for letter, where in (("L", "Day-of-month or Day-of-week"), ("W", "Day-of-month")):
        stripped = upper
        for name in field.names:
            stripped = stripped.replace(name, "")
        if letter in stripped and letter not in field.wildcards:
            raise CronError(f"{field.name}: {letter} is only allowed in {where}")


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
        raise CronError(
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
            raise CronError(
                f"Day-of-week: with #, only one expression is allowed — {text!r} is a list"
            )
        day_text, _, k_text = upper.partition("#")
        weekday = _number(field, day_text, text)
        if not k_text.isdigit() or not 1 <= int(k_text) <= 5:
            raise CronError(
                f"Day-of-week: in {text!r} the number after # must be 1 to 5 (the n-th such "
                "day of the month)"
            )
        return _WeekDays(nth=(weekday, int(k_text)))
    if upper == "L":
        return _WeekDays(weekdays=frozenset({7}))  # the last day of the week: Saturday
    if "L" in upper:
        if "," in upper or "-" in upper or not upper.endswith("L"):
            raise CronError(
                f"Day-of-week: {text!r} is not valid — nL (e.g. 6L, the last Friday) stands "
                "alone, without lists or ranges"
            )
        return _WeekDays(last_of=_number(field, upper[:-1], text))
    return _WeekDays(weekdays=_values(field, text))


def parse_cron(expression: str, inner: str) -> CronSchedule:
    fields = inner.split()
    if len(fields) != 6:
        hint = (
            " (a crontab line has 5: add the Year field, usually *, at the end, and use ? in "
            "Day-of-month or Day-of-week)"
            if len(fields) == 5
            else ""
        )
        raise CronError(
            f"cron needs 6 fields: {' '.join(CRON_FIELD_NAMES)} — got {len(fields)}{hint}"
        )
    for field, text in zip(_FIELDS, fields, strict=True):
        _check_characters(field, text)
        if "?" in text and text != "?":
            raise CronError(f"{field.name}: ? stands alone — got {text!r}")
    dom_text, dow_text = fields[2], fields[4]
    if dom_text == "?" and dow_text == "?":
        raise CronError(
            "use ? in only one of Day-of-month and Day-of-week: the other says which days, "
            "e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON-FRI *)"
        )
    if dom_text != "?" and dow_text != "?":
        raise CronError(
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
