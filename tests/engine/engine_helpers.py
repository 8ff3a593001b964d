"""Helpers for engine tests: write handlers, invoke with a bound, read logs, poll.

Every wait is bounded so a broken engine fails a test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from workbench.core.events import LogLine
from workbench.core.model import FunctionConfig
from workbench.core.outcomes import Served
from workbench.core.service import LambdaService

INVOKE_LIMIT_S = 20.0  # upper bound for any single invocation in these tests
CLOSE_LIMIT_S = 10.0  # a service must shut down well within this


def write_function(
    root: Path,
    code: str,
    *,
    name: str = "fn",
    filename: str = "lambda_function.py",
    **settings: Any,
) -> FunctionConfig:
    """Write a handler file into root/name and return its (validated) configuration."""
    code_dir = root / name
    code_dir.mkdir(parents=True, exist_ok=True)
    (code_dir / filename).write_text(textwrap.dedent(code), encoding="utf-8")
    return FunctionConfig(name=name, code_dir=code_dir, **settings)


async def invoke(service: LambdaService, name: str, event: Any = None) -> Served:
    """Invoke synchronously with a JSON event, bounded in time."""
    payload = json.dumps({} if event is None else event).encode()
    return await asyncio.wait_for(service.invoke(name, payload), INVOKE_LIMIT_S)


def body(served: Served) -> Any:
    return json.loads(served.payload)


def log_texts(service: LambdaService, request_id: str | None = None) -> list[str]:
    """Log lines kept on the bus, all of them or those of one invocation."""
    return [
        e.text
        for e in service.bus.of_type(LogLine)
        if request_id is None or e.request_id == request_id
    ]


async def wait_until(
    predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02
) -> bool:
    """Poll predicate until it holds or timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()


ServiceFactory = Callable[..., Awaitable[LambdaService]]


def runtime_pids() -> set[int]:
    """Live (not zombie) child processes of this test process that are Lambda runtimes."""
    me = str(os.getpid())
    pids: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, parent = fields[0], fields[1]
        if (
            parent == me
            and state not in ("Z", "X")
            and (b"bootstrap.py" in cmdline or b"awslambdaric" in cmdline)
        ):
            pids.add(int(entry.name))
    return pids
