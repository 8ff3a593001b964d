"""Runners of the check kinds that invoke once and inspect the response or logs (declared
in invoke.py): returns, function_error, logs_contain, handler_resolves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import (
    HANDLER_ERRORS,
    describe_error,
    describe_value,
    error_of,
    functions_in,
    printed_lines,
    python_files,
    short,
)


async def returns(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    served = await ctx.invoke(ctx.payload(params))
    if served.function_error:
        error = describe_error(served)
        return failed(f"The invocation failed: {error}", error=error, got="an error")
    value = json.loads(served.payload)
    problem = compare(value, params)
    if problem:
        return problem
    took = served.report.duration_ms
    least = params.get("min_duration_ms")
    if least is not None and took < float(least):
        return failed(
            f"It returned {short(value)} after only {took:.0f} ms; the work it stands for "
            f"takes at least {float(least):g} ms, so it was skipped rather than given time",
            got=short(value),
            duration=f"{took:.0f} ms",
        )
    return passed(f"It returned {short(value)}")


async def function_error(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    served = await ctx.invoke(ctx.payload(params))
    expected = params["error_type"]
    if not served.function_error:
        value = describe_value(json.loads(served.payload))
        return failed(
            f"It returned {value} instead of failing with {expected}",
            got="no error",
            expected=expected,
            message="",
        )
    got, message = error_of(served)
    if got != expected:
        return failed(
            f"It failed with {got} ({short(message)}); expected {expected}",
            got=got,
            expected=expected,
            message=message,
        )
    wanted = params.get("message_contains")
    if wanted and wanted not in message:
        return failed(
            f"The {got} message is {short(message)}; it should mention {short(wanted)}",
            got=got,
            expected=expected,
            message=message,
        )
    return passed(f"It failed with {got}: {message}")


async def logs_contain(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    served = await ctx.invoke(ctx.payload(params))
    lines = printed_lines(served)
    wanted = params.get("text") or params["pattern"]
    match = (lambda line: wanted in line) if "text" in params else re.compile(wanted).search
    if any(match(line) for line in lines):
        return passed(f"The log has {short(next(line for line in lines if match(line)))}")
    printed = "\n".join(lines[-5:]) or "(nothing)"
    error = f" ({describe_error(served)})" if served.function_error else ""
    return failed(
        f"No log line contains {short(wanted)}{error}. Your function logged:\n{printed}",
        text=wanted,
        printed=printed,
    )


async def handler_resolves(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    served = await ctx.invoke(ctx.payload(params))
    handler = ctx.config.handler
    error_type, message = error_of(served) if served.function_error else ("", "")
    if error_type not in HANDLER_ERRORS:
        return passed(f"Lambda found {handler} and called it")
    module, _, function = handler.rpartition(".")
    files = ", ".join(python_files(ctx.code_dir)) or "no .py files"
    defined = functions_in(ctx.code_dir / f"{module.replace('.', '/')}.py")
    fields = {
        "handler": handler,
        "error_type": error_type,
        "files": files,
        "functions": ", ".join(defined) or "none",
    }
    if error_type == "Runtime.MalformedHandlerName":
        why = f"'{handler}' has no dot; Lambda splits it at the last dot into file and function"
    elif error_type == "Runtime.ImportModuleError":
        why = f"Lambda looked for {module}.py in your code folder, which has {files}"
    elif error_type == "Runtime.HandlerNotFound":
        why = f"{module}.py has no function {function!r}; it defines {fields['functions']}"
    else:
        why = message
    return failed(f"{error_type}: {why}", **fields)
