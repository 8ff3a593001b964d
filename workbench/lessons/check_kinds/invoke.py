"""Check kinds that invoke once and inspect the response or logs (runners: invoke_run).

returns, function_error, logs_contain, handler_resolves.
"""

from __future__ import annotations

from workbench.lessons.check_kinds.compare import COMPARE_PARAMS, static_compare
from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

RUNNERS = "workbench.lessons.check_kinds.invoke_run"  # imported when one of these checks runs

RETURNS = declare(
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
    runner=RUNNERS,
)


FUNCTION_ERROR = declare(
    "function_error",
    "Invoke with an event; the invocation must fail with this errorType.",
    {
        **EVENT_PARAMS,
        "error_type": Field("string", "the expected errorType, e.g. ValueError", True),
        "message_contains": Field("string", "text the errorMessage must contain"),
    },
    ("got", "expected", "message"),
    runner=RUNNERS,
)


LOGS_CONTAIN = declare(
    "logs_contain",
    "Invoke with an event; the function's own log lines must contain text or match a regex.",
    {
        **EVENT_PARAMS,
        "text": Field("string", "text one log line must contain"),
        "pattern": Field("string", "a regular expression one log line must match"),
    },
    ("text", "printed"),
    static=lambda p: [] if ("text" in p) != ("pattern" in p) else [((), "give text or pattern")],
    runner=RUNNERS,
)


HANDLER_RESOLVES = declare(
    "handler_resolves",
    "Invoke once; Lambda must find and load the configured handler (module.function).",
    dict(EVENT_PARAMS),
    ("handler", "error_type", "files", "functions"),
    runner=RUNNERS,
)

KINDS = (
    RETURNS,
    FUNCTION_ERROR,
    LOGS_CONTAIN,
    HANDLER_RESOLVES,
)
