"""Concurrency and scaling through the real engine: scale-out, reuse, throttles, provisioning."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, body, invoke, wait_until, write_function

from workbench.core.async_queue import RetryPolicy
from workbench.core.concurrency import ACCOUNT_LIMIT, RESERVED_LIMIT, AccountLimit
from workbench.core.errors import InvokeError
from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentReaped,
    InitCompleted,
    InvocationCompleted,
    InvocationDropped,
    InvocationThrottled,
)
from workbench.core.model import ConfigError

SLOW = """
import os, time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0.5))
    return {"pid": os.getpid(), "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


async def _burst(service, name: str, count: int, event: dict | None = None) -> list:
    """Fire count invocations at once; each item is a Served or the InvokeError it raised."""
    return await asyncio.gather(
        *(invoke(service, name, event) for _ in range(count)), return_exceptions=True
    )


async def _qualified_burst(
    service, name: str, qualifier: str, count: int, event: dict | None = None
) -> list:
    payload = json.dumps(event or {}).encode()
    return await asyncio.wait_for(
        asyncio.gather(*(service.invoke(name, payload, qualifier=qualifier) for _ in range(count))),
        20,
    )


async def test_concurrent_invocations_scale_out_and_a_second_wave_reuses_them(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW, name="wide"))
    first = await _burst(service, "wide", 20)
    assert all(not isinstance(r, BaseException) for r in first), first
    assert len({body(r)["pid"] for r in first}) == 20
    assert sum(1 for _ in service.bus.of_type(EnvironmentCreated)) == 20
    await wait_until(lambda: all(e.state.value == "frozen" for e in service.environments()))
    second = await _burst(service, "wide", 20)
    assert {body(r)["pid"] for r in second} == {body(r)["pid"] for r in first}
    assert not any(r.cold for r in second)
    assert sum(1 for _ in service.bus.of_type(EnvironmentCreated)) == 20


async def test_reserved_concurrency_throttles_exactly_the_excess(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW, name="capped", reserved_concurrency=5))
    results = await _burst(service, "capped", 12)
    served = [r for r in results if not isinstance(r, BaseException)]
    throttled = [r for r in results if isinstance(r, InvokeError)]
    assert len(served) == 5 and len(throttled) == 7  # one answer each, none lost
    assert {(e.status, e.error_type, e.reason) for e in throttled} == {
        (429, "TooManyRequestsException", RESERVED_LIMIT)
    }
    assert sum(1 for _ in service.bus.of_type(InvocationThrottled)) == 7
    assert len(service.environments("capped")) == 5


