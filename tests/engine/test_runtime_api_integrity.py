"""The Runtime API cannot be taken over or wedged (workbench/core/runtime_api.py).

Real HTTP clients on loopback: 127.0.0.1 plays the environment's runtime and 127.0.0.2 (the
same loopback interface, another source address) a neighbour. Covers issue 11: a stray or
abandoned GET /next must not take the next event, a second /next is refused, a /next during
an invocation gets that invocation again (as AWS's Runtime Interface Emulator renders it:
rapi/handler/invocationnext.go, core/states.go RuntimeRunningState.Ready), and a reset
forgets everything from before it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from workbench.core.runtime_api import PendingInvocation, RuntimeApiServer, RuntimeOutcome

WAIT = 5.0
RUNTIME = "127.0.0.1"
NEIGHBOUR = "127.0.0.2"


@dataclass
class Api:
    server: RuntimeApiServer
    runtime: aiohttp.ClientSession
    neighbour: aiohttp.ClientSession
    ready_calls: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.server.address}/2018-06-01/runtime"

    async def next(
        self, session: aiohttp.ClientSession | None = None, timeout: float = WAIT
    ) -> tuple[int, dict[str, str], bytes]:
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (session or self.runtime).get(
            f"{self.base}/invocation/next", timeout=client_timeout
        ) as resp:
            return resp.status, dict(resp.headers), await resp.read()

    async def post(
        self, path: str, data: bytes, session: aiohttp.ClientSession | None = None
    ) -> tuple[int, dict[str, object]]:
        async with (session or self.runtime).post(f"{self.base}{path}", data=data) as resp:
            return resp.status, json.loads(await resp.text() or "{}")


def invocation(request_id: str, payload: bytes = b"{}") -> PendingInvocation:
    return PendingInvocation(
        request_id=request_id,
        payload=payload,
        deadline_ms=1542409706888,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        trace_id="Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
    )


def session_from(address: str, keep_alive: bool = False) -> aiohttp.ClientSession:
    """A client from this source address; keep_alive: one connection for every request, as
    runtimes keep theirs (else a new connection per request, as a stray call makes)."""
    if keep_alive:
        connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1)
    else:
        connector = aiohttp.TCPConnector(local_addr=(address, 0), force_close=True)
    return aiohttp.ClientSession(connector=connector)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    holder: list[Api] = []
    server = RuntimeApiServer(
        RUNTIME,
        on_next=lambda: holder[0].ready_calls.append(1),
        on_init_error=lambda outcome: None,
    )
    await server.start()
    server.admit_only(RUNTIME)
    holder.append(Api(server, session_from(RUNTIME, keep_alive=True), session_from(NEIGHBOUR)))
    try:
        yield holder[0]
    finally:
        await holder[0].runtime.close()
        await holder[0].neighbour.close()
        await asyncio.wait_for(server.close(), WAIT)


async def until(predicate: object, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


# ----- only the environment's own runtime is answered ---------------------------------------
async def test_a_neighbour_gets_nothing_and_changes_nothing(api: Api) -> None:
    # The runtime waits on /next; the neighbour tries /next and a forged response.
    waiting = asyncio.ensure_future(api.next())
    await until(lambda: api.ready_calls)
    status, _, body = await api.next(api.neighbour)
    assert status == 403
    assert json.loads(body)["errorType"] == "AccessDenied"
    api.server.deliver(invocation("victim", b'"secret"'))
    status, _headers, body = await asyncio.wait_for(waiting, WAIT)
    assert (status, body) == (200, b'"secret"')
    # While the victim's invocation runs, the neighbour can neither read nor answer it.
    assert (await api.next(api.neighbour))[0] == 403
    assert (await api.post("/invocation/victim/response", b'"forged"', api.neighbour))[0] == 403
    assert (await api.post("/invocation/victim/error", b"{}", api.neighbour))[0] == 403
    assert (await api.post("/init/error", b"{}", api.neighbour))[0] == 403
    assert (await api.post("/invocation/victim/response", b'"mine"'))[0] == 202
    assert api.server.refused_peers == 5
    assert len(api.ready_calls) == 1


async def test_requests_wait_until_the_runtime_address_is_known() -> None:
    server = RuntimeApiServer(RUNTIME, on_next=lambda: None, on_init_error=lambda o: None)
    await server.start()
    try:
        async with session_from(RUNTIME) as session:
            url = f"http://{server.address}/2018-06-01/runtime/invocation/next"
            pending = asyncio.ensure_future(session.get(url))
            await asyncio.sleep(0.2)
            assert not pending.done()  # held at the gate: the address is not known yet
            server.admit_only(RUNTIME)
            server.deliver(invocation("r1"))
            async with await asyncio.wait_for(pending, WAIT) as resp:
                assert resp.status == 200
    finally:
        await server.close()


async def test_admitting_any_address_is_explicit(api: Api) -> None:
    api.server.admit_only(None)  # a backend that cannot tell runtimes apart says so
    api.server.deliver(invocation("r1"))
    status, headers, _ = await api.next(api.neighbour)
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"]) == (200, "r1")


# ----- /next cannot be wedged ---------------------------------------------------------------
async def test_an_abandoned_next_is_dropped_and_takes_no_event(api: Api) -> None:
    with pytest.raises(TimeoutError):
        await api.next(timeout=0.3)  # a handler that asks and gives up
    api.server.deliver(invocation("r1", b'"for the runtime"'))
    status, headers, body = await api.next()
    assert (status, body) == (200, b'"for the runtime"')
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "r1"


async def test_an_event_handed_to_a_client_that_just_left_goes_to_the_next(api: Api) -> None:
    host, port = api.server.address.split(":")
    raw = socket.create_connection((host, int(port)))
    raw.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
    await until(lambda: api.ready_calls)
    raw.close()
    api.server.deliver(invocation("r1"))  # perhaps before the server noticed the close
    status, headers, _ = await api.next()
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"]) == (200, "r1")


async def _one_round(api: Api, request_id: str) -> None:
    """The runtime fetches an event and answers it on its keep-alive connection."""
    api.server.deliver(invocation(request_id))
    assert (await api.next())[0] == 200
    assert (await api.post(f"/invocation/{request_id}/response", b"1"))[0] == 202


async def test_a_stray_beside_the_runtimes_pending_next_is_refused(api: Api) -> None:
    await _one_round(api, "r0")
    runtime_next = asyncio.ensure_future(api.next())
    await until(lambda: len(api.ready_calls) == 2)
    async with session_from(RUNTIME) as stray:
        status, _, body = await api.next(stray)
    assert status == 403
    assert json.loads(body)["errorType"] == "InvalidStateTransition"
    api.server.deliver(invocation("r1"))
    status, headers, _ = await asyncio.wait_for(runtime_next, WAIT)
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"]) == (200, "r1")


async def test_the_runtimes_next_takes_the_place_of_a_stray_that_came_first(api: Api) -> None:
    await _one_round(api, "r0")
    async with session_from(RUNTIME) as stray_session:
        stray = asyncio.ensure_future(api.next(stray_session))
        await until(lambda: len(api.ready_calls) == 2)
        runtime_next = asyncio.ensure_future(api.next())
        status, _, body = await asyncio.wait_for(stray, WAIT)
        assert (status, json.loads(body)["errorType"]) == (403, "InvalidStateTransition")
        api.server.deliver(invocation("r1"))
        status, headers, _ = await asyncio.wait_for(runtime_next, WAIT)
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"]) == (200, "r1")


async def test_before_any_round_a_newer_next_replaces_an_older_one(api: Api) -> None:
    # A runtime that retries /next on a new connection (its first one half-open) is served.
    async with session_from(RUNTIME) as first_session:
        first = asyncio.ensure_future(api.next(first_session))
        await until(lambda: api.ready_calls)
        retry = asyncio.ensure_future(api.next())
        assert (await asyncio.wait_for(first, WAIT))[0] == 403
        api.server.deliver(invocation("r1"))
        status, headers, _ = await asyncio.wait_for(retry, WAIT)
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"]) == (200, "r1")


async def test_next_during_an_invocation_gets_the_same_event_and_ends_nothing(api: Api) -> None:
    api.server.deliver(invocation("r1", b'"one"'))
    assert (await api.next())[2] == b'"one"'
    ready = len(api.ready_calls)
    async with session_from(RUNTIME) as handler:  # the handler calls /next itself
        status, headers, body = await api.next(handler, timeout=1.0)
    assert (status, headers["Lambda-Runtime-Aws-Request-Id"], body) == (200, "r1", b'"one"')
    assert len(api.ready_calls) == ready  # the invocation is not over
    assert (await api.post("/invocation/r1/response", b'"done"'))[0] == 202
    api.server.deliver(invocation("r2", b'"two"'))
    status, headers, body = await api.next()
    assert (headers["Lambda-Runtime-Aws-Request-Id"], body) == ("r2", b'"two"')


async def test_reset_forgets_everything_from_before(api: Api) -> None:
    held = invocation("r1")
    api.server.deliver(held)
    assert (await api.next())[0] == 200
    stale_next = asyncio.ensure_future(api.next())  # e.g. a stray after the response
    await api.post("/invocation/r1/response", b"1")
    await until(lambda: len(api.ready_calls) == 2)
    api.server.deliver(invocation("r2"))  # taken by the stale /next …
    await asyncio.wait_for(stale_next, WAIT)
    api.server.reset()  # … then the runtime is reset (say it timed out)
    api.server.admit_only(RUNTIME)
    assert (await api.post("/invocation/r2/response", b"late"))[0] == 400
    api.server.deliver(invocation("r3"))
    api.server.reset()  # an event never fetched does not survive either
    api.server.admit_only(RUNTIME)
    waiting = asyncio.ensure_future(api.next())
    await asyncio.sleep(0.3)
    assert not waiting.done()
    api.server.deliver(invocation("r4"))
    _status, headers, _ = await asyncio.wait_for(waiting, WAIT)
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "r4"
    assert held.outcome.result() == RuntimeOutcome("response", b"1")


async def test_reset_answers_a_pending_next(api: Api) -> None:
    pending = asyncio.ensure_future(api.next())
    await until(lambda: api.ready_calls)
    api.server.reset()
    status, _, body = await asyncio.wait_for(pending, WAIT)
    assert status == 403
    assert json.loads(body)["errorType"] == "InvalidStateTransition"
