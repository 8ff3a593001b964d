"""The Lambda Runtime API (2018-06-01), one endpoint per execution environment.

Each environment gets its own server on its own port, and the server answers only the
address its runtime connects from (`admit_only`, set by the backend once it knows it): a
neighbour that finds the port is refused before any route runs. Status codes and bodies
follow AWS's Runtime API spec and the Runtime Interface Emulator (rapi/handler/*.go,
core/states.go).

The runtime's side is a small state machine, as in the RIE: Started → Ready (a /next is
pending) → Running (an event was handed out) → ResponseSent → Ready … It cannot be wedged:
- a /next whose client went away is dropped (its event, if it had one, is handed out again);
- at most one /next is pending. Of two, the runtime's wins: the one on the connection the
  runtime last used (runtimes keep one connection alive), else the newer one (a runtime
  retrying /next); the other is answered with the RIE's 403 for a refused transition;
- a /next while an event is Running gets that same event again, as the RIE renders it;
- `reset` forgets everything from before: pending /next, undelivered and current events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

API_PREFIX = "/2018-06-01"
# AWS's response limit: "exceeded maximum allowed payload size (6291556 bytes)".
MAX_RESPONSE_BYTES = 6_291_556
# How long a request from a not-yet-known address waits for the backend to name its runtime.
PEER_WAIT_S = 5.0
_JSON = "application/json"
# The RIE's wording for a refused transition (rapi/handler/constants.go, core/states.go).
_TRANSITION = "State transition from {old} to {new} failed for runtime. Error: {error}"
_NOT_ALLOWED = "State transition is not allowed"


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


def _refused_transition(old: str, new: str) -> web.Response:
    message = _TRANSITION.format(old=old, new=new, error=_NOT_ALLOWED)
    return _error(403, "InvalidStateTransition", message)


_ACCEPTED = json.dumps({"status": "OK"})
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RuntimeApiServer:
    """Serves the Runtime API to exactly one runtime.

    on_next is called each time the runtime becomes Ready: its first /next means init is
    done, a later one that the previous invocation is finished.
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
        self._waiter: asyncio.Future[PendingInvocation | None] | None = None
        self._waiter_request: web.BaseRequest | None = None
        self._undelivered: PendingInvocation | None = None
        self._current: PendingInvocation | None = None
        # The connection the runtime last fetched an event or answered on.
        self._runtime_connection: object | None = None
        self._runner: web.AppRunner | None = None
        self._peer: str | None = None
        self._any_peer = False
        self._peer_known = asyncio.Event()
        self.refused_peers = 0  # connections refused for coming from another address

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def admit_only(self, peer: str | None) -> None:
        """Answer only requests from this address; None admits any (no way to tell them apart)."""
        self._peer = peer
        self._any_peer = peer is None
        self._peer_known.set()

    def forget_peer(self) -> None:
        """The runtime is gone: hold requests until the next one's address is known."""
        self._peer, self._any_peer = None, False
        self._peer_known.clear()

    async def start(self) -> None:
        app = web.Application(
            client_max_size=MAX_RESPONSE_BYTES + 1024 * 1024, middlewares=[self._gate]
        )
        prefix = API_PREFIX + "/runtime"
        app.router.add_get(prefix + "/invocation/next", self._next)
        app.router.add_post(prefix + "/invocation/{request_id}/response", self._response)
        app.router.add_post(prefix + "/invocation/{request_id}/error", self._invocation_error)
        app.router.add_post(prefix + "/init/error", self._init_error)
        # handler_cancellation: a /next whose client hung up is cancelled, not left queued.
        # A runtime blocked in /next never finishes its request: don't wait for it on close.
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=0.05,
            handler_cancellation=True,
        )
        await self._runner.setup()
        # Bind the socket ourselves so the OS picks a free port we can read back.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        self.reset()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def reset(self) -> None:
        """Forget the runtime that was: nothing it asked for or was given survives."""
        self._undelivered = None
        self._current = None
        self._runtime_connection = None
        self._drop_waiter()
        self.forget_peer()

    def deliver(self, invocation: PendingInvocation) -> None:
        """Hand the next invocation to the runtime (it is waiting on, or will call, /next)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(invocation)
        else:
            self._undelivered = invocation

    # ----- who may call ------------------------------------------------------------------
    @web.middleware
    async def _gate(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Refuse, before any route runs, a request from anywhere but this runtime."""
        if not self._peer_known.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._peer_known.wait(), PEER_WAIT_S)
        if self._any_peer or (self._peer is not None and request.remote == self._peer):
            return await handler(request)
        self.refused_peers += 1
        response = _error(
            403, "AccessDenied", "This Runtime API serves another execution environment"
        )
        response.force_close()
        return response

    # ----- /next -------------------------------------------------------------------------
    def _waiter_alive(self) -> bool:
        waiter, request = self._waiter, self._waiter_request
        if waiter is None or waiter.done() or request is None:
            return False
        transport = request.transport
        return transport is not None and not transport.is_closing()

    def _drop_waiter(self) -> None:
        waiter, self._waiter, self._waiter_request = self._waiter, None, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _next(self, request: web.Request) -> web.StreamResponse:
        current = self._current
        if current is not None and not current.outcome.done():
            # Running: the RIE renders the same event again (a retried /next gets it back);
            # the invocation goes on.
            return web.Response(body=current.payload, headers=current.headers())
        if self._waiter_alive() and not self._from_runtime(request):
            pending = self._waiter_request
            if pending is not None and pending.transport is self._runtime_connection:
                return _refused_transition("Ready", "Ready")  # a stray beside the runtime
        self._drop_waiter()  # gone, a stray, or replaced by the runtime's retry
        self._current = None  # ResponseSent → Ready
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[PendingInvocation | None] = loop.create_future()
        self._waiter, self._waiter_request = waiter, request
        if self._undelivered is not None:
            waiter.set_result(self._undelivered)
            self._undelivered = None
        self._on_next()
        try:
            invocation = await waiter
        except asyncio.CancelledError:
            # The client hung up (or the server closes). An event it was given but never
            # received goes to the next /next, so nothing accepted is lost.
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()
                if handed is not None and not handed.outcome.done():
                    self._undelivered = handed
            raise
        finally:
            if self._waiter is waiter:
                self._waiter, self._waiter_request = None, None
        if invocation is None:
            return _refused_transition("Ready", "Running")  # reset, or replaced
        transport = request.transport
        if transport is None or transport.is_closing():
            # Gone between being handed the event and sending it: the next /next gets it.
            self._undelivered = invocation
            raise asyncio.CancelledError
        self._current = invocation
        self._runtime_connection = transport
        return web.Response(body=invocation.payload, headers=invocation.headers())

    def _from_runtime(self, request: web.BaseRequest) -> bool:
        transport = request.transport
        return transport is not None and transport is self._runtime_connection

    # ----- results -----------------------------------------------------------------------
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
        settled = self._find(request)  # settled, or reset, while the body was arriving?
        if isinstance(settled, web.Response):
            return settled
        if body is None:
            found.outcome.set_result(RuntimeOutcome("too_large", b""))
            return _error(
                413,
                "RequestEntityTooLarge",
                f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            )
        found.outcome.set_result(RuntimeOutcome("response", body))
        self._runtime_connection = request.transport
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)

    async def _invocation_error(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        body = await self._read_body(request) or b""
        settled = self._find(request)
        if isinstance(settled, web.Response):
            return settled
        error_type = request.headers.get("Lambda-Runtime-Function-Error-Type", "Unhandled")
        found.outcome.set_result(RuntimeOutcome("error", body, error_type))
        self._runtime_connection = request.transport
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)

    async def _init_error(self, request: web.Request) -> web.Response:
        body = await self._read_body(request) or b""
        error_type = request.headers.get("Lambda-Runtime-Function-Error-Type", "Runtime.Unknown")
        self._on_init_error(RuntimeOutcome("error", body, error_type))
        return web.Response(status=202, text=_ACCEPTED, content_type=_JSON)
