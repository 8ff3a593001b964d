"""The Lambda Runtime API (2018-06-01), one endpoint per execution environment.

Each environment gets its own server on its own port, so a runtime can only ever receive
the invocations of its own environment. Status codes and bodies follow AWS's Runtime API
spec and the Runtime Interface Emulator (rapi/handler/*.go).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

API_PREFIX = "/2018-06-01"
# AWS's response limit: "exceeded maximum allowed payload size (6291556 bytes)".
MAX_RESPONSE_BYTES = 6_291_556
_JSON = "application/json"


@dataclass(frozen=True)
class RuntimeOutcome:
    """What the runtime said about one invocation."""

    kind: Literal["response", "error", "too_large"]
    body: bytes
    error_type: str | None = None


@dataclass
class PendingInvocation:
    """An invocation handed to the runtime through /next, with everything /next sends."""

    request_id: str
    payload: bytes
    deadline_ms: int
    invoked_function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    tenant_id: str | None = None
    outcome: asyncio.Future[RuntimeOutcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": _JSON,
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.invoked_function_arn,
            "Lambda-Runtime-Trace-Id": self.trace_id,
        }
        # Like the RIE, optional headers are only sent when they have a value.
        optional = {
            "Lambda-Runtime-Client-Context": self.client_context,
            "Lambda-Runtime-Cognito-Identity": self.cognito_identity,
            "Lambda-Runtime-Aws-Tenant-Id": self.tenant_id,
        }
        headers.update({k: v for k, v in optional.items() if v})
        return headers


def _error(status: int, error_type: str, message: str) -> web.Response:
    body = json.dumps({"errorMessage": message, "errorType": error_type})
    return web.Response(status=status, text=body, content_type=_JSON)


_ACCEPTED = json.dumps({"status": "OK"})


class RuntimeApiServer:
    """Serves the Runtime API to exactly one runtime.

    on_next is called each time the runtime asks for work: the first call means init is
    done, later calls mean the previous invocation is finished.
    """

    def __init__(
        self,
        host: str,
        on_next: Callable[[], None],
        on_init_error: Callable[[RuntimeOutcome], None],
    ) -> None:
        self.host = host
        self.port = 0
        self._on_next = on_next
        self._on_init_error = on_init_error
        self._queue: asyncio.Queue[PendingInvocation] = asyncio.Queue(maxsize=1)
        self._current: PendingInvocation | None = None
        self._runner: web.AppRunner | None = None
        self._waiting: asyncio.Task[object] | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_RESPONSE_BYTES + 1024 * 1024)
        prefix = API_PREFIX + "/runtime"
        app.router.add_get(prefix + "/invocation/next", self._next)
        app.router.add_post(prefix + "/invocation/{request_id}/response", self._response)
        app.router.add_post(prefix + "/invocation/{request_id}/error", self._invocation_error)
        app.router.add_post(prefix + "/init/error", self._init_error)
        # A runtime blocked in /next never finishes its request: don't wait for it on close.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.05
        )
        await self._runner.setup()
        # Bind the socket ourselves so the OS picks a free port we can read back.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        waiting = self._waiting
        if waiting is not None and not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def deliver(self, invocation: PendingInvocation) -> None:
        """Hand the next invocation to the runtime (it is waiting on, or will call, /next)."""
        self._queue.put_nowait(invocation)

    async def _next(self, request: web.Request) -> web.StreamResponse:
        self._current = None
        self._on_next()
        self._waiting = asyncio.current_task()
        invocation = await self._queue.get()
        self._waiting = None
        self._current = invocation
        return web.Response(body=invocation.payload, headers=invocation.headers())

    def _find(self, request: web.Request) -> PendingInvocation | web.Response:
        request_id = request.match_info["request_id"]
        current = self._current
        if current is None or current.request_id != request_id:
            return _error(400, "InvalidRequestID", f"Invalid request ID: {request_id}")
        if current.outcome.done():
            return _error(
                403, "InvalidStateTransition", "State transition from ResponseSent is not allowed"
            )
        return current

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The body, or None when it is larger than Lambda allows."""
        if (request.content_length or 0) > MAX_RESPONSE_BYTES:
            return None
        # Read in chunks and stop past the limit, so a runaway chunked body can't fill memory.
        parts: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                return None
            parts.append(chunk)
        return b"".join(parts)

    async def _response(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        body = await self._read_body(request)
        if body is None:
            found.outcome.set_result(RuntimeOutcome("too_large", b""))
            return _error(
                413,
                "RequestEntityTooLarge",
                f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            )
        found.outcome.set_result(RuntimeOutcome("response", body))
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)

    async def _invocation_error(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        body = await self._read_body(request) or b""
        error_type = request.headers.get("Lambda-Runtime-Function-Error-Type", "Unhandled")
        found.outcome.set_result(RuntimeOutcome("error", body, error_type))
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)

    async def _init_error(self, request: web.Request) -> web.Response:
        body = await self._read_body(request) or b""
        error_type = request.headers.get("Lambda-Runtime-Function-Error-Type", "Runtime.Unknown")
        self._on_init_error(RuntimeOutcome("error", body, error_type))
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)
