"""AWS Lambda's Invoke API (2015-03-31) over a LambdaService, for boto3 and the AWS CLI.

Implements Invoke here; the operations that read and configure functions (GetFunction,
versions, aliases, account settings, provisioned concurrency) are in lambda_control_api.
Status codes, headers and error bodies follow API_Invoke and what botocore's rest-json
parser reads: the error code comes from the `X-Amzn-ErrorType` header, the message from the
body's `message`.

The API has no authentication (it accepts any signature), so it only ever listens on
loopback, and refuses requests from web pages (a foreign Origin or Host: loopback_guard).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from workbench.core import errors
from workbench.core.errors import InvokeError
from workbench.core.service import SYNC_PAYLOAD_LIMIT, LambdaService
from workbench.lambda_api_common import SERVICE_KEY, invalid_parameter, resolve_function
from workbench.lambda_control_api import add_control_routes
from workbench.listen_address import DEFAULT_HOST, INVOKE_API_PORT, check_loopback
from workbench.loopback_guard import loopback_guard

API_PREFIX = "/2015-03-31"
LOG_RESULT_BYTES = 4 * 1024  # X-Amz-Log-Result: "the last 4 KB of the execution log"
LATEST = "$LATEST"
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
LOG_TYPES = ("None", "Tail")
# Read at most this much of a body into memory; the rest of an oversized body is drained
# and dropped so that the caller still gets Lambda's own 413 rather than a reset.
_BODY_KEEP = SYNC_PAYLOAD_LIMIT + 1
_BODY_DRAIN_LIMIT = 64 * 1024 * 1024
_JSON = "application/json"

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(service: LambdaService) -> web.Application:
    """The Invoke API as an aiohttp application serving `service`."""
    # aiohttp's own limit must sit above Lambda's 6 MB so that our 413 (with the body
    # botocore understands) is what an oversized request gets.
    app = web.Application(
        client_max_size=SYNC_PAYLOAD_LIMIT + 1024 * 1024,
        middlewares=[loopback_guard(), _aws_errors],  # web pages are refused first
    )
    app[SERVICE_KEY] = service
    app.router.add_post(API_PREFIX + "/functions/{FunctionName}/invocations", _invoke)
    add_control_routes(app)
    return app


async def start_invoke_api(
    service: LambdaService, host: str = DEFAULT_HOST, port: int = INVOKE_API_PORT
) -> web.AppRunner:
    """Serve the Invoke API on host:port (loopback only; port 0 picks a free port).

    The bound port is `bound_port(runner)`. Raises ValueError for a non-loopback host and
    OSError when the address cannot be bound (e.g. the port is in use).
    """
    check_loopback(host)
    # A short shutdown grace: a pending invocation may run for up to 15 minutes, and
    # stopping the server should not wait for it.
    runner = web.AppRunner(create_app(service), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The TCP port a runner from start_invoke_api listens on."""
    return int(runner.addresses[0][1])


