"""Engine integrity on the process backend: stray /next, dead idle runtimes, real deadlines.

Issue 11: a handler that calls its own Runtime API /next (and gives up) must leave its
environment working; a warm runtime killed while idle must be replaced by a cold start, as
Lambda starts a new environment; the teaching clock must not move an invocation's deadline.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from engine_helpers import (
    ServiceFactory,
    body,
    invoke,
    log_texts,
    runtime_pids,
    wait_until,
    write_function,
)

from workbench.backends.process import ProcessBackend
from workbench.core.clock import TeachingClock
from workbench.core.environment import EnvState
from workbench.core.events import (
    EnvironmentReaped,
    EnvironmentReset,
    InvocationCompleted,
    InvocationStarted,
)

STRAY_HANDLER = """
import json, os, socket, threading, time, urllib.request

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
NEXT = f"http://{API}/2018-06-01/runtime/invocation/next"


def abandon_next():
    host, port = API.split(":")
    raw = socket.create_connection((host, int(port)))
    raw.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    raw.close()  # asks, then gives up without reading


def later_stray():
    time.sleep(0.01)
    try:
        urllib.request.urlopen(NEXT, timeout=0.2).read()
    except Exception:
        pass


def lambda_handler(event, context):
    got = None
    if event.get("mode") == "ask":
        with urllib.request.urlopen(NEXT, timeout=1) as resp:
            got = resp.headers["Lambda-Runtime-Aws-Request-Id"]
    elif event.get("mode") == "abandon":
        abandon_next()
    elif event.get("mode") == "later":
        threading.Thread(target=later_stray, daemon=True).start()
    return {"id": context.aws_request_id, "got": got}
"""


async def _stray_run(service, tmp_path: Path, mode: str, *, allow_resets: bool) -> None:  # type: ignore[no-untyped-def]
    service.deploy(write_function(tmp_path, STRAY_HANDLER, name=f"stray-{mode}"))
    for _ in range(10):
        served = await invoke(service, f"stray-{mode}", {"mode": mode})
        assert served.function_error is None, served.payload
        result = body(served)
        assert result["id"] == served.request_id  # its own answer, to its own caller
        if mode == "ask":  # the Runtime API renders the running event again, as the RIE does
            assert result["got"] == served.request_id
    plain = await invoke(service, f"stray-{mode}", {})
    assert body(plain)["id"] == plain.request_id
    resets = list(service.bus.of_type(EnvironmentReset))
    if not allow_resets:
        assert resets == []
        assert len({e.env_id for e in list(service.bus.of_type(InvocationStarted))}) == 1


async def test_a_handler_asking_for_its_own_next_changes_nothing(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await _stray_run(service, tmp_path, "ask", allow_resets=False)


async def test_a_handler_that_asks_for_next_and_gives_up_leaves_it_working(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    await _stray_run(service, tmp_path, "abandon", allow_resets=False)


async def test_a_stray_next_after_the_handler_returned_loses_nothing(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Its /next may race the runtime's own; whichever is refused, no invocation is lost.
    await _stray_run(service, tmp_path, "later", allow_resets=True)


# ----- a runtime killed while idle ------------------------------------------------------
HELLO = """
def lambda_handler(event, context):
    return {"pid": __import__("os").getpid()}
"""


async def _kill_idle_then_invoke(service, tmp_path: Path, wait_for_notice: bool) -> None:  # type: ignore[no-untyped-def]
    service.deploy(write_function(tmp_path, HELLO, name="victim"))
    first = await invoke(service, "victim")
    [old_env] = service.environments("victim")
    assert await wait_until(lambda: service.environments("victim")[0].state == EnvState.FROZEN)
    [pid] = runtime_pids()
    assert body(first)["pid"] == pid
    os.kill(pid, signal.SIGKILL)
    if wait_for_notice:
        assert await wait_until(lambda: list(service.bus.of_type(EnvironmentReaped)))
    second = await invoke(service, "victim")
    assert second.function_error is None, second.payload
    assert second.cold
    assert body(second)["pid"] != pid
    [reaped] = list(service.bus.of_type(EnvironmentReaped))
    assert (reaped.env_id, reaped.reason) == (old_env.env_id, "died")
    started = list(service.bus.of_type(InvocationStarted))[-1]
    assert started.cold and started.env_id != old_env.env_id
    assert [e.env_id for e in service.environments("victim")] == [started.env_id]
    third = await invoke(service, "victim")
    assert not third.cold and body(third)["pid"] == body(second)["pid"]


async def test_a_runtime_killed_while_idle_is_reaped_and_replaced_cold(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    await _kill_idle_then_invoke(service, tmp_path, wait_for_notice=True)


async def test_an_invoke_right_after_the_kill_goes_cold_too(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await _kill_idle_then_invoke(service, tmp_path, wait_for_notice=False)


# ----- deadlines stay real under the teaching clock -------------------------------------
DEADLINE = """
import time

def lambda_handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"remaining": context.get_remaining_time_in_millis(), "now_ms": int(time.time() * 1000)}
"""


async def test_deadline_and_log_times_are_real_under_a_fast_teaching_clock(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Lambda-Runtime-Deadline-Ms is a Unix epoch in ms and get_remaining_time_in_millis()
    is max(0, deadline_ms - int(time.time()*1000)) in the runtime (LAMBDA_FACTS A1, A4:
    runtimes-api.html; awslambdaric lambda_context.py): the runtime reads its own real
    clock, so a deadline stamped with the teaching clock's sped-up time would grow with idle
    time (21,258 → 107,000 ms was reported for a 3 s timeout). It must stay within the
    function's timeout however fast idle time runs, and so must log timestamps."""
    clock = TeachingClock(speed=1000)
    service = await make_service(clock=clock, idle_timeout_s=10**9)
    service.deploy(write_function(tmp_path, DEADLINE, name="deadline", timeout_s=3))
    for _ in range(3):
        result = body(await invoke(service, "deadline"))
        assert 1500 < result["remaining"] <= 3000, result
        await asyncio.sleep(0.5)  # 500 s of idle on the teaching clock
    assert clock.now() - time.time() > 1000  # the teaching clock really ran ahead
    service.deploy(write_function(tmp_path, DEADLINE, name="late", timeout_s=1))
    timed_out = await invoke(service, "late", {"sleep": 3})
    message = next(t for t in log_texts(service, timed_out.request_id) if "Task timed out" in t)
    stamp = re.match(r"(\S+Z) ", message)
    assert stamp is not None, message
    logged = datetime.strptime(stamp.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(logged.timestamp() - time.time()) < 30, message
    report = list(service.bus.of_type(InvocationCompleted))[-1].report
    assert report.status == "timeout" and report.duration_ms <= 1000.0


def test_the_process_backend_says_it_does_not_isolate() -> None:
    backend = ProcessBackend()
    assert "not isolated" in backend.isolation
    assert backend.bind_host == "127.0.0.1"  # never reachable from another machine
