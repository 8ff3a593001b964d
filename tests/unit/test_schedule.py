"""EventBridge schedule expressions: parsing, validation messages, fire times, the Scheduler.

Expected fire times are worked out by hand from a calendar (February 2024 is a leap month;
2024-02-28 is a Wednesday). The Scheduler runs on a fake clock whose sleep moves time on,
so a minute passes in no time at all.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.fake_clock import FakeClock
from workbench.core import errors
from workbench.triggers.schedule import ScheduleFiring, Scheduler, check_rule_name, scheduled_event
from workbench.triggers.schedule_cron import CronSchedule
from workbench.triggers.schedule_expressions import (
    RateSchedule,
    ScheduleError,
    next_fire_times,
    parse_schedule,
)

START = datetime(2024, 2, 28, 17, 30, tzinfo=UTC)  # a Wednesday, the day before a leap day


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fires(expression: str, count: int = 3, start: datetime = START) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M") for t in next_fire_times(expression, start, count)]


# ----- parsing -----------------------------------------------------------------------------
def test_rate_expressions_parse_to_intervals():
    assert parse_schedule("rate(1 minute)") == RateSchedule("rate(1 minute)", 1, "minute")
    assert parse_schedule("rate(5 minutes)").interval_s == 300
    assert parse_schedule("rate(1 hour)").interval_s == 3600
    assert parse_schedule("rate(12 hours)").interval_s == 12 * 3600
    assert parse_schedule("  rate(7 days) ").interval_s == 7 * 86_400


def test_cron_fields_expand_to_values():
    cron = parse_schedule("cron(0/15 8-10 ? JAN,MAR-APR MON-FRI 2024-2025)")
    assert isinstance(cron, CronSchedule)
    assert cron.minutes == (0, 15, 30, 45)
    assert cron.hours == (8, 9, 10)
    assert cron.months == (1, 3, 4)
    assert cron.years == (2024, 2025)
    assert cron.month_days is None  # ?
    assert cron.week_days is not None and cron.week_days.weekdays == frozenset({2, 3, 4, 5, 6})


def test_increments_start_where_written():
    # The guide's own example: 1/10 is the 1st, 11th, 21st ... minute.
    assert parse_schedule("cron(1/10 * * * ? *)").minutes == (1, 11, 21, 31, 41, 51)
    assert parse_schedule("cron(*/20 * * * ? *)").minutes == (0, 20, 40)
    assert parse_schedule("cron(0 10-20/5 * * ? *)").hours == (10, 15, 20)


def test_names_are_case_insensitive_and_ranges_may_wrap():
    cron = parse_schedule("cron(0 22-1 ? dec-feb fri-mon *)")
    assert cron.hours == (0, 1, 22, 23)
    assert cron.months == (1, 2, 12)
    assert cron.week_days.weekdays == frozenset({6, 7, 1, 2})


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 minutes)", "rate(1 minutes): use the singular 'minute' for a value of 1"),
        ("rate(1 days)", "rate(1 days): use the singular 'day' for a value of 1"),
        ("rate(5 hour)", "rate(5 hour): use the plural 'hours' for a value greater than 1"),
        ("rate(0 minutes)", "the value must be a positive whole number (1 or more) — got '0'"),
        ("rate(-3 minutes)", "the value must be a positive whole number"),
        ("rate(1.5 hours)", "the value must be a positive whole number"),
        ("rate(30 seconds)", "EventBridge schedules run at most once a minute"),
        ("rate(2 weeks)", "the unit must be minute, minutes, hour, hours, day or days"),
        ("rate(5)", "rate needs a value and a unit, e.g. rate(5 minutes) — got 1 part"),
        (
            "cron(0 12 * * ?)",
            "cron needs 6 fields: Minutes Hours Day-of-month Month Day-of-week Year — got 5",
        ),
        ("cron(0 12 * * ? * *)", "cron needs 6 fields"),
        ("cron(0 12 * * MON *)", "use ? in either Day-of-month or Day-of-week"),
        ("cron(0 12 1 * 2 *)", "use ? in either Day-of-month or Day-of-week"),
        ("cron(0 12 ? * ? *)", "use ? in only one of Day-of-month and Day-of-week"),
        ("cron(60 12 * * ? *)", "Minutes: 60 is out of range — use 0 to 59"),
        ("cron(0 24 * * ? *)", "Hours: 24 is out of range — use 0 to 23"),
        ("cron(0 12 32 * ? *)", "Day-of-month: 32 is out of range — use 1 to 31"),
        ("cron(0 12 * 13 ? *)", "Month: 13 is out of range — use 1 to 12"),
        ("cron(0 12 ? * 0 *)", "Day-of-week: 0 is out of range — use 1 to 7"),
        ("cron(0 12 * * ? 1969)", "Year: 1969 is out of range — use 1970 to 2199"),
        ("cron(0 12 * FOO ? *)", "Month: 'FOO' in 'FOO' is not a value from 1 to 12 or a name"),
        ("cron(0 12 ? * MON-FUN *)", "Day-of-week: 'FUN' in 'MON-FUN' is not a value"),
        ("cron(0 ? * * ? *)", "Hours: ? is only allowed in Day-of-month or Day-of-week"),
        ("cron(L 12 * * ? *)", "Minutes: L is only allowed in Day-of-month or Day-of-week"),
        ("cron(0 12 ? * 2W *)", "Day-of-week: W is only allowed in Day-of-month"),
        ("cron(0 12 1#2 * ? *)", "Day-of-month: # is only allowed in Day-of-week"),
        ("cron(0 12 ? * 1/2 *)", "Day-of-week: '1/2' uses /, which Day-of-week does not take"),
        ("cron(0 12 ? * 3#1,6#3 *)", "with #, only one expression is allowed"),
        ("cron(0 12 ? * 2#6 *)", "the number after # must be 1 to 5"),
        ("cron(0/0 * * * ? *)", "the increment in '0/0' must be a whole number of 1 or more"),
        ("cron(0 12 L-2 * ? *)", "L, LW and nW (e.g. 15W, the weekday nearest the 15th) stand"),
        ("cron(0 12 1,L * ? *)", "stand alone"),
        ("cron(0 12 ? * 6L,2 *)", "nL (e.g. 6L, the last Friday) stands alone"),
        ("cron(0 12 ,1 * ? *)", "Day-of-month: empty value in ',1'"),
        ("cron(0 12 ?,1 * * *)", "Day-of-month: ? stands alone"),
        ("every 5 minutes", "'every 5 minutes' is not a schedule expression: write rate("),
        ("Rate(5 minutes)", "write rate and cron in lower case"),
        ("at(2025-01-01T00:00:00)", "belong to EventBridge Scheduler"),
        ("", "is not a schedule expression"),
    ],
)
def test_invalid_expressions_say_what_is_wrong(expression: str, message: str):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert message in str(caught.value)


def test_five_field_crontab_gets_a_hint():
    with pytest.raises(ScheduleError, match=r"add the Year field, usually \*, at the end"):
        parse_schedule("cron(*/5 * * * *)")


# ----- fire times --------------------------------------------------------------------------
def test_every_day_at_noon():
    assert fires("cron(0 12 * * ? *)") == [
        "2024-02-29 12:00",
        "2024-03-01 12:00",
        "2024-03-02 12:00",
    ]


def test_every_fifteen_minutes():
    assert fires("cron(0/15 * * * ? *)", 4) == [
        "2024-02-28 17:45",
        "2024-02-28 18:00",
        "2024-02-28 18:15",
        "2024-02-28 18:30",
    ]


def test_weekdays_at_six_pm():
    # Wed 28 (still ahead at 17:30), Thu 29, Fri 1 March, then Monday 4 March.
    assert fires("cron(0 18 ? * MON-FRI *)", 4) == [
        "2024-02-28 18:00",
        "2024-02-29 18:00",
        "2024-03-01 18:00",
        "2024-03-04 18:00",
    ]


def test_first_of_the_month():
    assert fires("cron(0 8 1 * ? *)") == [
        "2024-03-01 08:00",
        "2024-04-01 08:00",
        "2024-05-01 08:00",
    ]


def test_last_day_of_the_month_knows_leap_years():
    assert fires("cron(0 0 L * ? *)") == [
        "2024-02-29 00:00",
        "2024-03-31 00:00",
        "2024-04-30 00:00",
    ]


def test_last_friday_of_the_month():
    # 23 Feb is past; March ends on Sunday 31 (so Friday 29), April on Tuesday 30 (Friday 26).
    assert fires("cron(0 10 ? * 6L *)", 2) == ["2024-03-29 10:00", "2024-04-26 10:00"]


def test_l_alone_in_day_of_week_is_saturday():
    assert fires("cron(0 9 ? * L *)", 2) == ["2024-03-02 09:00", "2024-03-09 09:00"]


def test_nearest_weekday():
    assert fires("cron(0 9 15W 3 ? 2024)", 1) == ["2024-03-15 09:00"]  # a Friday itself
    assert fires("cron(0 9 15W 6 ? 2024)", 1) == ["2024-06-14 09:00"]  # Sat 15 → Fri 14
    assert fires("cron(0 9 1W 6 ? 2024)", 1) == ["2024-06-03 09:00"]  # Sat 1 → Mon 3
    assert fires("cron(0 9 30W 6 ? 2024)", 1) == ["2024-06-28 09:00"]  # Sun 30 → Fri 28
    assert fires("cron(0 9 31W 6 ? 2024)", 1) == []  # June has no 31st
    assert fires("cron(0 9 LW 3 ? 2024)", 1) == ["2024-03-29 09:00"]  # Sun 31 → Fri 29


def test_nth_weekday_of_the_month():
    assert fires("cron(0 9 ? * 2#1 *)", 2) == ["2024-03-04 09:00", "2024-04-01 09:00"]
    # A fifth Friday: March 2024 has one (29th), April does not, May does (31st).
    assert fires("cron(0 9 ? * FRI#5 *)", 2) == ["2024-03-29 09:00", "2024-05-31 09:00"]


def test_wrapping_hours_and_days():
    assert fires("cron(0 23-1 ? * SAT-SUN *)", 4) == [
        "2024-03-02 00:00",
        "2024-03-02 01:00",
        "2024-03-02 23:00",
        "2024-03-03 00:00",
    ]


def test_a_schedule_can_end_or_never_fire():
    assert fires("cron(0 0 1 1 ? 2025)", 3) == ["2025-01-01 00:00"]
    assert fires("cron(0 12 * * ? 2023)") == []
    assert fires("cron(0 0 30 2 ? *)") == []  # there is no 30 February


def test_fire_times_are_strictly_after_start_and_in_utc():
    at_noon = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert fires("cron(0 12 * * ? *)", 1, at_noon) == ["2024-03-02 12:00"]
    paris = at_noon.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert fires("cron(0 12 * * ? *)", 1, paris) == ["2024-03-02 12:00"]


def test_rate_counts_from_its_anchor():
    assert fires("rate(5 minutes)", 2) == ["2024-02-28 17:35", "2024-02-28 17:40"]
    anchor = START - timedelta(minutes=1, seconds=50)  # the rule started at 17:28:10
    times = next_fire_times("rate(5 minutes)", START, 2, anchor)
    assert [t.isoformat() for t in times] == [
        "2024-02-28T17:33:10+00:00",
        "2024-02-28T17:38:10+00:00",
    ]
    assert fires("rate(1 day)", 2) == ["2024-02-29 17:30", "2024-03-01 17:30"]


# ----- the event -------------------------------------------------------------------------
def test_scheduled_event_shape():
    event = scheduled_event("nightly", utc("2024-03-01T12:00:00"))
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert event["version"] == "0"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == "123456789012"
    assert event["region"] == "us-east-1"
    assert event["time"] == "2024-03-01T12:00:00Z"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/nightly"]
    assert event["detail"] == {}
    assert len(event["id"]) == 36 and event["id"] != scheduled_event("n", START)["id"]


def test_rule_names():
    check_rule_name("my-rule_1.daily")
    for bad in ("", "has space", "x" * 65, "slash/rule"):
        with pytest.raises(ScheduleError, match="rule name"):
            check_rule_name(bad)


# ----- the scheduler -----------------------------------------------------------------------
class FakeService:
    """Records asynchronous invocations instead of running them."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.refuse: errors.InvokeError | None = None

    async def invoke_event(self, name: str, payload: bytes) -> str:
        if self.refuse is not None:
            raise self.refuse
        self.calls.append((name, json.loads(payload), self.clock.now()))
        return f"request-{len(self.calls)}"


