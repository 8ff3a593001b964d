"""The async queue kept in SQLite, jittered throttle back-off, and event-age expiry on time."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from pathlib import Path

from engine_helpers import ServiceFactory, wait_until, write_function

from tests.support.fake_clock import FakeClock
from workbench.core.async_queue import RetryPolicy
from workbench.core.event_store import EventStore, StoredEvent, StoredMessage
from workbench.core.events import InvocationCompleted, InvocationThrottled
from workbench.core.model import Target

FAIL = """
def lambda_handler(event, context):
    raise ValueError("always")
"""
SLOW = """
import time

def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0.3))
    return event
"""


def test_events_of_a_dead_owner_are_claimed_and_live_ones_are_not(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    first = EventStore(path)
    first.add_event(StoredEvent("a", "fn", b'{"n": 1}', 100.0))
    first.add_event(StoredEvent("b", "other", b"{}", 101.0, qualifier="2"))
    second = EventStore(path)
    assert second.claim_events() == []  # the first store is open: its events are its own
    first.record_attempt("a", 3, 1)
    first.close()
    claimed = second.claim_events({"fn"})
    assert claimed == [StoredEvent("a", "fn", b'{"n": 1}', 100.0, None, 3, 1)]
    assert second.pending_events() == 1 and second.pending_events(mine_only=False) == 2
    # An owner whose process is gone (a kill -9) gives its events up too.
    with second._transaction() as db:
        db.execute("UPDATE async_events SET owner = ? WHERE request_id = 'b'", (f"{2**22 + 7}:x",))
    assert [e.request_id for e in second.claim_events()] == ["a", "b"]
    second.remove_event("a")
    assert second.pending_events() == 1
    second.close()


def test_queue_messages_are_kept_in_order_and_move_with_a_redrive(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store.sqlite3")
    for n in range(3):
        store.add_message(StoredMessage("q", f"m{n}", f"body {n}", {}, 1000 + n))
    store.record_receive("m1", 2, 1500)
    store.move_message("m0", "q-dlq")
    store.remove_message("m2")
    store.close()
    again = EventStore(tmp_path / "store.sqlite3")
    assert again.messages("q") == [StoredMessage("q", "m1", "body 1", {}, 1001, 2, 1500)]
    assert [m.message_id for m in again.messages("q-dlq")] == ["m0"]
    again.close()


async def test_throttled_retries_are_spread_not_in_lockstep(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    policy = RetryPolicy(throttle_first_delay_s=0.4, throttle_max_delay_s=0.8)
    service = await make_service(retry_policy=policy)
    service.deploy(write_function(tmp_path, SLOW, name="one", reserved_concurrency=1))
    ids = [await service.invoke_event("one", b'{"sleep": 0.5}') for _ in range(6)]
    assert await wait_until(
        lambda: {e.request_id for e in service.bus.of_type(InvocationCompleted)} >= set(ids),
        timeout=30,
    )
    # The five throttled at once came back at different times (50-150 % of the step).
    first_retries: dict[str, float] = {}
    throttles = sorted(service.bus.of_type(InvocationThrottled), key=lambda e: e.at)
    for throttle in throttles:
        if throttle.request_id in first_retries or throttle.at - throttles[0].at < 0.05:
            continue
        first_retries[throttle.request_id] = throttle.at
    retry_times = sorted(first_retries.values())
    assert len(retry_times) >= 2
    gaps = [b - a for a, b in itertools.pairwise(retry_times)]
    assert max(gaps) > 0.02, retry_times


def test_jitter_draws_within_half_and_one_and_a_half_steps() -> None:
    from workbench.core.async_queue import AsyncInvoker

    invoker = AsyncInvoker.__new__(AsyncInvoker)
    invoker._rng = random.Random(7)
    delays = [invoker.throttle_delay(4.0) for _ in range(200)]
    assert all(2.0 <= d <= 6.0 for d in delays)
    assert len({round(d, 3) for d in delays}) > 150  # not one value for everyone


async def test_event_age_expiry_sends_the_record_when_the_event_expires(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    clock = FakeClock()
    accepted = clock.now()
    service = await make_service(clock=clock, retry_policy=RetryPolicy(error_delays_s=(50, 100)))
    config = write_function(
        tmp_path, FAIL, name="aging", max_event_age_s=60, on_failure="queue:expired"
    )
    service.deploy(config)
    await service.invoke_event("aging", b'{"n": 1}')
    expired = Target("queue", "expired")

    def runs() -> int:
        return sum(1 for e in service.bus.of_type(InvocationCompleted) if e.function == "aging")

    assert await wait_until(lambda: runs() == 1)
    await asyncio.sleep(0.3)
    assert service.destinations.messages(expired) == []  # 50 s retry still fits in 60 s
    clock.advance(50)
    assert await wait_until(lambda: runs() == 2)
    await asyncio.sleep(1.5)  # the next retry (100 s) would come too late, but not yet expired
    assert service.destinations.messages(expired) == []
    clock.advance(9)
    await asyncio.sleep(1.5)
    assert service.destinations.messages(expired) == []  # 59 s old
    clock.advance(1)
    assert await wait_until(lambda: bool(service.destinations.messages(expired)))
    record = service.destinations.messages(expired)[0]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["timestamp"].startswith(_iso(accepted + 60))
    assert runs() == 2


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S")


async def test_events_resume_in_a_new_service_after_the_old_one_stopped(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    path = tmp_path / "store.sqlite3"
    earlier = EventStore(path)  # a run that accepted an event and stopped before running it
    earlier.add_event(StoredEvent("r-1", "later", b'{"sleep": 0}', time.time()))
    earlier.close()

    store = EventStore(path)
    service = await make_service(event_store=store)
    assert service.pending_events() == 0  # not claimed until its function is deployed
    service.deploy(write_function(tmp_path, SLOW, name="later"))
    assert service.events_resumed == 1
    assert service.resume_events() == 0  # already being delivered: not twice
    assert await wait_until(
        lambda: any(e.request_id == "r-1" for e in service.bus.of_type(InvocationCompleted))
    )
    assert await wait_until(lambda: service.pending_events() == 0)
    store.close()