async def test_the_account_limit_throttles_unreserved_functions(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(account_limit=AccountLimit(8, "a test's limit"))
    service.deploy(write_function(tmp_path, SLOW, name="shared"))
    results = await _burst(service, "shared", 10)
    throttled = [r for r in results if isinstance(r, InvokeError)]
    assert len(throttled) == 2
    assert all(e.reason == ACCOUNT_LIMIT for e in throttled)
    assert "a test's limit" in throttled[0].message


async def test_a_reservation_is_carved_out_of_the_pool_for_everyone_else(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(account_limit=AccountLimit(10, "a test's limit"))
    service.deploy(write_function(tmp_path, SLOW, name="vip", reserved_concurrency=6))
    service.deploy(write_function(tmp_path, SLOW, name="others"))
    results = await _burst(service, "others", 6)
    assert sum(isinstance(r, InvokeError) for r in results) == 2  # 10 - 6 = 4 unreserved
    with pytest.raises(ConfigError, match="unreserved"):
        service.deploy(write_function(tmp_path, SLOW, name="greedy", reserved_concurrency=4))


async def test_reserved_concurrency_zero_disables_the_function(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW, name="off", reserved_concurrency=0))
    with pytest.raises(InvokeError) as raised:
        await invoke(service, "off")
    assert raised.value.reason == RESERVED_LIMIT and "disabled" in raised.value.message
    request_id = await service.invoke_event("off", b"{}")
    await wait_until(lambda: any(True for _ in service.bus.of_type(InvocationDropped)))
    dropped = next(service.bus.of_type(InvocationDropped))
    assert (dropped.request_id, dropped.reason, dropped.attempts) == (
        request_id,
        "function disabled",
        1,
    )


async def test_throttled_async_invocations_go_back_on_the_queue_and_all_run(
    make_service: ServiceFactory, tmp_path: Path
):
    policy = RetryPolicy(throttle_first_delay_s=0.1, throttle_max_delay_s=0.4)
    service = await make_service(retry_policy=policy)
    service.deploy(write_function(tmp_path, SLOW, name="queue", reserved_concurrency=1))
    ids = [await service.invoke_event("queue", b'{"sleep": 0.3}') for _ in range(3)]
    assert await wait_until(
        lambda: len({e.request_id for e in service.bus.of_type(InvocationCompleted)}) == 3, 10
    )
    completed = [e.request_id for e in service.bus.of_type(InvocationCompleted)]
    assert sorted(completed) == sorted(ids)  # each exactly once
    throttles = list(service.bus.of_type(InvocationThrottled))
    assert throttles and all(t.invocation_type == "Event" for t in throttles)
    assert not list(service.bus.of_type(InvocationDropped))


async def test_provisioned_environments_serve_without_init_and_spill_over_on_demand(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW, name="warm"))
    service.publish_version("warm")
    service.put_provisioned_concurrency("warm", "1", 2)  # on a version, as AWS requires
    assert await wait_until(lambda: sum(1 for _ in service.bus.of_type(InitCompleted)) == 2)
    results = await _qualified_burst(service, "warm", "1", 3)
    provisioned = [r for r in results if body(r)["init"] == "provisioned-concurrency"]
    on_demand = [r for r in results if body(r)["init"] == "on-demand"]
    assert len(provisioned) == 2 and len(on_demand) == 1
    assert all(r.report.init_duration_ms is None and not r.cold for r in provisioned)
    assert on_demand[0].cold and on_demand[0].report.init_duration_ms is not None
    kinds = [e.initialization_type for e in service.bus.of_type(InvocationCompleted)]
    assert sorted(kinds) == ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]


async def test_idle_on_demand_environments_are_reaped_but_provisioned_ones_stay(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(idle_timeout_s=0.3)
    service.deploy(write_function(tmp_path, SLOW, name="mixed"))
    service.publish_version("mixed")
    service.set_alias("mixed", "live", 1)
    service.put_provisioned_concurrency("mixed", "live", 1)  # on an alias
    assert await wait_until(lambda: any(True for _ in service.bus.of_type(InitCompleted)))
    await _qualified_burst(service, "mixed", "live", 2, {"sleep": 0.1})
    assert await wait_until(lambda: any(True for _ in service.bus.of_type(EnvironmentReaped)))
    await asyncio.sleep(0.6)
    remaining = service.environments("mixed")
    assert len(remaining) == 1
    result = await service.invoke("mixed", b'{"sleep": 0}', qualifier="live")
    assert json.loads(result.payload)["init"] == "provisioned-concurrency"


async def test_a_fast_teaching_clock_reaps_in_seconds_but_bills_real_durations(
    make_service: ServiceFactory, tmp_path: Path
):
    from workbench.core.clock import TeachingClock

    service = await make_service(clock=TeachingClock(speed=300), idle_timeout_s=120)
    service.deploy(write_function(tmp_path, SLOW, name="lapse"))
    result = await invoke(service, "lapse", {"sleep": 0.2})
    assert 190 <= result.report.duration_ms <= 1000  # real time while it ran
    assert await wait_until(
        lambda: any(True for _ in service.bus.of_type(EnvironmentReaped)), timeout=5
    )


async def test_a_hundred_process_environments_start_serve_and_are_all_stopped(
    make_service: ServiceFactory, tmp_path: Path
):
    from engine_helpers import runtime_pids

    service = await make_service(account_limit=AccountLimit(1000, "AWS's default"))
    service.deploy(write_function(tmp_path, SLOW, name="hundred", timeout_s=30))
    results = await asyncio.wait_for(_burst(service, "hundred", 100, {"sleep": 2}), 90)
    assert all(not isinstance(r, BaseException) and not r.function_error for r in results)
    assert len({body(r)["pid"] for r in results}) == 100
    await service.close()
    assert await wait_until(lambda: not runtime_pids(), timeout=10)
