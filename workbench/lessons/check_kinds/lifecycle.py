"""Check kinds about environments: reuse, leaks between requests, cold starts, throttling:
warm_reuse, no_state_leak, cold_start_count, throttles (runners: lifecycle_run).
"""

from __future__ import annotations

from workbench.core.concurrency import RESERVED_LIMIT
from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

RUNNERS = "workbench.lessons.check_kinds.lifecycle_run"  # imported when one of these checks runs

WARM_REUSE = declare(
    "warm_reuse",
    "Invoke 2+ times in a row; later ones must be warm, and a counter in the response must "
    "grow (state kept in a global) or stay constant (work done once, at init).",
    {
        **EVENT_PARAMS,
        "counter": Field("string", "JSON path of a number in the response", True),
        "expect": Field("string", "how the counter moves", choices=("grows", "constant")),
        "times": Field("integer", "how many invocations (default 2)", minimum=2, maximum=5),
        "warm_under_ms": Field(
            "number",
            "each warm invocation's REPORT Duration must be below this: measured, so a "
            "counter the function fakes cannot pass",
            minimum=1,
        ),
    },
    ("values", "counter", "durations"),
    runner=RUNNERS,
)


NO_STATE_LEAK = declare(
    "no_state_leak",
    "Invoke with one event, then another in the same warm environment; nothing of the first "
    "(the marker text) may show up in the second response.",
    {
        "first": Field("string", "the first event's name", True),
        "second": Field("string", "the second event's name", True),
        "marker": Field("string", "text from the first request that must not leak", True),
    },
    ("marker", "second"),
    event_keys=("first", "second"),
    runner=RUNNERS,
)


COLD_START_COUNT = declare(
    "cold_start_count",
    "Optionally warm up with sequential pings, then send simultaneous requests; at most "
    "`at_most` of them may be cold starts (an Init Duration on the REPORT).",
    {
        **EVENT_PARAMS,
        "warmup": Field("integer", "sequential pings first (default 0)", minimum=0, maximum=5),
        "concurrent": Field("integer", "simultaneous requests", True, minimum=1, maximum=10),
        "at_most": Field("integer", "cold starts allowed among them", True, minimum=0),
    },
    ("cold", "concurrent", "warmup"),
    runner=RUNNERS,
)


THROTTLES = declare(
    "throttles",
    "Send simultaneous requests; exactly `expect_throttled` must be refused with 429 and the "
    "given Reason, and the rest must succeed.",
    {
        **EVENT_PARAMS,
        "concurrent": Field("integer", "simultaneous requests", True, minimum=1, maximum=10),
        "expect_throttled": Field("integer", "how many must be throttled", True, minimum=0),
        "reason": Field("string", f"the throttling Reason (default {RESERVED_LIMIT})"),
    },
    ("throttled", "concurrent", "reserved"),
    runner=RUNNERS,
)

KINDS = (
    WARM_REUSE,
    NO_STATE_LEAK,
    COLD_START_COUNT,
    THROTTLES,
)
