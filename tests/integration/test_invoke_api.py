"""The Invoke API (workbench/invoke_api.py) driven by real boto3, on the process backend.

The service and API run on the test's event loop, so boto3 (blocking) is called through
asyncio.to_thread. Every wait is bounded so a broken server fails a test instead of hanging.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from aiohttp import web

from tests.support.cli_process import free_port, running_cli
from workbench.backends.process import ProcessBackend
from workbench.core.errors import InvokeError
from workbench.core.events import InvocationCompleted
from workbench.core.model import load_function
from workbench.core.service import SYNC_PAYLOAD_LIMIT, LambdaService
from workbench.invoke_api import bound_port, log_result, resolve_function, start_invoke_api

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # seconds; upper bound for any single wait in these tests
SERVE = [sys.executable, "-m", "workbench", "serve"]

ECHO = """
def lambda_handler(event, context):
    print("echo handler saw", event)
    cc = context.client_context
    return {
        "event": event,
        "custom": cc.custom if cc is not None else None,
        "request_id": context.aws_request_id,
        "tenant_id": context.tenant_id,
        "arn": context.invoked_function_arn,
    }
"""

FAIL = """
def lambda_handler(event, context):
    raise ValueError("boom")
"""


def write_function(root: Path, name: str, source: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "lambda_function.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def lambda_client(endpoint: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(
            retries={"max_attempts": 0}, read_timeout=WAIT, connect_timeout=5
        ),
    )


class Api:
    """A running service + Invoke API, and a boto3 client pointed at it."""

    def __init__(self, service: LambdaService, runner: web.AppRunner) -> None:
        self.service = service
        self.runner = runner
        self.endpoint = f"http://127.0.0.1:{bound_port(runner)}"
        self.client = lambda_client(self.endpoint)

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """Call a boto3 Lambda method off the loop; a streamed Payload is read into bytes."""

        def blocking() -> dict[str, Any]:
            response = getattr(self.client, method)(**kwargs)
            if "Payload" in response:
                response["Payload"] = response["Payload"].read()
            return response

        return await asyncio.wait_for(asyncio.to_thread(blocking), WAIT)

    async def raises(self, method: str, **kwargs: Any) -> Any:
        """The botocore ClientError a call raises."""
        with pytest.raises(self.client.exceptions.ClientError) as info:
            await self.call(method, **kwargs)
        return info.value


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    service = LambdaService(ProcessBackend())
    await service.start()
    service.deploy(load_function(write_function(tmp_path, "echo", ECHO)))
    service.deploy(load_function(write_function(tmp_path, "fail", FAIL)))
    runner = await start_invoke_api(service, "127.0.0.1", 0)
    running = Api(service, runner)
    try:
        yield running
    finally:
        running.client.close()
        await asyncio.wait_for(runner.cleanup(), WAIT)
        await asyncio.wait_for(service.close(), WAIT)


# ----- Invoke: RequestResponse ---------------------------------------------------------------
async def test_sync_invoke_returns_payload_and_version(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b'{"a": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    body = json.loads(response["Payload"])
    assert body["event"] == {"a": 1}
    assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:echo"
    # The API request id is the invocation's request id, as on AWS.
    assert response["ResponseMetadata"]["RequestId"] == body["request_id"]


async def test_log_tail_is_base64_of_the_invocation_log(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}", LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    request_id = json.loads(response["Payload"])["request_id"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert "echo handler saw {}" in log
    assert f"END RequestId: {request_id}" in log
    assert f"REPORT RequestId: {request_id}" in log
    assert log.endswith("\n")


async def test_no_log_result_without_tail(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}")
    assert "LogResult" not in response


async def test_function_error_is_unhandled_with_error_payload(api: Api) -> None:
    response = await api.call("invoke", FunctionName="fail", Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"])
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "boom"


async def test_client_context_reaches_the_handler(api: Api) -> None:
    context = {"custom": {"k": "v", "n": 1}, "env": {"platform": "test"}}
    encoded = base64.b64encode(json.dumps(context).encode()).decode()
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}", ClientContext=encoded)
    assert json.loads(response["Payload"])["custom"] == {"k": "v", "n": 1}


async def test_invalid_client_context_is_refused(api: Api) -> None:
    error = await api.raises(
        "invoke", FunctionName="echo", Payload=b"{}", ClientContext="not base64!"
    )
    assert isinstance(error, api.client.exceptions.InvalidRequestContentException)
    assert "Client context" in error.response["Error"]["Message"]


async def test_tenant_id_reaches_the_handler(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}", TenantId="t-1")
    assert json.loads(response["Payload"])["tenant_id"] == "t-1"


@pytest.mark.parametrize(
    "function_name",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:echo",
        "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST",
        "123456789012:function:echo",
        "echo:$LATEST",
    ],
)
async def test_arn_and_qualified_names_work(api: Api, function_name: str) -> None:
    response = await api.call("invoke", FunctionName=function_name, Payload=b"{}")
    assert response["StatusCode"] == 200
    assert json.loads(response["Payload"])["event"] == {}


async def test_versions_and_aliases_through_boto3(api: Api, tmp_path: Path) -> None:
    """PublishVersion snapshots the code; an alias invocation shows the alias ARN."""
    source = (
        "def lambda_handler(e, c):\n    return [c.invoked_function_arn, c.function_version, %r]\n"
    )
    code_dir = api.service.function("echo").code_dir
    handler = code_dir / "lambda_function.py"
    original = handler.read_text()
    try:
        handler.write_text(source % "one")
        api.service.deploy(api.service.function("echo"))
        published = await api.call("publish_version", FunctionName="echo")
        assert published["Version"] == "1"
        handler.write_text(source % "two")  # $LATEST moves on; version 1 keeps its snapshot
        api.service.deploy(api.service.function("echo"))
        alias = await api.call(
            "create_alias", FunctionName="echo", Name="live", FunctionVersion="1"
        )
        assert alias["AliasArn"].endswith(":function:echo:live")
        via_alias = await api.call("invoke", FunctionName="echo", Qualifier="live", Payload=b"{}")
        assert json.loads(via_alias["Payload"]) == [alias["AliasArn"], "1", "one"]
        assert via_alias["ExecutedVersion"] == "1"
        latest = await api.call("invoke", FunctionName="echo", Payload=b"{}")
        arn = json.loads(latest["Payload"])
        assert arn[1:] == ["$LATEST", "two"] and arn[0].endswith(":function:echo")
    finally:
        handler.write_text(original)


async def test_latest_qualifier_works_and_others_are_not_found(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}", Qualifier="$LATEST")
    assert response["StatusCode"] == 200
    error = await api.raises("invoke", FunctionName="echo", Payload=b"{}", Qualifier="1")
    assert isinstance(error, api.client.exceptions.ResourceNotFoundException)
    assert error.response["Error"]["Message"].endswith("function:echo:1")


# ----- Invoke: Event and DryRun --------------------------------------------------------------
async def test_event_invocation_is_accepted_and_runs(api: Api) -> None:
    events, unsubscribe = api.service.bus.queue()
    try:
        response = await api.call(
            "invoke", FunctionName="echo", Payload=b'{"async": true}', InvocationType="Event"
        )
        assert response["StatusCode"] == 202
        assert response["Payload"] == b""
        request_id = response["ResponseMetadata"]["RequestId"]
        deadline = time.monotonic() + WAIT
        while True:
            event = await asyncio.wait_for(events.get(), deadline - time.monotonic())
            if isinstance(event, InvocationCompleted) and event.request_id == request_id:
                break
        assert event.function == "echo"
        assert event.invocation_type == "Event"
        assert event.function_error is None
    finally:
        unsubscribe()


async def test_dry_run_validates_without_running(api: Api) -> None:
    response = await api.call("invoke", FunctionName="echo", Payload=b"{}", InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert not list(api.service.bus.of_type(InvocationCompleted))
    error = await api.raises("invoke", FunctionName="nope", Payload=b"{}", InvocationType="DryRun")
    assert isinstance(error, api.client.exceptions.ResourceNotFoundException)


async def test_unknown_invocation_type_is_refused(api: Api) -> None:
    error = await api.raises(
        "invoke", FunctionName="echo", Payload=b"{}", InvocationType="Sometime"
    )
    assert isinstance(error, api.client.exceptions.InvalidParameterValueException)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# ----- Invoke: errors ------------------------------------------------------------------------
async def test_unknown_function_is_not_found(api: Api) -> None:
    error = await api.raises("invoke", FunctionName="nope", Payload=b"{}")
    assert isinstance(error, api.client.exceptions.ResourceNotFoundException)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error.response["Type"] == "User"
    assert error.response["ResponseMetadata"]["RequestId"]


async def test_invalid_json_payload_is_refused(api: Api) -> None:
    error = await api.raises("invoke", FunctionName="echo", Payload=b"{not json")
    assert isinstance(error, api.client.exceptions.InvalidRequestContentException)
    assert error.response["Error"]["Message"].startswith("Could not parse request body into json")


async def test_payload_over_6_mb_is_too_large(api: Api) -> None:
    payload = b'"' + b"x" * SYNC_PAYLOAD_LIMIT + b'"'
    error = await api.raises("invoke", FunctionName="echo", Payload=payload)
    assert isinstance(error, api.client.exceptions.RequestTooLargeException)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert not list(api.service.bus.of_type(InvocationCompleted))


async def test_throttle_maps_to_too_many_requests_with_reason(api: Api) -> None:
    """A function with reserved concurrency 0 is throttled: 429 with AWS's Reason."""
    disabled = api.service.function("echo").with_changes(reserved_concurrency=0)
    api.service.deploy(disabled)
    error = await api.raises("invoke", FunctionName="echo", Payload=b"{}")
    assert isinstance(error, api.client.exceptions.TooManyRequestsException)
    assert error.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert error.response["Error"]["Message"].startswith("Rate Exceeded.")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429


