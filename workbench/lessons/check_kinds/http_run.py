"""Runner of the api_response check kind (declared in http.py): a real HTTP request through the
local API Gateway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import aiohttp

from workbench.core.outcomes import Served
from workbench.core.service import LambdaService
from workbench.invoke_api import bound_port
from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import clip, describe_error, describe_value, short
from workbench.triggers.api_gateway import ApiRequestLog, start_api_gateway

REQUEST_LIMIT_S = 45.0


class _Recorder:
    """The service as the gateway sees it, remembering what the function returned.

    Feedback needs the raw result ("your handler returned a string") that the gateway
    turns into a bare 502.
    """

    def __init__(self, service: LambdaService) -> None:
        self._service = service
        self.served: Served | None = None

    def function(self, name: str) -> Any:
        return self._service.function(name)

    async def invoke(self, name: str, payload: bytes, **options: Any) -> Served:
        self.served = await self._service.invoke(name, payload, **options)
        return self.served


async def api_response(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    version = params.get("payload_version", "2.0")
    recorder = _Recorder(ctx.service)
    notes: list[ApiRequestLog] = []
    runner = await start_api_gateway(
        cast(LambdaService, recorder),
        ctx.name,
        list(params.get("routes", [])) or None,
        version,
        port=0,
        on_request=notes.append,
    )
    try:
        url = f"http://127.0.0.1:{bound_port(runner)}{params['path']}"
        timeout = aiohttp.ClientTimeout(total=REQUEST_LIMIT_S)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(params.get("method", "GET"), url, data=params.get("body")) as reply,
        ):
            status, text = reply.status, await reply.text()
    finally:
        await runner.cleanup()
    note = notes[-1].note if notes else None
    return _judge(params, status, text, note, recorder.served, version)


def _judge(
    params: Mapping[str, Any],
    status: int,
    text: str,
    note: str | None,
    served: Served | None,
    version: str,
) -> Outcome:
    request = f"{params.get('method', 'GET')} {params['path']}"
    expected = params.get("status")
    fields = {"status": status, "expected_status": expected, "body": clip(text), "note": note}
    if expected is not None and status != expected:
        why = _why(note, served, version)
        return failed(f"{request} answered {status} {clip(text)}, not {expected}: {why}", **fields)
    comparisons = {k[5:]: v for k, v in params.items() if k.startswith("json_")}
    if comparisons:
        try:
            body = json.loads(text)
        except ValueError:
            return failed(
                f"{request} answered with a body that is not JSON: {clip(text)}. Return "
                'body=json.dumps(...) with a "Content-Type": "application/json" header',
                **fields,
            )
        problem = compare(body, comparisons, "the response body")
        if problem is not None:
            return failed(f"{request}: {problem.detail}", **{**problem.fields, **fields})
    return passed(f"{request} answered {status} {clip(text)}", **fields)


def _why(note: str | None, served: Served | None, version: str) -> str:
    """Why the gateway answered as it did, from the function's raw result when there is one."""
    if served is not None and served.function_error:
        return describe_error(served)
    if served is not None and note and note.startswith("malformed"):
        value = json.loads(served.payload)
        api = "a REST API (payload 1.0)" if version == "1.0" else "the HTTP API"
        if not isinstance(value, dict) or "statusCode" not in value:
            return (
                f"your handler returned {describe_value(value)}; {api} needs a dict with "
                "statusCode (and a string body)"
            )
        return f"{note}; your handler returned {short(value)}"
    return note or "that is what the function's response says"
