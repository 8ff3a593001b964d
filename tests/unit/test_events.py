"""The EventBus: synchronous publish, unsubscribe, contained subscriber errors, bounded history."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentFrozen,
    Event,
    EventBus,
    LogLine,
)


def created(n: int = 1) -> EnvironmentCreated:
    return EnvironmentCreated(at=float(n), function="fn", env_id=f"fn-{n}", backend="process")


def line(text: str) -> LogLine:
    return LogLine(at=0.0, function="fn", text=text)


def test_subscribers_get_every_event_in_order() -> None:
    bus = EventBus()
    first: list[Event] = []
    second: list[Event] = []
    bus.subscribe(first.append)
    bus.subscribe(second.append)
    events = [created(1), line("a"), created(2)]
    for event in events:
        bus.publish(event)
    assert first == events
    assert second == events


def test_publish_is_synchronous() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    bus.publish(created())
    assert len(seen) == 1  # delivered inside publish(), no loop turn needed


def test_subscriber_only_sees_future_events() -> None:
    bus = EventBus()
    bus.publish(created(1))
    seen: list[Event] = []
    bus.subscribe(seen.append)
    bus.publish(created(2))
    assert [e.at for e in seen] == [2.0]


def test_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    bus = EventBus()
    seen: list[Event] = []
    unsubscribe = bus.subscribe(seen.append)
    bus.publish(created(1))
    unsubscribe()
    unsubscribe()  # a second call must not raise
    bus.publish(created(2))
    assert len(seen) == 1


def test_unsubscribe_during_publish_does_not_skip_others() -> None:
    bus = EventBus()
    seen: list[str] = []
    handles: dict[str, object] = {}

    def once(event: Event) -> None:
        seen.append("once")
        handles["once"]()  # type: ignore[operator]

    handles["once"] = bus.subscribe(once)
    bus.subscribe(lambda e: seen.append("other"))
    bus.publish(created(1))
    bus.publish(created(2))
    assert seen == ["once", "other", "other"]


def test_a_raising_subscriber_does_not_break_the_others() -> None:
    errors: list[tuple[object, BaseException]] = []
    bus = EventBus(on_subscriber_error=lambda sub, exc: errors.append((sub, exc)))
    seen: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("observer bug")

    bus.subscribe(broken)
    bus.subscribe(seen.append)
    bus.publish(created(1))
    bus.publish(created(2))
    assert len(seen) == 2
    assert len(errors) == 2
    assert errors[0][0] is broken
    assert isinstance(errors[0][1], RuntimeError)
    assert len(bus.history()) == 2


def test_a_raising_subscriber_without_error_hook_is_silent() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(lambda e: 1 / 0)
    bus.subscribe(seen.append)
    bus.publish(created())  # must not raise
    assert len(seen) == 1


def test_history_keeps_events_oldest_first() -> None:
    bus = EventBus()
    events = [created(i) for i in range(5)]
    for event in events:
        bus.publish(event)
    assert bus.history() == events
    bus.history().clear()  # a copy: clearing it leaves the bus alone
    assert len(bus.history()) == 5


def test_history_is_bounded_and_drops_the_oldest() -> None:
    bus = EventBus(history_limit=3)
    for i in range(10):
        bus.publish(created(i))
    assert [e.at for e in bus.history()] == [7.0, 8.0, 9.0]


def test_of_type_filters_by_class_including_subclasses() -> None:
    bus = EventBus()
    bus.publish(created(1))
    bus.publish(line("hello"))
    bus.publish(EnvironmentFrozen(at=2.0, function="fn", env_id="fn-1"))
    bus.publish(line("world"))
    assert [e.text for e in bus.of_type(LogLine)] == ["hello", "world"]
    assert [type(e) for e in bus.of_type(EnvironmentCreated)] == [EnvironmentCreated]
    assert len(list(bus.of_type(Event))) == 4


async def test_queue_receives_future_events_until_unsubscribed() -> None:
    bus = EventBus()
    bus.publish(created(0))
    queue, unsubscribe = bus.queue()
    bus.publish(created(1))
    bus.publish(line("x"))
    first = await asyncio.wait_for(queue.get(), 1)
    second = await asyncio.wait_for(queue.get(), 1)
    assert first.at == 1.0
    assert isinstance(second, LogLine)
    unsubscribe()
    bus.publish(created(2))
    assert queue.empty()


def test_events_are_immutable() -> None:
    event = created()
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.env_id = "other"  # type: ignore[misc]