def fake_sleep(clock: FakeClock, jumps: list[float] | None = None) -> Any:
    async def sleep(seconds: float) -> None:
        clock.advance(jumps.pop(0) if jumps else seconds)
        await asyncio.sleep(0)

    return sleep


async def until(predicate: Any, steps: int = 10_000) -> None:
    for _ in range(steps):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def test_rate_one_minute_fires_every_minute_with_scheduled_events():
    clock = FakeClock(wall=utc("2024-02-28T17:30:20").timestamp())
    service = FakeService(clock)
    seen: list[ScheduleFiring] = []
    scheduler = Scheduler(
        service,  # type: ignore[arg-type]
        "cleanup",
        "rate(1 minute)",
        rule="every-minute",
        on_fire=seen.append,
        sleep=fake_sleep(clock),
        tick_s=7,
    )
    assert [t.strftime("%H:%M:%S") for t in scheduler.next_fire_times(3)] == [
        "17:31:20",
        "17:32:20",
        "17:33:20",
    ]
    scheduler.start()
    await until(lambda: len(service.calls) >= 3)
    await scheduler.stop()
    first_three = service.calls[:3]
    assert [name for name, _, _ in first_three] == ["cleanup"] * 3
    assert [event["time"] for _, event, _ in first_three] == [
        "2024-02-28T17:31:20Z",
        "2024-02-28T17:32:20Z",
        "2024-02-28T17:33:20Z",
    ]
    # Each was sent when its time came, not before.
    assert [at for _, _, at in first_three] == [
        utc(t).timestamp()
        for t in ("2024-02-28T17:31:20", "2024-02-28T17:32:20", "2024-02-28T17:33:20")
    ]
    event = first_three[0][1]
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/every-minute"]
    assert len({e["id"] for _, e, _ in first_three}) == 3
    assert [f.request_id for f in seen[:3]] == ["request-1", "request-2", "request-3"]
    assert seen[0].line().startswith("2024-02-28T17:31:20Z  every-minute → cleanup")


