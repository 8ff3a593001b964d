"""The local API Gateway (workbench/triggers/api_gateway*.py) driven over real HTTP.

A real server on port 0 in front of the real engine on the process backend; requests go
through aiohttp's client, and the `api` command runs as a subprocess. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.support.cli_process import free_port, running_cli
from workbench.backends.process import ProcessBackend
from workbench.core.errors import InvokeError
from workbench.core.model import load_function
from workbench.core.service import LambdaService
from workbench.invoke_api import bound_port
from workbench.triggers.api_gateway import ApiRequestLog, start_api_gateway
from workbench.triggers.api_gateway_routes import RouteError, find_route, parse_routes

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # seconds; upper bound for any single wait in these tests
PNG = b"\x89PNG\r\n\x1a\n\x00\x01\xfe\xff"
CLF_TIME = re.compile(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")

APP = """
import base64
import json
import time

PNG = __PNG__


def lambda_handler(event, context):
    path = event.get("rawPath") or event.get("path") or ""
    query = event.get("queryStringParameters") or {}
    if path == "/hello":
        name = query.get("name", "world")
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Custom": "yes"},
            "body": json.dumps({"greeting": f"Hello, {name}"}),
        }
    if path == "/plain":
        return {"message": "no statusCode here"}
    if path == "/text":
        return "Hello from Lambda!"
    if path == "/list":
        return [1, 2]
    if path == "/cookies":
        return {
            "statusCode": 201,
            "headers": {"content-type": "text/plain"},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": "ok",
        }
    if path == "/image":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "isBase64Encoded": True,
            "body": base64.b64encode(PNG).decode(),
        }
    if path == "/multi":
        return {
            "statusCode": 200,
            "headers": {"X-One": "a", "X-Two": "b", "Content-Type": "text/plain"},
            "multiValueHeaders": {"X-Two": ["b", "c"]},
            "body": "multi",
        }
    if path == "/body-only":
        return {"body": "just a body"}
    if path == "/bad-status":
        return {"statusCode": "teapot", "body": "x"}
    if path == "/fail":
        raise ValueError("boom")
    if path == "/sleep":
        time.sleep(float(query.get("s", "2")))
        return {"statusCode": 200, "body": "slept"}
    print("event for", path)
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(event),
    }
