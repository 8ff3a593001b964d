"""LambdaService.stop_invocation: the learner's Stop ends a running invocation like a timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine_helpers import body, invoke, log_texts, wait_until, write_function

from workbench.core.events import EnvironmentReset
from workbench.core.failed_invocations import STOPPED_ERROR_TYPE
from workbench.core.service import LambdaService

SLOW = """
import os, time

def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"pid": os.getpid()}
"""


async def test_stop_ends_the_invocation_resets_the_environment_and_the_next_is_cold(
    service: LambdaService, tmp_path: Path
) -> None:
    """A 30 s handler stopped after ~0.3 s: error REPORT, a reset, then a cold, working invoke."""
    service.deploy(write_function(tmp_path, SLOW, timeout_s=60))
    first_pid = body(await invoke(service, "fn"))["pid"]
    running = asyncio.ensure_future(invoke(service, "fn", {"sleep": 30}))
    assert await wait_until(lambda: bool(service.running_requests("fn")), timeout=10)
    (request_id,) = service.running_requests("fn")
    await asyncio.sleep(0.3)
    assert service.stop_invocation(request_id)
    served = await asyncio.wait_for(running, 10)
    assert served.request_id == request_id
    assert served.function_error == "Unhandled"
    assert body(served)["errorType"] == STOPPED_ERROR_TYPE
    assert served.report.status == "error" and served.report.error_type == STOPPED_ERROR_TYPE
    assert served.report.duration_ms < 5_000
    logs = log_texts(service, request_id)
    assert any("Task stopped by the learner after" in line for line in logs), logs
    report = next(line for line in logs if line.startswith("REPORT "))
    assert report.endswith(f"\tStatus: error\tError Type: {STOPPED_ERROR_TYPE}\t")
    assert [e.reason for e in service.bus.of_type(EnvironmentReset)] == ["stopped"]
    assert service.running_requests("fn") == []
    again = await invoke(service, "fn")
    assert again.cold and again.function_error is None
    assert body(again)["pid"] != first_pid


async def test_stopping_a_request_that_is_not_running_says_so(
    service: LambdaService, tmp_path: Path
) -> None:
    """An unknown or finished request id is not stopped: False, and nothing is reset."""
    service.deploy(write_function(tmp_path, SLOW))
    served = await invoke(service, "fn")
    assert not service.stop_invocation(served.request_id)
    assert not service.stop_invocation("no-such-request")
    assert list(service.bus.of_type(EnvironmentReset)) == []
