"""Check kinds about a function's configuration and what it costs or does with failures:
setting, monthly_cost_at_most, async_failure_destination (runners: config_run).
"""

from __future__ import annotations

from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

# function.toml's names (what the learner edits) → FunctionConfig attributes, and units.
SETTINGS: dict[str, tuple[str, str]] = {
    "memory": ("memory_mb", " MB"),
    "timeout": ("timeout_s", " s"),
    "ephemeral_storage": ("ephemeral_storage_mb", " MB"),
    "reserved_concurrency": ("reserved_concurrency", ""),
    "provisioned_concurrency": ("provisioned_concurrency", ""),
    "max_retry_attempts": ("max_retry_attempts", ""),
    "on_failure": ("on_failure", ""),
    "handler": ("handler", ""),
    "architecture": ("architecture", ""),
}


RUNNERS = "workbench.lessons.check_kinds.config_run"  # imported when one of these checks runs

SETTING = declare(
    "setting",
    "The deployed function's setting (as function.toml names it) equals a value or lies "
    "within min/max.",
    {
        "setting": Field("string", "which setting", True, choices=tuple(SETTINGS)),
        "equals": Field("any", "the value it must have"),
        "min": Field("number", "the smallest value allowed"),
        "max": Field("number", "the largest value allowed"),
        "why": Field("string", "the reason, appended to the feedback"),
    },
    ("setting", "value", "expected"),
    runner=RUNNERS,
)


MONTHLY_COST_AT_MOST = declare(
    "monthly_cost_at_most",
    "Invoke once (it must work at its memory size), then price a month of the given load at "
    "the deployed memory and architecture; the total must fit the budget.",
    {
        **EVENT_PARAMS,
        "invocations": Field("integer", "requests per month", True, minimum=0),
        "duration_ms": Field("number", "average duration of one request", True, minimum=0),
        "budget_usd": Field("number", "the most the month may cost", True, minimum=0),
        "free_tier": Field("boolean", "take off the free tier (default true)"),
    },
    ("cost", "budget", "memory", "explain"),
    runner=RUNNERS,
)


ASYNC_FAILURE_DESTINATION = declare(
    "async_failure_destination",
    "Invoke asynchronously with an event that fails; after the allowed retries, the failure "
    "record must reach the expected on-failure destination.",
    {
        **EVENT_PARAMS,
        "destination": Field("string", "e.g. queue:failed-orders", True),
        "max_retries": Field("integer", "the most retries allowed (default 0)", minimum=0),
    },
    ("destination", "retries"),
    runner=RUNNERS,
)

KINDS = (
    SETTING,
    MONTHLY_COST_AT_MOST,
    ASYNC_FAILURE_DESTINATION,
)
