"""A local API Gateway in front of one function: HTTP requests in, Lambda proxy events out.

Payload format 2.0 behaves like an HTTP API (stage `$default`, catch-all route `$default`);
payload format 1.0 like a REST API with a Lambda proxy integration (stage `Prod`, the name
SAM gives an implicit API, catch-all route `ANY /{proxy+}`). How requests become events is
in api_gateway_events, how results and failures become responses in api_gateway_responses.

What the client sees follows API Gateway, which hides why an invocation failed: a function
error, a Lambda timeout or a throttle all come back as a generic `{"message": ...}` error.
The `on_request` callback gets the reason (an ApiRequestLog per request) so that the CLI and
the app can show it.

The gateway has no authentication, so it only ever listens on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from workbench.core.errors import InvokeError
from workbench.core.outcomes import Served
from workbench.core.service import LambdaService
from workbench.listen_address import API_GATEWAY_PORT, DEFAULT_HOST, check_loopback
from workbench.triggers import api_gateway_events as events
from workbench.triggers.api_gateway_responses import (
    GatewayReply,
    MalformedResponse,
    gateway_error,
    http_api_reply,
    rest_api_reply,
)
from workbench.triggers.api_gateway_routes import Route, find_route, parse_routes

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload quota (10 MB)
INTEGRATION_TIMEOUT_S = {"2.0": 30.0, "1.0": 29.0}  # HTTP API maximum; REST API default
DEFAULT_STAGE = {"2.0": "$default", "1.0": "Prod"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiRequestLog:
    """One request through the gateway, for a log line or the app's timeline."""

    method: str
    path: str  # path and query string as requested
    status: int
    duration_ms: float
    route_key: str | None  # None when no route matched
    request_id: str  # the gateway's request id
    lambda_request_id: str | None = None  # None when the function did not run
    note: str | None = None  # why the response is an error, in words

    def line(self) -> str:
        text = f"{self.method} {self.path} → {self.status} ({self.duration_ms:.1f} ms)"
        return f"{text} — {self.note}" if self.note else text


RequestCallback = Callable[[ApiRequestLog], None]


class ApiGateway:
    """Routes requests to one function and maps the results back, as API Gateway does."""

    def __init__(
        self,
        service: LambdaService,
        function_name: str,
        routes: Sequence[str] | None = None,
        payload_version: str = "2.0",
        *,
        stage: str | None = None,
        stage_variables: dict[str, str] | None = None,
        binary_media_types: Sequence[str] = events.DEFAULT_BINARY_MEDIA_TYPES,
        integration_timeout_s: float | None = None,
        on_request: RequestCallback | None = None,
    ) -> None:
        service.function(function_name)  # an unknown function fails here, not per request
        self.service = service
        self.function_name = function_name
        self.payload_version = payload_version
        self.routes: list[Route] = parse_routes(list(routes or []), payload_version)
        self.api = events.ApiIdentity(
            stage=stage or DEFAULT_STAGE[payload_version],
            stage_variables=dict(stage_variables or {}),
        )
        self.binary_media_types = tuple(binary_media_types)
        self.integration_timeout_s = integration_timeout_s or INTEGRATION_TIMEOUT_S[payload_version]
        self.on_request = on_request
        self._late: set[asyncio.Task[Served]] = set()  # invocations past the timeout

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        rest = self.payload_version == "1.0"
        request_id = events.rest_api_request_id() if rest else events.http_api_request_id()
        route_key: str | None = None
        lambda_request_id: str | None = None
        note: str | None = None
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            reply, note = gateway_error("too_large", self.payload_version), "request too large"
        else:
            found = find_route(self.routes, request.method, request.rel_url.raw_path)
            if found is None:
                reply, note = gateway_error("no_route", self.payload_version), "no route matches"
            else:
                route, params = found
                route_key = route.key
                try:
                    reply, lambda_request_id, note = await self._invoke(
                        _incoming(request, body), route, params, request_id
                    )
                except Exception as exc:  # a bug here must not look like the function's
                    logger.exception("API Gateway request failed")
                    reply = gateway_error("rejected", self.payload_version)
                    note = f"internal error in the local API Gateway: {exc!r}"
        reply.headers.append(("x-amzn-RequestId" if rest else "apigw-requestid", request_id))
        response = web.Response(
            status=reply.status, body=reply.body, headers=CIMultiDict(reply.headers)
        )
        if self.on_request is not None:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log = ApiRequestLog(
                request.method,
                str(request.rel_url),
                reply.status,
                elapsed_ms,
                route_key,
                request_id,
                lambda_request_id,
                note,
            )
            try:
                self.on_request(log)
            except Exception:
                logger.exception("on_request callback failed")
        return response

    async def _invoke(
        self,
        incoming: events.IncomingRequest,
        route: Route,
        params: dict[str, str],
        request_id: str,
    ) -> tuple[GatewayReply, str | None, str | None]:
        """Invoke the function; the reply, the Lambda request id and a note on failures."""
        version = self.payload_version
        now_s = time.time()
        if version == "2.0":
            event = events.http_api_event(incoming, route, params, self.api, request_id, now_s)
        else:
            event = events.rest_api_event(
                incoming, route, params, self.api, request_id, now_s, self.binary_media_types
            )
        payload = json.dumps(event).encode()
        task = asyncio.ensure_future(self.service.invoke(self.function_name, payload))
        done, _ = await asyncio.wait({task}, timeout=self.integration_timeout_s)
        if not done:
            # API Gateway stops waiting; the function runs on to its own timeout.
            self._late.add(task)
            task.add_done_callback(self._forget_late)
            note = f"integration timed out after {self.integration_timeout_s:g} s"
            return gateway_error("timeout", version), None, note
        try:
            served = task.result()
        except InvokeError as exc:
            note = f"Lambda rejected the invocation: {exc.error_type}: {exc.message}"
            return gateway_error("rejected", version), None, note
        if served.function_error:
            return gateway_error("function_error", version), served.request_id, _failure(served)
        try:
            if version == "2.0":
                reply = http_api_reply(served.payload)
            else:
                accept = events.header(incoming, "accept")
                reply = rest_api_reply(served.payload, accept, self.binary_media_types)
        except MalformedResponse as exc:
            note = f"malformed Lambda proxy response: {exc}"
            return gateway_error("malformed", version), served.request_id, note
        return reply, served.request_id, None

    def _forget_late(self, task: asyncio.Task[Served]) -> None:
        self._late.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.debug("late invocation failed: %s", task.exception())

    async def close(self) -> None:
        """Stop waiting for invocations that outlived the integration timeout."""
        late = list(self._late)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