""".replace("__PNG__", repr(PNG))


def write_app(root: Path) -> Path:
    folder = root / "app"
    folder.mkdir(exist_ok=True)
    (folder / "lambda_function.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    return folder


class Gateway:
    """A running gateway, an HTTP client for it, and the request log it produced."""

    def __init__(self, url: str, session: aiohttp.ClientSession, logs: list[ApiRequestLog]):
        self.url = url
        self.session = session
        self.logs = logs

    async def request(
        self, method: str, path: str, **kwargs: Any
    ) -> tuple[int, CIMultiDict[str], bytes]:
        async with self.session.request(method, self.url + path, **kwargs) as response:
            body = await response.read()
            return response.status, CIMultiDict(response.headers), body

    async def event(self, method: str, path: str, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        """The event the function received (it echoes it), and the response headers."""
        status, headers, body = await self.request(method, path, **kwargs)
        assert status == 200, body
        return json.loads(body), headers


Starter = Callable[..., Awaitable[Gateway]]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[LambdaService]:
    service = LambdaService(ProcessBackend())
    await service.start()
    folder = write_app(tmp_path)
    service.deploy(load_function(folder, name="app"))
    service.deploy(load_function(folder, name="short", timeout_s=1))
    service.deploy(load_function(folder, name="disabled", reserved_concurrency=0))
    try:
        yield service
    finally:
        await asyncio.wait_for(service.close(), WAIT)


@pytest.fixture
async def start(service: LambdaService) -> AsyncIterator[Starter]:
    runners = []
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT), cookie_jar=None)

    async def starter(
        routes: list[str] | None = None,
        payload_version: str = "2.0",
        function: str = "app",
        **options: Any,
    ) -> Gateway:
        logs: list[ApiRequestLog] = []
        runner = await start_api_gateway(
            service,
            function,
            routes,
            payload_version,
            host="127.0.0.1",
            port=0,
            on_request=logs.append,
            **options,
        )
        runners.append(runner)
        return Gateway(f"http://127.0.0.1:{bound_port(runner)}", session, logs)

    try:
        yield starter
    finally:
        await session.close()
        for runner in runners:
            await asyncio.wait_for(runner.cleanup(), WAIT)


# ----- payload 2.0 (HTTP API) ----------------------------------------------------------------
async def test_get_hello_returns_the_functions_response(start: Starter) -> None:
    api = await start(["GET /hello"])
    status, headers, body = await api.request("GET", "/hello?name=Alice")
    assert status == 200
    assert json.loads(body) == {"greeting": "Hello, Alice"}
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Custom"] == "yes"
    assert re.fullmatch(r"[A-Za-z0-9+/]{14}==", headers["apigw-requestid"])
    [log] = api.logs
    assert (log.method, log.path, log.status, log.route_key) == (
        "GET",
        "/hello?name=Alice",
        200,
        "GET /hello",
    )
    assert log.duration_ms > 0 and log.lambda_request_id and log.note is None
    assert log.line().startswith("GET /hello?name=Alice → 200 (")


async def test_v2_event_has_api_gateways_fields(start: Starter) -> None:
    api = await start(["GET /users/{id}", "ANY /{proxy+}"])
    headers = CIMultiDict(
        [("X-Multi", "p"), ("X-Multi", "q"), ("Cookie", "x=1; y=2"), ("User-Agent", "tester/1")]
    )
    event, response_headers = await api.event(
        "GET", "/users/42?a=1&a=2&name=Bob%20B", headers=headers
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /users/{id}"
    assert event["rawPath"] == "/users/42"
    assert event["rawQueryString"] == "a=1&a=2&name=Bob%20B"
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["headers"]["x-multi"] == "p,q"
    assert event["headers"]["user-agent"] == "tester/1"
    assert "cookie" not in event["headers"]
    assert all(name == name.lower() for name in event["headers"])
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["queryStringParameters"] == {"a": "1,2", "name": "Bob B"}
    assert event["pathParameters"] == {"id": "42"}
    assert event["isBase64Encoded"] is False
    assert "body" not in event and "stageVariables" not in event
    context = event["requestContext"]
    assert context["accountId"] == "123456789012"
    assert re.fullmatch(r"[a-z0-9]{10}", context["apiId"])
    assert context["domainName"] == "127.0.0.1"
    assert context["http"] == {
        "method": "GET",
        "path": "/users/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "tester/1",
    }
    assert context["requestId"] == response_headers["apigw-requestid"]
    assert context["routeKey"] == "GET /users/{id}"
    assert context["stage"] == "$default"
    assert CLF_TIME.match(context["time"])
    assert abs(context["timeEpoch"] - time.time() * 1000) < 60_000

    proxied, _ = await api.event("DELETE", "/files/a/b%2Fc.txt")
    assert proxied["routeKey"] == "ANY /{proxy+}"
    assert proxied["pathParameters"] == {"proxy": "files/a/b/c.txt"}
    assert "queryStringParameters" not in proxied and "cookies" not in proxied


async def test_v2_bodies_are_base64_unless_text(start: Starter) -> None:
    api = await start()  # the $default route
    binary = b"\x00\x01\xffdata"
    event, _ = await api.event(
        "POST", "/upload", data=binary, headers={"Content-Type": "application/octet-stream"}
    )
    assert event["routeKey"] == "$default"
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == binary
    event, _ = await api.event(
        "POST", "/upload", data=b'{"a": 1}', headers={"Content-Type": "application/json"}
    )
    assert (event["body"], event["isBase64Encoded"]) == ('{"a": 1}', False)
    # HTTP APIs base64-encode form posts too: only text/*, JSON, XML and JS stay text.
    event, _ = await api.event(
        "POST",
        "/upload",
        data=b"a=1&b=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (event["body"], event["isBase64Encoded"]) == ("YT0xJmI9Mg==", True)


async def test_v2_result_without_status_code_is_a_200_json_body(start: Starter) -> None:
    api = await start()
    status, headers, body = await api.request("GET", "/plain")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"message": "no statusCode here"}
    status, headers, body = await api.request("GET", "/text")  # a JSON string: its text
    assert (status, body) == (200, b"Hello from Lambda!")
    assert headers["Content-Type"] == "application/json"
    status, _, body = await api.request("GET", "/list")
    assert (status, json.loads(body)) == (200, [1, 2])


async def test_v2_cookies_and_binary_responses(start: Starter) -> None:
    api = await start()
    status, headers, body = await api.request("GET", "/cookies")
    assert (status, body) == (201, b"ok")
    assert headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2"]
    assert headers["Content-Type"] == "text/plain"
    status, headers, body = await api.request("GET", "/image")
    assert (status, body) == (200, PNG)
    assert headers["Content-Type"] == "image/png"


async def test_function_errors_and_timeouts_give_gateway_errors(start: Starter) -> None:
    v2 = await start()
    status, headers, body = await v2.request("GET", "/fail")
    assert (status, body) == (500, b'{"message":"Internal Server Error"}')
    assert headers["Content-Type"] == "application/json" and "apigw-requestid" in headers
    assert v2.logs[-1].note == "function error: ValueError: boom"
    assert v2.logs[-1].lambda_request_id

    v1 = await start(payload_version="1.0")
    status, headers, body = await v1.request("GET", "/fail")
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-amzn-RequestId"])

    # A Lambda timeout is a function error to API Gateway: 502 (REST), not 504.
    short = await start(payload_version="1.0", function="short")
    status, _, body = await short.request("GET", "/sleep?s=3")
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert "timed out" in (short.logs[-1].note or "")
    assert "Sandbox.Timedout" in (short.logs[-1].note or "")


async def test_integration_timeout_gives_504(start: Starter) -> None:
    api = await start(payload_version="1.0", integration_timeout_s=0.5)
    started = time.monotonic()
    status, _, body = await api.request("GET", "/sleep?s=2")
    assert time.monotonic() - started < 1.8
    assert (status, body) == (504, b'{"message":"Endpoint request timed out"}')
    assert api.logs[-1].note == "integration timed out after 0.5 s"
    assert api.logs[-1].lambda_request_id is None


async def test_throttled_invocation_is_an_internal_error(start: Starter) -> None:
    for version, expected in (
        ("2.0", b'{"message":"Internal Server Error"}'),
        ("1.0", b'{"message":"Internal server error"}'),
    ):
        api = await start(payload_version=version, function="disabled")
        status, _, body = await api.request("GET", "/hello")
        assert (status, body) == (500, expected)
        note = api.logs[-1].note or ""
        assert "TooManyRequestsException" in note and "reserved concurrency 0" in note


async def test_v2_malformed_response_is_500(start: Starter) -> None:
    api = await start()
    status, _, body = await api.request("GET", "/bad-status")
    assert (status, body) == (500, b'{"message":"Internal Server Error"}')
    assert "statusCode 'teapot' is not a number" in (api.logs[-1].note or "")


def test_the_most_specific_route_wins() -> None:
    routes = parse_routes(
        ["ANY /{proxy+}", "GET /users/{id}", "GET /users/me", "ANY /users/me", "$default"], "2.0"
    )

    def key(method: str, path: str) -> str:
        found = find_route(routes, method, path)
        assert found is not None
        return found[0].key

    assert key("GET", "/users/me") == "GET /users/me"
    assert key("POST", "/users/me") == "ANY /users/me"
    assert key("GET", "/users/7") == "GET /users/{id}"
    assert key("PUT", "/users/7") == "ANY /{proxy+}"
    assert key("GET", "/") == "$default"  # a greedy variable needs at least one segment


async def test_unmatched_routes(start: Starter) -> None:
    v2 = await start(["GET /hello"])
    for method, path in (("GET", "/nope"), ("POST", "/hello"), ("GET", "/")):
        status, _, body = await v2.request(method, path)
        assert (status, body) == (404, b'{"message":"Not Found"}')
    assert v2.logs[-1].route_key is None and v2.logs[-1].note == "no route matches"
    v1 = await start(["GET /hello"], payload_version="1.0")
    status, headers, body = await v1.request("GET", "/nope")
    assert (status, body) == (403, b'{"message":"Missing Authentication Token"}')
    assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


async def test_oversized_request_is_refused(start: Starter) -> None:
    api = await start()
    status, _, body = await api.request("POST", "/upload", data=b"x" * (10 * 1024 * 1024 + 1))
    assert (status, body) == (413, b'{"message":"Request Entity Too Large"}')


# ----- payload 1.0 (REST API) ----------------------------------------------------------------
async def test_v1_event_has_rest_api_fields(start: Starter) -> None:
    api = await start(["GET /users/{id}", "ANY /{proxy+}"], payload_version="1.0")
    headers = CIMultiDict([("X-Multi", "p"), ("X-Multi", "q"), ("Cookie", "x=1")])
    event, response_headers = await api.event("GET", "/users/42?a=1&a=2", headers=headers)
    assert event["resource"] == "/users/{id}"
    assert event["path"] == "/users/42"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["X-Multi"] == "q"
    assert event["multiValueHeaders"]["X-Multi"] == ["p", "q"]
    assert event["headers"]["Cookie"] == "x=1"
    assert event["queryStringParameters"] == {"a": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] is None
    assert (event["body"], event["isBase64Encoded"]) == (None, False)
    context = event["requestContext"]
    assert context["resourcePath"] == "/users/{id}"
    assert context["httpMethod"] == "GET"
    assert context["stage"] == "Prod"
    assert context["path"] == "/Prod/users/42"
    assert context["requestId"] == response_headers["x-amzn-RequestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userArn"] is None
    assert CLF_TIME.match(context["requestTime"])
    assert isinstance(context["requestTimeEpoch"], int)

    bare, _ = await api.event("GET", "/other")
    assert bare["resource"] == "/{proxy+}" and bare["pathParameters"] == {"proxy": "other"}
    assert bare["queryStringParameters"] is None
    assert bare["multiValueQueryStringParameters"] is None

    binary = b"\x00\xff\x10"
    event, _ = await api.event(
        "POST", "/up", data=binary, headers={"Content-Type": "application/octet-stream"}
    )
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == binary
    event, _ = await api.event("POST", "/up", data=b"hi", headers={"Content-Type": "text/plain"})
    assert (event["body"], event["isBase64Encoded"]) == ("hi", False)


async def test_v1_response_mapping(start: Starter) -> None:
    api = await start(payload_version="1.0")
    status, headers, body = await api.request("GET", "/multi")
    assert (status, body) == (200, b"multi")
    assert headers.getall("X-Two") == ["b", "c"]
    assert headers["X-One"] == "a"
    # A REST API decodes a base64 body only for an Accept in its binaryMediaTypes.
    status, headers, body = await api.request("GET", "/image", headers={"Accept": "image/png"})
    assert (status, body) == (200, PNG)
    status, _, body = await api.request("GET", "/image", headers={"Accept": "application/json"})
    assert (status, base64.b64decode(body)) == (200, PNG)
    # statusCode may be left out in 1.0 (REST); everything is optional but no other keys.
    status, headers, body = await api.request("GET", "/body-only")
    assert (status, body) == (200, b"just a body")
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/plain", "/text", "/bad-status"])
async def test_v1_malformed_proxy_response_is_502(start: Starter, path: str) -> None:
    api = await start(payload_version="1.0")
    status, _, body = await api.request("GET", path)
    assert (status, body) == (502, b'{"message":"Internal server error"}')
    assert (api.logs[-1].note or "").startswith("malformed Lambda proxy response")


# ----- configuration -------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
async def test_refuses_non_loopback_hosts(service: LambdaService, host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        await start_api_gateway(service, "app", host=host, port=0)


async def test_refuses_bad_routes_and_unknown_functions(service: LambdaService) -> None:
    with pytest.raises(RouteError, match="greedy"):
        await start_api_gateway(service, "app", ["GET /{a+}/b"], port=0)
    with pytest.raises(RouteError, match=r"\$default"):
        await start_api_gateway(service, "app", ["$default"], "1.0", port=0)
    with pytest.raises(RouteError, match="given twice"):
        await start_api_gateway(service, "app", ["GET /a", "get  /a"], port=0)
    with pytest.raises(InvokeError, match="Function not found"):
        await start_api_gateway(service, "missing", port=0)


# ----- the api command -----------------------------------------------------------------------
API = [sys.executable, "-m", "workbench", "api"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_api_command_serves_and_stops_cleanly(tmp_path: Path) -> None:
    folder = write_app(tmp_path)
    port = free_port()
    stderr_path = tmp_path / "stderr.txt"
    args = ["api", str(folder), "--backend", "process", "--port", str(port)]
    args += ["--route", "GET /hello", "--route", "ANY /{proxy+}"]
    with running_cli(args, banner="API on", stderr_path=stderr_path, wait_s=WAIT) as api:
        proc, line = api.proc, api.banner
        url = f"http://127.0.0.1:{port}"
        assert line.strip() == f"API on {url} — try: curl '{url}/hello?name=Alice'"
        routes = [api.next_line() for _ in range(3)]
        assert "HTTP API, payload 2.0" in routes[0]
        assert "GET /hello" in routes[1] and "ANY /{proxy+}" in routes[2]

        with urllib.request.urlopen(f"{url}/hello?name=Alice", timeout=WAIT) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"greeting": "Hello, Alice"}
            assert response.headers["apigw-requestid"]
        with urllib.request.urlopen(f"{url}/anything", timeout=WAIT) as response:
            assert json.loads(response.read())["routeKey"] == "ANY /{proxy+}"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        log = stderr_path.read_text()
        assert "GET /hello?name=Alice → 200 (" in log
        assert "event for /anything" in log  # the function's own log line
        assert "REPORT RequestId:" in log


def test_api_command_errors(tmp_path: Path) -> None:
    folder = str(write_app(tmp_path))
    base = [*API, folder, "--backend", "process"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        busy = subprocess.run(
            [*base, "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=WAIT
        )
    assert busy.returncode == 1
    assert "already in use" in busy.stderr
    public = subprocess.run(
        [*base, "--host", "0.0.0.0"], cwd=ROOT, capture_output=True, text=True, timeout=WAIT
    )
    assert public.returncode == 2 and "loopback" in public.stderr
    bad = subprocess.run(
        [*base, "--route", "GET nope"], cwd=ROOT, capture_output=True, text=True, timeout=WAIT
    )
    assert bad.returncode == 2 and "must start with '/'" in bad.stderr
