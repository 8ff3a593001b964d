"""Results of invocations the runtime did not answer: it timed out, was stopped, exited, or
never finished init. Each is what Lambda answers (payload, error type) and logs."""

from __future__ import annotations

from workbench.core import logformat
from workbench.core.outcomes import InitOutcome, Result, error_body
from workbench.core.sandbox import SandboxExit

# Not an AWS error type (Lambda has no Stop): named like the timeout's Sandbox.Timedout.
STOPPED_ERROR_TYPE = "Sandbox.Stopped"


def exit_result(request_id: str, exit_info: SandboxExit) -> Result:
    error_type = "Runtime.OutOfMemory" if exit_info.oom_killed else "Runtime.ExitError"
    message = f"RequestId: {request_id} Error: Runtime exited with error: {exit_info.describe()}"
    return Result(
        payload=error_body(message, error_type),
        function_error="Unhandled",
        status="error",
        error_type=error_type,
        log_lines=(message, error_type),
    )


def timeout_result(real_now: float, request_id: str, elapsed_s: float) -> Result:
    message = logformat.timeout_message(real_now, request_id, elapsed_s)
    return Result(
        payload=error_body(message, "Sandbox.Timedout"),
        function_error="Unhandled",
        status="timeout",
        error_type="Sandbox.Timedout",
        log_lines=(message,),
    )


def stopped_result(now: float, request_id: str, elapsed_s: float) -> Result:
    message = logformat.stopped_message(now, request_id, elapsed_s)
    return Result(
        payload=error_body(message, STOPPED_ERROR_TYPE),
        function_error="Unhandled",
        status="error",
        error_type=STOPPED_ERROR_TYPE,
        log_lines=(message,),
    )


def failed_init_result(
    init: InitOutcome, real_now: float, request_id: str, elapsed_s: float
) -> Result:
    """The init retried inside the invoke phase failed too: the invocation fails with it."""
    if init.status == "timeout":
        return timeout_result(real_now, request_id, elapsed_s)
    error_type = init.error_type or "Runtime.Unknown"
    return Result(
        payload=init.error_body or error_body("Init failed", error_type),
        function_error="Unhandled",
        status="error",
        error_type=error_type,
    )