# ----- ListFunctions / GetFunction -----------------------------------------------------------
async def test_list_functions_shows_deployed_functions(api: Api) -> None:
    response = await api.call("list_functions")
    by_name = {f["FunctionName"]: f for f in response["Functions"]}
    assert set(by_name) == {"echo", "fail"}
    echo = by_name["echo"]
    assert echo["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:echo"
    assert echo["Runtime"] == "python3.11"
    assert echo["Handler"] == "lambda_function.lambda_handler"
    assert echo["MemorySize"] == 128
    assert echo["Timeout"] == 3
    assert echo["Architectures"] == ["x86_64"]
    assert echo["Environment"] == {"Variables": {}}


async def test_get_function(api: Api) -> None:
    response = await api.call("get_function", FunctionName="echo")
    assert response["Configuration"]["FunctionName"] == "echo"
    error = await api.raises("get_function", FunctionName="nope")
    assert isinstance(error, api.client.exceptions.ResourceNotFoundException)


# ----- pieces --------------------------------------------------------------------------------
def test_log_result_keeps_the_last_4_kb_on_a_character_boundary() -> None:
    log = "é" * 3000 + "\nREPORT RequestId: r"
    data = base64.b64decode(log_result(log))
    assert len(data) <= 4096
    text = data.decode("utf-8")  # would raise if cut inside a character
    assert text.endswith("REPORT RequestId: r\n")


def test_resolve_function_names() -> None:
    assert resolve_function("f", None) == ("f", None)
    assert resolve_function("f", "$LATEST") == ("f", "$LATEST")
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert resolve_function(arn, None) == ("f", None)
    assert resolve_function(arn + ":live", None) == ("f", "live")
    with pytest.raises(InvokeError) as info:
        resolve_function("f:$LATEST", "2")
    assert info.value.error_type == "InvalidParameterValueException"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
async def test_api_refuses_non_loopback_hosts(host: str) -> None:
    service = LambdaService(ProcessBackend())
    with pytest.raises(ValueError, match="loopback"):
        await start_invoke_api(service, host, 0)
    await service.close()


# ----- the serve command ---------------------------------------------------------------------
def process_alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has already exited


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_serve_command_serves_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    stderr_path = tmp_path / "stderr.txt"
    args = ["serve", "sample_functions/hello", "--backend", "process", "--port", str(port)]
    with running_cli(args, banner="Serving", stderr_path=stderr_path) as served:
        proc, line = served.proc, served.banner
        assert f"http://127.0.0.1:{port}" in line
        assert "--function-name hello" in line

        client = lambda_client(f"http://127.0.0.1:{port}")
        response = client.invoke(FunctionName="hello", Payload=b'{"name": "Ada"}')
        body = json.loads(response["Payload"].read())
        assert body["message"] == "Hello, Ada!"
        runtime_pid = body["pid"]
        assert process_alive(runtime_pid)

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        # Clean shutdown: the function's execution environment went with the server.
        assert wait_until(lambda: not process_alive(runtime_pid), 5)
        log = stderr_path.read_text()
        assert "Hello from hello" in log


def test_serve_command_reports_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(
            [*SERVE, "sample_functions/hello", "--backend", "process", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
    assert result.returncode == 1
    assert "already in use" in result.stderr


def test_serve_command_refuses_duplicate_names_and_public_hosts(tmp_path: Path) -> None:
    hello = str(ROOT / "sample_functions" / "hello")
    base = [*SERVE, "--backend", "process"]
    duplicate = subprocess.run(
        [*base, hello, hello], cwd=ROOT, capture_output=True, text=True, timeout=WAIT
    )
    assert duplicate.returncode == 2
    assert "'hello'" in duplicate.stderr
    public = subprocess.run(
        [*base, "--host", "0.0.0.0", hello], cwd=ROOT, capture_output=True, text=True, timeout=WAIT
    )
    assert public.returncode == 2
    assert "loopback" in public.stderr
