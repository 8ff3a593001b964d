"""Runners of the check kinds about environments (declared in lifecycle.py): warm_reuse,
no_state_leak, cold_start_count, throttles.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Mapping
from typing import Any

from workbench.core.concurrency import RESERVED_LIMIT
from workbench.core.environment import EnvState
from workbench.core.errors import InvokeError
from workbench.core.outcomes import Served
from workbench.lessons import jsonpath
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import describe_error, short

PROVISION_WAIT_S = 30.0  # provisioned environments initialise in the background
PROVISIONED_ALIAS = "live"  # where a check puts the function.toml's provisioned concurrency


async def _invoke_ok(ctx: CheckContext, payload: bytes, nth: str) -> Served | Outcome:
    served = await ctx.invoke(payload)
    if served.function_error:
        return failed(f"The {nth} invocation failed: {describe_error(served)}")
    return served


async def warm_reuse(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    counter, mode = params["counter"], params.get("expect", "grows")
    values: list[Any] = []
    durations: list[float] = []
    for n in range(int(params.get("times", 2))):
        served = await _invoke_ok(ctx, ctx.payload(params), f"invocation #{n + 1}'s")
        if isinstance(served, Outcome):
            return served
        if n and served.cold:
            return failed(
                f"Invocation #{n + 1} was a cold start: Lambda could not reuse the environment"
            )
        values.append(jsonpath.lookup(json.loads(served.payload), counter))
        durations.append(served.report.duration_ms)
    shown = " → ".join("missing" if v is jsonpath.MISSING else short(v) for v in values)
    took = ", ".join(f"{d:.0f} ms" for d in durations)
    fields = {"values": shown, "counter": counter, "durations": took}
    limit = params.get("warm_under_ms")
    if limit is not None and any(d >= float(limit) for d in durations[1:]):
        return failed(
            f"The warm invocations took {took} (REPORT Duration); a warm one should take under "
            f"{float(limit):g} ms, so the slow work still runs on every invocation",
            **fields,
        )
    if any(not isinstance(v, int | float) or isinstance(v, bool) for v in values):
        return failed(
            f"`{counter}` should be a number in every response; it went {shown}", **fields
        )
    if mode == "grows" and any(b <= a for a, b in itertools.pairwise(values)):
        return failed(
            f"`{counter}` went {shown} over warm invocations: it starts again each time, so it "
            "is not kept at module level",
            **fields,
        )
    if mode == "constant" and len(set(values)) > 1:
        return failed(
            f"`{counter}` went {shown}: that work runs on every invocation instead of once, "
            "at init",
            **fields,
        )
    return passed(f"Warm invocations reused the environment; `{counter}` went {shown}", **fields)


async def no_state_leak(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    first = await _invoke_ok(ctx, ctx.payload(params, "first"), "first")
    if isinstance(first, Outcome):
        return first
    second = await _invoke_ok(ctx, ctx.payload(params, "second"), "second")
    if isinstance(second, Outcome):
        return second
    if second.cold:
        return failed("The second invocation did not reuse the first one's environment")
    marker, text = params["marker"], second.payload.decode("utf-8", "replace")
    fields = {"marker": marker, "second": short(json.loads(second.payload))}
    if marker in text:
        return failed(
            f"The second request's response contains {short(marker)} from the first request: "
            f"{fields['second']}. Something kept between invocations (a global, or a file in "
            "/tmp) carried it over",
            **fields,
        )
    return passed("The second request saw nothing of the first", **fields)


async def _wait_provisioned(ctx: CheckContext) -> int:
    """Wait (bounded) until the function's provisioned environments are initialised."""
    wanted = ctx.config.provisioned_concurrency
    deadline = time.monotonic() + PROVISION_WAIT_S
    ready = 0
    while time.monotonic() < deadline:
        ready = sum(
            env.state in (EnvState.IDLE, EnvState.FROZEN)
            for env in ctx.service.environments(ctx.name)
        )
        if ready >= wanted:
            break
        await asyncio.sleep(0.05)
    return ready


async def _wait_provisioned_alias(ctx: CheckContext, wanted: int) -> None:
    """Wait (bounded) until the alias's provisioned environments are initialised."""
    deadline = time.monotonic() + PROVISION_WAIT_S
    ready = getattr(ctx.service, "provisioned_ready")  # noqa: B009 (engines without it skip)
    while time.monotonic() < deadline and ready(ctx.name, PROVISIONED_ALIAS) < wanted:
        await asyncio.sleep(0.05)


async def cold_start_count(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    wanted = ctx.config.provisioned_concurrency
    if wanted and hasattr(ctx.service, "put_provisioned_concurrency"):
        # As on AWS: provisioned concurrency lives on a version or an alias, never $LATEST.
        version = ctx.service.publish_version(ctx.name, "published by the check")
        ctx.service.set_alias(ctx.name, PROVISIONED_ALIAS, version.number)
        ctx.service.put_provisioned_concurrency(ctx.name, PROVISIONED_ALIAS, wanted)
        ctx.qualifier = PROVISIONED_ALIAS
        await _wait_provisioned_alias(ctx, wanted)
    elif wanted:
        await _wait_provisioned(ctx)
    payload = ctx.payload(params)
    warmup, concurrent = int(params.get("warmup", 0)), int(params["concurrent"])
    for n in range(warmup):
        ping = await _invoke_ok(ctx, payload, f"warm-up #{n + 1}")
        if isinstance(ping, Outcome):
            return ping
    results = await asyncio.gather(*(ctx.invoke(payload) for _ in range(concurrent)))
    cold = sum(served.report.init_duration_ms is not None or served.cold for served in results)
    fields = {"cold": cold, "concurrent": concurrent, "warmup": warmup}
    if cold > int(params["at_most"]):
        pinged = f" after {warmup} warm-up ping(s)" if warmup else ""
        return failed(
            f"{cold} of {concurrent} simultaneous requests{pinged} were cold starts (Init "
            "Duration on their REPORT lines): each request in flight needs its own environment",
            **fields,
        )
    return passed(f"{cold} of {concurrent} simultaneous requests were cold starts", **fields)


async def throttles(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    concurrent, expected = int(params["concurrent"]), int(params["expect_throttled"])
    reason = params.get("reason", RESERVED_LIMIT)
    payload = ctx.payload(params)
    results = await asyncio.gather(
        *(ctx.invoke(payload) for _ in range(concurrent)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, InvokeError) and r.status == 429]
    others = [r for r in results if isinstance(r, BaseException) and r not in refused]
    if others:
        raise others[0]
    reserved = ctx.config.reserved_concurrency
    fields = {"throttled": len(refused), "concurrent": concurrent, "reserved": reserved}
    wrong = [r.reason for r in refused if r.reason != reason]
    if wrong:
        return failed(f"A request was throttled with Reason {wrong[0]}; expected {reason}")
    failures = [r for r in results if isinstance(r, Served) and r.function_error]
    if failures:
        return failed(f"An admitted request failed: {describe_error(failures[0])}", **fields)
    if len(refused) == expected:
        return passed(
            f"{len(refused)} of {concurrent} simultaneous requests got 429 "
            f"TooManyRequestsException ({reason})",
            **fields,
        )
    if not refused:
        why = "nothing caps this function's concurrency"
    elif reserved == 0:
        why = "reserved concurrency 0 disables the function: every request is refused"
    else:
        why = f"reserved concurrency {reserved} lets {reserved} run at once"
    return failed(
        f"{len(refused)} of {concurrent} simultaneous requests were throttled, not "
        f"{expected}: {why}",
        **fields,
    )
