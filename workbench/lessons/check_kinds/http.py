"""The api_response check kind: a real HTTP request through the local API Gateway (runner:
http_run).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.lessons.check_kinds.compare import COMPARE_PARAMS, static_compare
from workbench.lessons.checks import declare
from workbench.lessons.schema import Field

# The route grammar's one home; a pure module (re, dataclasses), unlike the gateway itself.
from workbench.triggers.api_gateway_routes import RouteError, parse_routes


def _static(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    comparisons = {k[5:]: v for k, v in params.items() if k.startswith("json_")}
    found = [(("json_" + str(p[0]), *p[1:]), m) for p, m in static_compare(comparisons)]
    try:
        parse_routes(list(params.get("routes", [])) or None, params.get("payload_version", "2.0"))
    except RouteError as exc:
        found.append((("routes",), str(exc)))
    return found


RUNNERS = "workbench.lessons.check_kinds.http_run"  # imported when one of these checks runs

API_RESPONSE = declare(
    "api_response",
    "Send an HTTP request through the local API Gateway (HTTP API payload 2.0 or REST "
    "payload 1.0); check the status and the JSON body.",
    {
        "path": Field("string", "path and query, e.g. /hello?name=Alice", True),
        "method": Field("string", "HTTP method (default GET)"),
        "routes": Field(
            "list", "route keys, e.g. 'GET /hello' (default: catch-all)", items="string"
        ),
        "payload_version": Field("string", "2.0 (HTTP API) or 1.0 (REST)", choices=("2.0", "1.0")),
        "body": Field("string", "the request body"),
        "status": Field("integer", "the expected HTTP status", minimum=100, maximum=599),
        **{f"json_{key}": spec for key, spec in COMPARE_PARAMS.items()},
    },
    ("status", "expected_status", "body", "note"),
    event_keys=(),
    static=_static,
    runner=RUNNERS,
)

KINDS = (API_RESPONSE,)
