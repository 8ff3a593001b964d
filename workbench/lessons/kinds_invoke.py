"""Check kinds that invoke once and inspect the response or logs.

returns, function_error, logs_contain, handler_resolves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from workbench.lessons import jsonpath
from workbench.lessons.checks import EVENT_PARAMS, CheckContext, Outcome, failed, kind, passed
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
from workbench.lessons.schema import Field

JSON_TYPES = ("dict", "list", "string", "integer", "number", "boolean", "null")

_TYPE_TESTS = {
    "dict": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_type_ok(value: Any, wanted: str) -> bool:
    """Whether a JSON value is of a type named as in JSON_TYPES."""
    return bool(_TYPE_TESTS[wanted](value))


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def compare(value: Any, params: Mapping[str, Any], what: str = "the response") -> Outcome | None:
    """Check `type`, `types`, `expect` and `contains` against a value; None when all hold."""
    root = params.get("type")
    if root and not json_type_ok(value, root):
        return failed(
            f"{what} is {describe_value(value)}; expected a {root}",
            got=short(value),
            expected=root,
            path="",
        )
    for path, wanted in dict(params.get("types", {})).items():
        found = jsonpath.lookup(value, path)
        if found is jsonpath.MISSING or not json_type_ok(found, wanted):
            shown = "missing" if found is jsonpath.MISSING else describe_value(found)
            return failed(
                f"`{path}` in {what} is {shown}; expected a {wanted}",
                got=shown,
                expected=wanted,
                path=path,
            )
    for path, expected in dict(params.get("expect", {})).items():
        found = jsonpath.lookup(value, path)
        if found is jsonpath.MISSING:
            have = jsonpath.missing_step(value, path)
            where = f"has `{have}` but no `{path}`" if have else f"has no `{path}`"
            return failed(
                f"{what} {where}; it is {describe_value(value)}",
                got="missing",
                expected=short(expected),
                path=path,
            )
        if not _same(found, expected):
            return failed(
                f"`{path}` in {what} is {short(found)}; expected {short(expected)}",
                got=short(found),
                expected=short(expected),
                path=path,
            )
    for path, text in dict(params.get("contains", {})).items():
        found = jsonpath.lookup(value, path)
        if not isinstance(found, str) or text not in found:
            shown = "missing" if found is jsonpath.MISSING else short(found)
            return failed(
                f"`{path}` in {what} is {shown}; expected text containing {short(text)}",
                got=shown,
                expected=short(text),
                path=path,
            )
    return None


COMPARE_PARAMS = {
    "type": Field("string", "the type of the whole value", choices=JSON_TYPES),
    "types": Field("table", "JSON path → expected type name, e.g. statusCode = 'integer'"),
    "expect": Field("table", "JSON path → expected value, e.g. statusCode = 200"),
    "contains": Field("table", "JSON path → text the string there must contain"),
}


def static_compare(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("types", "expect", "contains"):
        for path, value in dict(params.get(key, {})).items():
            try:
                jsonpath.parse(path)
            except jsonpath.PathError as exc:
                found.append(((key, path), str(exc)))
            if key == "types" and value not in JSON_TYPES:
                found.append(((key, path), f"{value!r} is not one of {', '.join(JSON_TYPES)}"))
    return found


@kind(
    "returns",
    "Invoke with an event; the response must have the given type, values and text.",
    {
        **EVENT_PARAMS,
        **COMPARE_PARAMS,
        "min_duration_ms": Field(
            "number",
            "the REPORT Duration must be at least this: the real (slow) work must still run",
            minimum=1,
        ),
    },
    ("got", "expected", "path", "error", "duration"),
    static=static_compare,
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


@kind(
    "function_error",
    "Invoke with an event; the invocation must fail with this errorType.",
    {
        **EVENT_PARAMS,
        "error_type": Field("string", "the expected errorType, e.g. ValueError", True),
        "message_contains": Field("string", "text the errorMessage must contain"),
    },
    ("got", "expected", "message"),
)
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


@kind(
    "logs_contain",
    "Invoke with an event; the function's own log lines must contain text or match a regex.",
    {
        **EVENT_PARAMS,
        "text": Field("string", "text one log line must contain"),
        "pattern": Field("string", "a regular expression one log line must match"),
    },
    ("text", "printed"),
    static=lambda p: [] if ("text" in p) != ("pattern" in p) else [((), "give text or pattern")],
)
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


@kind(
    "handler_resolves",
    "Invoke once; Lambda must find and load the configured handler (module.function).",
    dict(EVENT_PARAMS),
    ("handler", "error_type", "files", "functions"),
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