async def test_cron_fires_on_the_quarter_hours():
    clock = FakeClock(wall=utc("2024-02-28T10:07:30").timestamp())
    service = FakeService(clock)
    scheduler = Scheduler(
        service,  # type: ignore[arg-type]
        "fn",
        "cron(0/15 * * * ? *)",
        sleep=fake_sleep(clock),
        tick_s=60,
    )
    scheduler.start()
    await until(lambda: len(service.calls) >= 2)
    await scheduler.stop()
    assert [e["time"] for _, e, _ in service.calls[:2]] == [
        "2024-02-28T10:15:00Z",
        "2024-02-28T10:30:00Z",
    ]
    assert service.calls[0][1]["resources"][0].endswith(":rule/fn-schedule")  # default rule


async def test_fire_now_fires_at_once():
    clock = FakeClock(wall=utc("2024-02-28T10:07:30").timestamp())
    service = FakeService(clock)
    scheduler = Scheduler(service, "fn", "rate(1 hour)", sleep=fake_sleep(clock), tick_s=600)  # type: ignore[arg-type]
    scheduler.start(fire_now=True)
    await until(lambda: len(service.calls) >= 2)
    await scheduler.stop()
    assert [e["time"] for _, e, _ in service.calls[:2]] == [
        "2024-02-28T10:07:30Z",
        "2024-02-28T11:07:30Z",
    ]


