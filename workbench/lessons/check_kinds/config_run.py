"""Runners of the check kinds about configuration, cost and failures (declared in config.py):
setting, monthly_cost_at_most, async_failure_destination.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workbench.core.events import DestinationDelivered, InvocationCompleted
from workbench.core.model import parse_target
from workbench.core.monthly_cost import monthly_estimate
from workbench.lessons.check_kinds.config import SETTINGS
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import describe_error

ASYNC_WAIT_S = 30.0


async def setting(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    name = params["setting"]
    attribute, unit = SETTINGS[name]
    value = getattr(ctx.config, attribute)  # as the learner configured it (function.toml)
    shown = "not set" if value is None else f"{value}{unit}"
    why = f" — {params['why']}" if params.get("why") else ""
    fields = {"setting": name, "value": shown}
    if "equals" in params and value != params["equals"]:
        expected = f"{params['equals']}{unit}"
        return failed(
            f"`{name}` is {shown}; it should be {expected}{why}", expected=expected, **fields
        )
    low, high = params.get("min"), params.get("max")
    numeric = isinstance(value, int | float)
    if (low is not None or high is not None) and not numeric:
        return failed(
            f"`{name}` is {shown}; set it in function.toml{why}", expected="a number", **fields
        )
    if low is not None and value < low:
        return failed(f"`{name}` is {shown}; it must be at least {low:g}{unit}{why}", **fields)
    if high is not None and value > high:
        return failed(f"`{name}` is {shown}; it must be at most {high:g}{unit}{why}", **fields)
    return passed(f"`{name}` is {shown}", **fields)


async def monthly_cost_at_most(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    served = await ctx.invoke(ctx.payload(params))
    if served.function_error:
        return failed(f"At this memory size the invocation failed: {describe_error(served)}")
    config = ctx.service.function(ctx.name)
    estimate = monthly_estimate(
        int(params["invocations"]),
        float(params["duration_ms"]),
        config.memory_mb,
        architecture=config.architecture,
        free_tier=bool(params.get("free_tier", True)),
    )
    budget = Decimal(str(params["budget_usd"]))
    explain = "\n".join(estimate.explain())
    fields = {
        "cost": f"${estimate.total:,.2f}",
        "budget": f"${budget:,.2f}",
        "memory": config.memory_mb,
        "explain": explain,
    }
    verdict = f"At {config.memory_mb} MB the month costs {fields['cost']}"
    if estimate.total > budget:
        return failed(f"{verdict}, over the {fields['budget']} budget.\n{explain}", **fields)
    return passed(f"{verdict}, within the {fields['budget']} budget", **fields)


async def async_failure_destination(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    config = ctx.service.function(ctx.name)
    wanted = parse_target(params["destination"])
    allowed = int(params.get("max_retries", 0))
    fields = {"destination": config.on_failure or "none", "retries": config.max_retry_attempts}
    if config.on_failure is None or parse_target(config.on_failure) != wanted:
        return failed(
            f"The on-failure destination is {fields['destination']}, not {params['destination']}:"
            " a failed asynchronous event would be dropped after its retries",
            **fields,
        )
    if config.max_retry_attempts > allowed:
        return failed(
            f"max_retry_attempts is {config.max_retry_attempts}: Lambda would retry the event "
            "after 1 minute and again after 2, and this event fails every time",
            **fields,
        )
    payload = ctx.payload(params)
    request_id = await ctx.service.invoke_event(ctx.name, payload)
    delivered = await _delivery(ctx, request_id)
    if delivered is None:
        return failed(f"No record reached {wanted.arn} within {ASYNC_WAIT_S:g} s", **fields)
    if delivered.condition == "Success":
        return failed("The event succeeded, so nothing went to the on-failure destination")
    kept = ctx.service.destinations.messages(wanted)
    record = next(
        (m for m in kept if m.get("requestContext", {}).get("requestId") == request_id), None
    )
    if record is None or record.get("requestPayload") != json.loads(payload):
        return failed(f"The record for this event was not kept at {wanted.arn}", **fields)
    return passed(
        f"After {record['requestContext']['approximateInvokeCount']} attempt(s) the record "
        f"({delivered.condition}) reached {params['destination']}",
        **fields,
    )


def succeeded(ctx: CheckContext, request_id: str) -> bool:
    """Whether an asynchronous invocation has run and succeeded (so no failure will follow)."""
    return any(
        e.request_id == request_id and e.function_error is None and e.report.status == "success"
        for e in ctx.service.bus.of_type(InvocationCompleted)
    )


async def _delivery(ctx: CheckContext, request_id: str) -> DestinationDelivered | None:
    deadline = time.monotonic() + ASYNC_WAIT_S
    while time.monotonic() < deadline:
        for event in ctx.service.bus.of_type(DestinationDelivered):
            if event.request_id == request_id:
                return event
        if succeeded(ctx, request_id) and ctx.service.function(ctx.name).on_success is None:
            return DestinationDelivered(
                at=time.time(),
                function=ctx.name,
                request_id=request_id,
                destination="",
                condition="Success",
                delivered=False,
            )
        await asyncio.sleep(0.05)
    return None
