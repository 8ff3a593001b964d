"""Check kinds about what a function is told at run time, configuration and qualifiers:
returns_configured, alias_routes (runners: versions_run).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.lessons.check_kinds.compare import COMPARE_PARAMS, static_compare
from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

CONTEXT_MEMBERS = (
    "function_name",
    "memory_limit_in_mb",
    "aws_request_id",
    "function_version",
    "invoked_function_arn",
)


def _static_configured(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found = static_compare(params)
    for path, member in dict(params.get("context", {})).items():
        if member not in CONTEXT_MEMBERS:
            found.append((("context", path), f"{member!r} is not one of {CONTEXT_MEMBERS}"))
    return found


RUNNERS = "workbench.lessons.check_kinds.versions_run"  # imported when one of these checks runs

RETURNS_CONFIGURED = declare(
    "returns_configured",
    "Deploy with environment variables (and, with vary_memory, a memory size) chosen by the "
    "check, invoke, and compare the response; `context` paths must hold the context "
    "object's real values for this invocation.",
    {
        **EVENT_PARAMS,
        **COMPARE_PARAMS,
        "environment": Field("table", "variables set for this check, e.g. { TAX = '${n}' }"),
        "context": Field("table", "JSON path → context member it must equal"),
        "vary_memory": Field("boolean", "deploy with a memory size picked by the check"),
    },
    ("got", "expected", "path", "error"),
    static=_static_configured,
    runner=RUNNERS,
)


ALIAS_ROUTES = declare(
    "alias_routes",
    "Publish the function as a new version, point an alias (a fresh name) at it, then invoke "
    "through the alias, through the version number and unqualified; the response's `version` "
    "and `alias` must say what really served each call.",
    {
        **EVENT_PARAMS,
        "alias": Field("string", "the alias name (use ${token} for a fresh one)", True),
        "version_path": Field("string", "where the response says the version (default version)"),
        "alias_path": Field("string", "where the response says the alias (default alias)"),
    },
    ("got", "expected", "qualifier"),
    runner=RUNNERS,
)

KINDS = (
    RETURNS_CONFIGURED,
    ALIAS_ROUTES,
)