def _failure(served: Served) -> str:
    """A function error in words, from the error payload Lambda returned."""
    try:
        error = json.loads(served.payload)
    except ValueError:
        error = None
    if not isinstance(error, dict):
        error = {}
    detail = str(error.get("errorType") or served.function_error)
    if error.get("errorMessage"):
        detail += f": {error['errorMessage']}"
    if served.report.status == "timeout":
        return f"the function timed out ({detail})"
    return f"function error: {detail}"


def _incoming(request: web.Request, body: bytes) -> events.IncomingRequest:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    port = int(sockname[1]) if sockname else 0
    return events.IncomingRequest(
        method=request.method,
        raw_path=request.rel_url.raw_path,
        raw_query=request.rel_url.raw_query_string,
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers],
        body=body,
        source_ip=request.remote or "127.0.0.1",
        protocol=f"HTTP/{request.version.major}.{request.version.minor}",
        host=request.url.host or "localhost",
        port=port,
    )


_GATEWAY_KEY = web.AppKey("api_gateway", ApiGateway)


def create_api_gateway(
    service: LambdaService,
    function_name: str,
    routes: Sequence[str] | None = None,
    payload_version: str = "2.0",
    **options: Any,
) -> web.Application:
    """The gateway as an aiohttp application; options are ApiGateway's keyword arguments.

    Raises RouteError (a ValueError) for a bad route or payload version, and InvokeError
    (404) when the function is not deployed.
    """
    gateway = ApiGateway(service, function_name, routes, payload_version, **options)
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[_GATEWAY_KEY] = gateway
    app.router.add_route("*", "/{tail:.*}", gateway.handle)

    async def close_gateway(_: web.Application) -> None:
        await gateway.close()

    app.on_cleanup.append(close_gateway)
    return app


def gateway_of(app: web.Application) -> ApiGateway:
    return app[_GATEWAY_KEY]


async def start_api_gateway(
    service: LambdaService,
    function_name: str,
    routes: Sequence[str] | None = None,
    payload_version: str = "2.0",
    *,
    host: str = DEFAULT_HOST,
    port: int = API_GATEWAY_PORT,
    **options: Any,
) -> web.AppRunner:
    """Serve the gateway on host:port (loopback only; port 0 picks a free one).

    The bound port is `workbench.invoke_api.bound_port(runner)`. Raises ValueError for a
    non-loopback host or a bad route, OSError when the address cannot be bound.
    """
    check_loopback(host, "the local API")
    app = create_api_gateway(service, function_name, routes, payload_version, **options)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        with contextlib.suppress(Exception):
            await runner.cleanup()
        raise
    return runner