# ----- errors ------------------------------------------------------------------------------
def error_response(exc: InvokeError, request_id: str | None = None) -> web.Response:
    """An InvokeError as AWS sends it: status, X-Amzn-ErrorType, {"Type", "message"} body."""
    body: dict[str, Any] = {"Type": "Service" if exc.status >= 500 else "User"}
    headers = {"X-Amzn-ErrorType": exc.error_type}
    # Throttles carry a Reason (and may carry Retry-After); other errors simply lack them.
    reason = getattr(exc, "reason", None)
    if reason:
        body["Reason"] = reason
    retry_after = getattr(exc, "retry_after_s", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body["message"] = exc.message
    if request_id:
        headers["x-amzn-RequestId"] = request_id
    return web.Response(
        status=exc.status, text=json.dumps(body), content_type=_JSON, headers=headers
    )


@web.middleware
async def _aws_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into AWS's error shape and give every response a request id."""
    try:
        response = await handler(request)
    except InvokeError as exc:
        response = error_response(exc)
    except web.HTTPException as exc:
        # Unknown paths and methods: what AWS answers for a route it does not have.
        if exc.status in (404, 405):
            error_type, message = "UnknownOperationException", "Unknown operation"
        else:
            error_type, message = "InvalidRequestContentException", exc.reason
        response = error_response(InvokeError(exc.status, error_type, message))
    except Exception as exc:
        logger.exception("Invoke API request failed")
        response = error_response(errors.service_error(f"Internal error: {exc}"))
    if "x-amzn-RequestId" not in response.headers:
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


# ----- Invoke ------------------------------------------------------------------------------
async def _read_body(request: web.Request) -> bytes:
    """The body, cut to just over the sync limit (the size check only needs to see that)."""
    kept = bytearray()
    total = 0
    while True:
        chunk = await request.content.readany()
        if not chunk:
            return bytes(kept)
        total += len(chunk)
        if len(kept) < _BODY_KEEP:
            kept += chunk[: _BODY_KEEP - len(kept)]
        if total > _BODY_DRAIN_LIMIT:
            # Far too large to be worth draining: answer now and let aiohttp drop the
            # connection once the response is out.
            return bytes(kept)


def decode_client_context(header: str | None) -> str | None:
    """X-Amz-Client-Context (base64 JSON) as the compact JSON text the runtime receives."""
    if not header:
        return None
    try:
        value = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, dict):
        raise InvokeError(
            400,
            "InvalidRequestContentException",
            "Client context must be a valid Base64-encoded JSON object.",
        )
    # Re-encoded compactly and ASCII-only: it travels on as an HTTP header value.
    return json.dumps(value, separators=(",", ":"))


def log_result(log_tail: str) -> str:
    """X-Amz-Log-Result: base64 of the last 4 KB of the log, cut on a character boundary."""
    data = log_tail.encode("utf-8", "replace")
    if not data.endswith(b"\n"):
        data += b"\n"  # every log line, the REPORT line included, ends with a newline
    data = data[-LOG_RESULT_BYTES:]
    start = 0
    while start < len(data) and 0x80 <= data[start] < 0xC0:  # UTF-8 continuation bytes
        start += 1
    return base64.b64encode(data[start:]).decode("ascii")


async def _invoke(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE_KEY]
    name, qualifier = resolve_function(
        request.match_info["FunctionName"], request.query.get("Qualifier")
    )
    invocation_type = request.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if invocation_type not in INVOCATION_TYPES:
        raise invalid_parameter(
            f"1 validation error detected: Value '{invocation_type}' at 'invocationType' "
            f"failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(INVOCATION_TYPES)}]"
        )
    log_type = request.headers.get("X-Amz-Log-Type") or "None"
    if log_type not in LOG_TYPES:
        raise invalid_parameter(
            f"1 validation error detected: Value '{log_type}' at 'logType' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(LOG_TYPES)}]"
        )
    target = service.resolve(name, qualifier)  # unknown function or version: 404 first
    payload = await _read_body(request)
    client_context = decode_client_context(request.headers.get("X-Amz-Client-Context"))
    tenant_id = request.headers.get("X-Amz-Tenant-Id") or None

    if invocation_type == "DryRun":
        service.validate_payload(name, payload)
        return web.Response(status=204)
    if invocation_type == "Event":
        # Lambda passes the client context to synchronous invocations only (API_Invoke).
        request_id = await service.invoke_event(name, payload, qualifier=qualifier)
        return web.Response(status=202, headers={"x-amzn-RequestId": request_id})

    result = await service.invoke(
        name, payload, client_context=client_context, tenant_id=tenant_id, qualifier=qualifier
    )
    headers = {"X-Amz-Executed-Version": target.version, "x-amzn-RequestId": result.request_id}
    if result.function_error:
        headers["X-Amz-Function-Error"] = result.function_error
    if log_type == "Tail":
        headers["X-Amz-Log-Result"] = log_result(result.log_tail)
    return web.Response(status=200, body=result.payload, content_type=_JSON, headers=headers)