async def test_missed_fire_times_are_not_caught_up():
    clock = FakeClock(wall=utc("2024-02-28T10:00:00").timestamp())
    service = FakeService(clock)
    # The first sleep jumps ten minutes (a laptop lid closed): one firing, nine skipped.
    scheduler = Scheduler(
        service,  # type: ignore[arg-type]
        "fn",
        "rate(1 minute)",
        sleep=fake_sleep(clock, jumps=[600.0]),
        tick_s=60,
    )
    scheduler.start()
    await until(lambda: len(scheduler.firings) >= 2)
    await scheduler.stop()
    first, second = scheduler.firings[:2]
    assert first.event["time"] == "2024-02-28T10:10:00Z" and first.skipped == 9
    assert "9 missed fire time(s) skipped" in first.line()
    assert second.event["time"] == "2024-02-28T10:11:00Z" and second.skipped == 0


async def test_a_refused_event_is_reported_not_raised():
    clock = FakeClock(wall=utc("2024-02-28T10:00:00").timestamp())
    service = FakeService(clock)
    service.refuse = errors.not_found("gone")
    scheduler = Scheduler(service, "gone", "rate(1 minute)", sleep=fake_sleep(clock), tick_s=60)  # type: ignore[arg-type]
    firing = await scheduler.fire()
    assert firing.request_id is None
    assert firing.error is not None and firing.error.startswith("ResourceNotFoundException")
    assert "not delivered" in firing.line()


async def test_a_schedule_without_future_fire_times_ends():
    clock = FakeClock(wall=utc("2024-02-28T10:00:00").timestamp())
    service = FakeService(clock)
    scheduler = Scheduler(
        service,  # type: ignore[arg-type]
        "fn",
        "cron(0 12 * * ? 2023)",
        sleep=fake_sleep(clock),
    )
    assert scheduler.next_fire_times() == []
    await asyncio.wait_for(scheduler.run(), 1.0)
    assert service.calls == []


def test_scheduler_validates_its_inputs():
    service = FakeService(FakeClock(START))
    with pytest.raises(ScheduleError, match="use the singular"):
        Scheduler(service, "fn", "rate(1 minutes)")  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="rule name"):
        Scheduler(service, "fn", "rate(1 minute)", rule="bad rule")  # type: ignore[arg-type]
