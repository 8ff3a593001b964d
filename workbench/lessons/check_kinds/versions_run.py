"""Runners of the check kinds (declared in versions.py) about what a function is told at run
time: configuration and qualifiers.

returns_configured (environment variables and the context object, with values the check
chooses afresh), alias_routes (published versions and aliases).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Mapping
from typing import Any

from workbench.core.outcomes import Served
from workbench.lessons import jsonpath
from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.checks import (
    INVOKE_MARGIN_S,
    CheckContext,
    Outcome,
    failed,
    passed,
)
from workbench.lessons.feedback import describe_error, short

MEMORY_CHOICES = (192, 320, 640, 1536)  # sizes nobody would write into code by chance


def _context_truth(member: str, ctx: CheckContext, served: Served, memory: int) -> str:
    """What the context object really holds for this invocation."""
    return {
        "function_name": ctx.name,
        "memory_limit_in_mb": str(memory),
        "aws_request_id": served.request_id,
        "function_version": "$LATEST",
        "invoked_function_arn": ctx.config.arn,
    }[member]


async def returns_configured(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    env = {
        **ctx.config.environment,
        **{k: str(v) for k, v in params.get("environment", {}).items()},
    }
    memory = random.choice(MEMORY_CHOICES) if params.get("vary_memory") else ctx.config.memory_mb
    ctx.config = ctx.config.with_changes(environment=env, memory_mb=memory)
    ctx.service.deploy(ctx.config)
    served = await ctx.invoke(ctx.payload(params))
    if served.function_error:
        error = describe_error(served)
        return failed(f"The invocation failed: {error}", error=error, got="an error")
    value = json.loads(served.payload)
    problem = compare(value, params)
    if problem:
        return problem
    for path, member in dict(params.get("context", {})).items():
        truth = _context_truth(member, ctx, served, memory)
        found = jsonpath.lookup(value, path)
        if found is jsonpath.MISSING or str(found) != truth:  # "640" or 640: both true
            shown = "missing" if found is jsonpath.MISSING else short(found)
            return failed(
                f"`{path}` is {shown}, but this invocation's context.{member} is "
                f"{short(truth)}: read it from the context object, not from the code",
                got=shown,
                expected=short(truth),
                path=path,
            )
    return passed(f"It returned {short(value)}, with the values this check chose")


async def alias_routes(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    version = ctx.service.publish_version(ctx.name, "published by the check")
    alias = str(params["alias"])
    ctx.service.set_alias(ctx.name, alias, version.number)
    version_path = params.get("version_path", "version")
    alias_path = params.get("alias_path", "alias")
    calls = [
        (alias, str(version.number), alias),
        (str(version.number), str(version.number), None),
        (None, "$LATEST", None),
    ]
    limit = ctx.config.timeout_s + INVOKE_MARGIN_S
    for qualifier, want_version, want_alias in calls:
        served = await asyncio.wait_for(
            ctx.service.invoke(ctx.name, ctx.payload(params), qualifier=qualifier), limit
        )
        called = f"{ctx.name}:{qualifier}" if qualifier else f"{ctx.name} (unqualified)"
        if served.function_error:
            return failed(f"Invoking {called} failed: {describe_error(served)}", qualifier=called)
        value = json.loads(served.payload)
        got_version = jsonpath.lookup(value, version_path)
        if got_version != want_version:
            return failed(
                f"Invoked as {called}, the response says version {short(got_version)}; the "
                f"version that ran is {want_version} (context.function_version)",
                got=short(got_version),
                expected=want_version,
                qualifier=called,
            )
        got_alias = jsonpath.lookup(value, alias_path)
        got_alias = None if got_alias is jsonpath.MISSING else got_alias
        if got_alias != want_alias:
            return failed(
                f"Invoked as {called}, the response says alias {short(got_alias)}; expected "
                f"{short(want_alias)}. The alias is the 8th part of "
                "context.invoked_function_arn, present only when the caller used one",
                got=short(got_alias),
                expected=short(want_alias),
                qualifier=called,
            )
    return passed(
        f"Version {version.number} and alias {alias} were reported correctly, and so was $LATEST"
    )
