"""AWS's own Python runtime client (awslambdaric, from PyPI) served by our Runtime API.

If Amazon's client works against the workbench unchanged, our Runtime API speaks the real
protocol: headers, status codes, HTTP/1.1 with Content-Type (awslambdaric crashed with exit
139 on HTTP/1.0 answers without it, LAMBDA_FACTS.md "Verified on this project's machines").

The backend is ProcessBackend with one difference, its runtime_command: `python -m
awslambdaric HANDLER` with PYTHONPATH = the code folder. Everything else (cwd = code folder,
environment, /tmp, process group, memory watchdog, freeze) is ProcessBackend's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from engine_helpers import CLOSE_LIMIT_S, body, invoke, log_texts, runtime_pids, write_function

from workbench.backends.process import ProcessBackend
from workbench.core.events import EnvironmentFrozen, InvocationStarted
from workbench.core.sandbox import SandboxSpec
from workbench.core.service import LambdaService

pytest.importorskip("awslambdaric")


class AwsLambdaRicBackend(ProcessBackend):
    """ProcessBackend running Amazon's runtime client instead of the workbench bootstrap."""

    name = "process-awslambdaric"

    def runtime_command(self, spec: SandboxSpec) -> list[str]:
        code = str(spec.function.code_dir)
        return [
            "env",
            f"PYTHONPATH={code}",
            self.python,
            "-u",
            "-m",
            "awslambdaric",
            spec.function.handler,
        ]


@pytest.fixture
async def ric_service() -> AsyncIterator[LambdaService]:
    service = LambdaService(AwsLambdaRicBackend())
    await service.start()
    try:
        yield service
    finally:
        await asyncio.wait_for(service.close(), CLOSE_LIMIT_S)


HANDLER = """\
import os
import time

count = 0


def lambda_handler(event, context):
    global count
    count += 1
    if event.get("fail"):
        raise KeyError("action")
    before = context.get_remaining_time_in_millis()
    time.sleep(event.get("sleep", 0))
    print(f"awslambdaric says hello {count}")
    return {
        "echo": event,
        "count": count,
        "pid": os.getpid(),
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "remaining": [before, context.get_remaining_time_in_millis()],
    }
"""


async def test_response_round_trips(ric_service: LambdaService, tmp_path: Path) -> None:
    config = write_function(tmp_path, HANDLER)
    ric_service.deploy(config)
    event = {"name": "Ada", "nested": {"list": [1, 2, 3]}, "text": "héllo"}
    served = await invoke(ric_service, "fn", event)
    assert served.function_error is None, served.payload
    result = body(served)
    assert result["echo"] == event
    assert result["request_id"] == served.request_id
    assert result["arn"] == config.arn
    assert result["memory"] == "128"
    assert served.cold is True
    assert served.report.init_duration_ms is not None
    assert "awslambdaric says hello 1" in log_texts(ric_service, served.request_id)
    assert runtime_pids() == {result["pid"]}
    cmdline = Path(f"/proc/{result['pid']}/cmdline").read_bytes().split(b"\0")
    assert b"awslambdaric" in cmdline  # Amazon's client, not the workbench bootstrap
    assert not any(part.endswith(b"bootstrap.py") for part in cmdline)


async def test_warm_reuse(ric_service: LambdaService, tmp_path: Path) -> None:
    ric_service.deploy(write_function(tmp_path, HANDLER))
    first = await invoke(ric_service, "fn")
    second = await invoke(ric_service, "fn")
    assert (first.cold, second.cold) == (True, False)
    assert (body(first)["count"], body(second)["count"]) == (1, 2)
    assert body(first)["pid"] == body(second)["pid"]
    assert second.report.init_duration_ms is None
    assert len({e.env_id for e in ric_service.bus.of_type(InvocationStarted)}) == 1


async def test_survives_freeze_and_thaw(ric_service: LambdaService, tmp_path: Path) -> None:
    ric_service.deploy(write_function(tmp_path, HANDLER))
    first = await invoke(ric_service, "fn")
    for _ in range(250):
        if any(ric_service.bus.of_type(EnvironmentFrozen)):
            break
        await asyncio.sleep(0.02)
    assert any(ric_service.bus.of_type(EnvironmentFrozen))
    second = await invoke(ric_service, "fn")
    assert second.function_error is None
    assert body(second)["pid"] == body(first)["pid"]


async def test_exception_has_aws_error_shape(ric_service: LambdaService, tmp_path: Path) -> None:
    config = write_function(tmp_path, HANDLER)
    ric_service.deploy(config)
    served = await invoke(ric_service, "fn", {"fail": True})
    assert served.function_error == "Unhandled"
    error = json.loads(served.payload)
    assert error["errorType"] == "KeyError"
    assert error["errorMessage"] == "'action'"
    assert error["requestId"] == served.request_id
    assert isinstance(error["stackTrace"], list)
    assert any("lambda_function.py" in entry for entry in error["stackTrace"]), error
    assert any("[ERROR] KeyError" in t for t in log_texts(ric_service, served.request_id))
    after = await invoke(ric_service, "fn")  # a handler exception does not reset anything
    assert after.function_error is None
    assert after.cold is False


async def test_remaining_time_uses_our_deadline(ric_service: LambdaService, tmp_path: Path) -> None:
    ric_service.deploy(write_function(tmp_path, HANDLER, timeout_s=5))
    served = await invoke(ric_service, "fn", {"sleep": 0.2})
    before, after = body(served)["remaining"]
    assert 4000 < before <= 5000
    assert 0 < after <= before - 150


async def test_init_error_reported_by_awslambdaric(
    ric_service: LambdaService, tmp_path: Path
) -> None:
    ric_service.deploy(write_function(tmp_path, "def other(event, context):\n    pass\n"))
    served = await invoke(ric_service, "fn")
    assert served.function_error == "Unhandled"
    error = json.loads(served.payload)
    assert error["errorType"] == "Runtime.HandlerNotFound"
    init_reports = [t for t in log_texts(ric_service) if t.startswith("INIT_REPORT ")]
    assert [("Phase: init" in t, "Phase: invoke" in t) for t in init_reports] == [
        (True, False),
        (False, True),
    ]
    assert all("Error Type: Runtime.HandlerNotFound" in t for t in init_reports)
