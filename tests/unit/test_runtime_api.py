"""The Runtime API server (workbench/core/runtime_api.py) driven by a real HTTP client.

A real aiohttp ClientSession talks to the server on 127.0.0.1, as a runtime would; the test
plays the engine's side (deliver an invocation, look at its outcome future).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from workbench.core.runtime_api import (
    MAX_RESPONSE_BYTES,
    PendingInvocation,
    RuntimeApiServer,
    RuntimeOutcome,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:custom-runtime"
TRACE = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
RID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
WAIT = 5.0  # bound for every single wait


@dataclass
class Api:
    server: RuntimeApiServer
    session: aiohttp.ClientSession
    next_calls: list[int] = field(default_factory=list)
    init_errors: list[RuntimeOutcome] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.server.address}/2018-06-01/runtime"

    async def next(self) -> tuple[int, dict[str, str], bytes, aiohttp.ClientResponse]:
        async with self.session.get(f"{self.base}/invocation/next") as resp:
            return resp.status, dict(resp.headers), await resp.read(), resp

    async def post(
        self, path: str, data: object = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, object]]:
        async with self.session.post(f"{self.base}{path}", data=data, headers=headers) as resp:
            text = await resp.text()
            assert resp.headers["Content-Type"].startswith("application/json")
            return resp.status, json.loads(text) if text else {}

    def invocation(
        self, request_id: str = RID, payload: bytes = b"{}", **extra: str
    ) -> PendingInvocation:
        return PendingInvocation(
            request_id=request_id,
            payload=payload,
            deadline_ms=1542409706888,
            invoked_function_arn=ARN,
            trace_id=TRACE,
            **extra,  # type: ignore[arg-type]
        )

    async def deliver_and_take(self, invocation: PendingInvocation) -> None:
        """Deliver an invocation and fetch it through /next, as the runtime does."""
        self.server.deliver(invocation)
        status, headers, _, _ = await asyncio.wait_for(self.next(), WAIT)
        assert status == 200
        assert headers["Lambda-Runtime-Aws-Request-Id"] == invocation.request_id


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    holder: list[Api] = []
    server = RuntimeApiServer(
        "127.0.0.1",
        on_next=lambda: holder[0].next_calls.append(1),
        on_init_error=lambda outcome: holder[0].init_errors.append(outcome),
    )
    await server.start()
    server.admit_only("127.0.0.1")  # the runtime's address, as the backend reports it
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT * 2))
    holder.append(Api(server, session))
    try:
        yield holder[0]
    finally:
        await session.close()
        await asyncio.wait_for(server.close(), WAIT)


def test_payload_limit_is_awss() -> None:
    assert MAX_RESPONSE_BYTES == 6_291_556


async def test_server_listens_on_a_real_port(api: Api) -> None:
    assert api.server.port > 0
    assert api.server.address == f"127.0.0.1:{api.server.port}"


# ----- /next -------------------------------------------------------------------------------------
async def test_next_returns_the_payload_with_every_header(api: Api) -> None:
    payload = b'{"name": "Ada", "n": [1, 2, 3]}'
    api.server.deliver(api.invocation(payload=payload))
    status, headers, body, resp = await asyncio.wait_for(api.next(), WAIT)
    assert status == 200
    assert body == payload
    assert resp.version == aiohttp.HttpVersion11  # awslambdaric crashed on HTTP/1.0 answers
    assert headers["Content-Type"] == "application/json"
    assert headers["Lambda-Runtime-Aws-Request-Id"] == RID
    assert headers["Lambda-Runtime-Deadline-Ms"] == "1542409706888"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == ARN
    assert headers["Lambda-Runtime-Trace-Id"] == TRACE
    for optional in (
        "Lambda-Runtime-Client-Context",
        "Lambda-Runtime-Cognito-Identity",
        "Lambda-Runtime-Aws-Tenant-Id",
    ):
        assert optional not in headers


async def test_optional_headers_are_sent_when_set(api: Api) -> None:
    context = '{"custom": {"a": 1}, "env": {}, "client": {}}'
    identity = '{"cognitoIdentityId": "id", "cognitoIdentityPoolId": "pool"}'
    api.server.deliver(
        api.invocation(client_context=context, cognito_identity=identity, tenant_id="blue")
    )
    status, headers, _, _ = await asyncio.wait_for(api.next(), WAIT)
    assert status == 200
    assert headers["Lambda-Runtime-Client-Context"] == context
    assert headers["Lambda-Runtime-Cognito-Identity"] == identity
    assert headers["Lambda-Runtime-Aws-Tenant-Id"] == "blue"


async def test_empty_optional_headers_are_not_sent(api: Api) -> None:
    api.server.deliver(api.invocation(client_context="", tenant_id=""))
    _, headers, _, _ = await asyncio.wait_for(api.next(), WAIT)
    assert "Lambda-Runtime-Client-Context" not in headers
    assert "Lambda-Runtime-Aws-Tenant-Id" not in headers


async def test_next_waits_until_an_invocation_is_delivered(api: Api) -> None:
    pending = asyncio.ensure_future(api.next())
    await asyncio.sleep(0.2)
    assert not pending.done()
    api.server.deliver(api.invocation(payload=b'"late"'))
    status, _, body, _ = await asyncio.wait_for(pending, WAIT)
    assert (status, body) == (200, b'"late"')


async def test_on_next_is_called_each_time_next_is_hit(api: Api) -> None:
    pending = asyncio.ensure_future(api.next())
    for _ in range(100):  # on_next fires when /next arrives, before any delivery
        if api.next_calls:
            break
        await asyncio.sleep(0.01)
    assert len(api.next_calls) == 1
    api.server.deliver(api.invocation("r1"))
    await asyncio.wait_for(pending, WAIT)
    assert (await api.post("/invocation/r1/response", b"1"))[0] == 202
    await api.deliver_and_take(api.invocation("r2"))
    assert len(api.next_calls) == 2
    assert (await api.post("/invocation/r2/response", b"2"))[0] == 202
    await api.deliver_and_take(api.invocation("r3"))
    assert len(api.next_calls) == 3


# ----- /response ---------------------------------------------------------------------------------
async def test_response_is_accepted_and_resolves_the_outcome(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    assert not invocation.outcome.done()
    status, body = await api.post(f"/invocation/{RID}/response", b'{"ok": true}')
    assert status == 202
    assert body == {"status": "OK"}
    outcome = await asyncio.wait_for(invocation.outcome, WAIT)
    assert outcome == RuntimeOutcome("response", b'{"ok": true}')


async def test_wrong_request_id_is_refused_with_400(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, body = await api.post("/invocation/not-this-one/response", b"{}")
    assert status == 400
    assert body["errorType"] == "InvalidRequestID"
    assert not invocation.outcome.done()
    status, _ = await api.post("/invocation/not-this-one/error", b"{}")
    assert status == 400


async def test_response_before_any_next_is_refused_with_400(api: Api) -> None:
    api.server.deliver(api.invocation())  # delivered but not yet taken through /next
    status, _ = await api.post(f"/invocation/{RID}/response", b"{}")
    assert status == 400


async def test_second_response_is_refused_with_403(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    assert (await api.post(f"/invocation/{RID}/response", b"1"))[0] == 202
    status, body = await api.post(f"/invocation/{RID}/response", b"2")
    assert status == 403
    assert body["errorType"] == "InvalidStateTransition"
    assert invocation.outcome.result().body == b"1"
    status, _ = await api.post(f"/invocation/{RID}/error", b"{}")
    assert status == 403


@pytest.mark.parametrize("size", [1024 * 1024, 3 * 1024 * 1024, MAX_RESPONSE_BYTES])
async def test_large_responses_arrive_whole(api: Api, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, _ = await api.post(f"/invocation/{RID}/response", data)
    assert status == 202
    outcome = invocation.outcome.result()
    assert outcome.kind == "response"
    assert len(outcome.body) == size
    assert outcome.body == data


async def test_large_chunked_response_arrives_whole(api: Api) -> None:
    piece = b"0123456789abcdef" * 4096  # 64 KiB

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(32):  # 2 MiB, no Content-Length
            yield piece

    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, _ = await api.post(f"/invocation/{RID}/response", chunks())
    assert status == 202
    assert invocation.outcome.result().body == piece * 32


async def test_response_over_the_limit_is_refused_with_413(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, body = await api.post(f"/invocation/{RID}/response", b"x" * (MAX_RESPONSE_BYTES + 1))
    assert status == 413
    assert "6291556" in str(body["errorMessage"])
    outcome = await asyncio.wait_for(invocation.outcome, WAIT)
    assert outcome.kind == "too_large"


async def test_chunked_response_over_the_limit_is_refused_with_413(api: Api) -> None:
    piece = b"y" * (64 * 1024)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_RESPONSE_BYTES // len(piece) + 2):  # just over 6 MB, no length
            yield piece

    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, _ = await api.post(f"/invocation/{RID}/response", chunks())
    assert status == 413
    assert invocation.outcome.result().kind == "too_large"


# ----- /error and /init/error --------------------------------------------------------------------
async def test_invocation_error_carries_the_error_type(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    error = {"errorMessage": "'action'", "errorType": "KeyError", "stackTrace": []}
    status, body = await api.post(
        f"/invocation/{RID}/error",
        json.dumps(error).encode(),
        {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
    )
    assert status == 202
    assert body == {"status": "OK"}
    outcome = await asyncio.wait_for(invocation.outcome, WAIT)
    assert outcome.kind == "error"
    assert outcome.error_type == "Unhandled"
    assert json.loads(outcome.body) == error


async def test_invocation_error_with_a_custom_type(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    status, _ = await api.post(
        f"/invocation/{RID}/error", b"{}", {"Lambda-Runtime-Function-Error-Type": "Runtime.X"}
    )
    assert status == 202
    assert invocation.outcome.result().error_type == "Runtime.X"


async def test_invocation_error_without_a_type_header(api: Api) -> None:
    invocation = api.invocation()
    await api.deliver_and_take(invocation)
    assert (await api.post(f"/invocation/{RID}/error", b"{}"))[0] == 202
    assert invocation.outcome.result().kind == "error"
    assert invocation.outcome.result().error_type == "Unhandled"


async def test_init_error_calls_the_callback(api: Api) -> None:
    error = {
        "errorMessage": "Unable to import module 'app'",
        "errorType": "Runtime.ImportModuleError",
    }
    status, body = await api.post(
        "/init/error",
        json.dumps(error).encode(),
        {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"},
    )
    assert status == 202
    assert body == {"status": "OK"}
    assert len(api.init_errors) == 1
    assert api.init_errors[0].kind == "error"
    assert api.init_errors[0].error_type == "Runtime.ImportModuleError"
    assert json.loads(api.init_errors[0].body) == error


async def test_init_error_without_a_type_header(api: Api) -> None:
    assert (await api.post("/init/error", b""))[0] == 202
    assert api.init_errors[0].error_type == "Runtime.Unknown"


async def test_unknown_route_is_404(api: Api) -> None:
    async with api.session.get(f"{api.base}/nothing-here") as resp:
        assert resp.status == 404


# ----- shutdown ----------------------------------------------------------------------------------
async def test_close_is_prompt_while_a_runtime_waits_on_next() -> None:
    # An idle runtime always has a GET /next outstanding; closing its environment (reaping,
    # redeploying, shutting down) must not wait for that request to finish.
    server = RuntimeApiServer("127.0.0.1", on_next=lambda: None, on_init_error=lambda o: None)
    await server.start()
    server.admit_only("127.0.0.1")
    async with aiohttp.ClientSession() as session:
        url = f"http://{server.address}/2018-06-01/runtime/invocation/next"
        waiting = asyncio.ensure_future(session.get(url))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(server.close(), 30)
        assert loop.time() - started < 2.0
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
