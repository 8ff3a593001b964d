"""What an invocation or an init produced, and the error bodies Lambda answers with."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Literal

from workbench.core.events import Report
from workbench.core.runtime_api import MAX_RESPONSE_BYTES, RuntimeOutcome


@dataclass(frozen=True)
class InitOutcome:
    status: Literal["success", "error", "timeout"]
    duration_ms: float
    error_type: str | None = None
    error_body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True)
class Served:
    """The result of one invocation as the caller sees it."""

    request_id: str
    payload: bytes
    function_error: str | None
    report: Report
    log_tail: str
    cold: bool


@dataclass(frozen=True)
class Result:
    payload: bytes
    function_error: str | None = None
    status: Literal["success", "error", "timeout"] = "success"
    error_type: str | None = None
    log_lines: tuple[str, ...] = ()


def from_runtime(outcome: RuntimeOutcome) -> Result:
    if outcome.kind == "response":
        return Result(outcome.body)
    if outcome.kind == "too_large":
        message = (
            "Response payload size exceeded maximum allowed payload size "
            f"({MAX_RESPONSE_BYTES} bytes)."
        )
        return Result(error_body(message, "Function.ResponseSizeTooLarge"), "Unhandled")
    return Result(outcome.body or error_body("Unknown error", "Unhandled"), "Unhandled")


def error_body(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def trace_id(epoch_s: float) -> str:
    root = f"1-{int(epoch_s):08x}-{uuid.uuid4().hex[:24]}"
    return f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled=0"
