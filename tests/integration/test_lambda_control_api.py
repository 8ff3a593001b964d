"""The Lambda API beyond Invoke, against a real `serve`: AWS CLI v1 and boto3, unchanged.

Also: provisioned concurrency only on versions and aliases, and browsers refused.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from tests.support.cli_process import free_port, running_cli
from workbench.core.event_store import DATA_DIR_ENV
from workbench.loopback_guard import is_loopback_origin, refusal_reason

HANDLER = """
import os

def lambda_handler(event, context):
    if "mark" in event:
        with open(event["mark"], "a") as marks:
            marks.write(f"ran {context.function_version}\\n")
    return {
        "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
        "version": context.function_version,
        "pid": os.getpid(),
    }
"""


class Served:
    def __init__(self, port: int, root: Path) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.root = root
        self.client = boto3.client(
            "lambda",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=20),
        )

    def aws(self, *args: str) -> dict[str, Any]:
        """Run the AWS CLI v1 (awscli from PyPI, unchanged) against the server."""
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(self.root / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "aws-credentials"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "lambda", *args, "--endpoint-url", self.endpoint],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("control")
    folder = root / "shop"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(HANDLER)
    port = free_port()
    old = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(root / "data")
    try:
        args = ["serve", str(folder), "--backend", "process", "--port", str(port)]
        with running_cli(args, banner="Serving", stderr_path=root / "stderr.txt"):
            yield Served(port, root)
    finally:
        if old is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = old


def test_aws_cli_get_function_configuration(served: Served) -> None:
    config = served.aws("get-function-configuration", "--function-name", "shop")
    assert config["FunctionName"] == "shop" and config["Version"] == "$LATEST"
    assert config["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:shop"
    assert (config["MemorySize"], config["Timeout"], config["Runtime"]) == (128, 3, "python3.11")
    assert config["CodeSize"] == len(HANDLER.encode()) and len(config["CodeSha256"]) == 44
    assert config["State"] == "Active" and config["PackageType"] == "Zip"


def test_aws_cli_versions_and_aliases(served: Served) -> None:
    served.client.publish_version(FunctionName="shop", Description="first")
    served.client.create_alias(FunctionName="shop", Name="live", FunctionVersion="1")
    versions = served.aws("list-versions-by-function", "--function-name", "shop")["Versions"]
    assert [v["Version"] for v in versions][:2] == ["$LATEST", "1"]
    assert versions[1]["FunctionArn"].endswith(":function:shop:1")
    aliases = served.aws("list-aliases", "--function-name", "shop")["Aliases"]
    assert {(a["Name"], a["FunctionVersion"]) for a in aliases} >= {("live", "1")}
    live = next(a for a in aliases if a["Name"] == "live")
    assert live["AliasArn"] == "arn:aws:lambda:us-east-1:123456789012:function:shop:live"
    version_config = served.aws(
        "get-function-configuration", "--function-name", "shop", "--qualifier", "1"
    )
    assert version_config["Version"] == "1"
    assert served.client.get_alias(FunctionName="shop", Name="live")["FunctionVersion"] == "1"


def test_aws_cli_get_account_settings(served: Served) -> None:
    settings = served.aws("get-account-settings")
    limit = settings["AccountLimit"]
    assert 10 <= limit["ConcurrentExecutions"] <= 1000
    assert limit["UnreservedConcurrentExecutions"] <= limit["ConcurrentExecutions"]
    assert limit["CodeSizeZipped"] == 50 * 1024**2
    assert settings["AccountUsage"]["FunctionCount"] == 1


def test_provisioned_concurrency_is_refused_on_latest(served: Served) -> None:
    for qualifier in ("$LATEST",):
        with pytest.raises(ClientError) as raised:
            served.client.put_provisioned_concurrency_config(
                FunctionName="shop", Qualifier=qualifier, ProvisionedConcurrentExecutions=1
            )
        error = raised.value.response["Error"]
        assert error["Code"] == "InvalidParameterValueException"
        assert error["Message"] == (
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    with pytest.raises(ClientError) as missing:
        served.client.put_provisioned_concurrency_config(
            FunctionName="shop", Qualifier="99", ProvisionedConcurrentExecutions=1
        )
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_provisioned_concurrency_on_a_version_serves_warm(served: Served) -> None:
    if not served.client.list_versions_by_function(FunctionName="shop")["Versions"][1:]:
        served.client.publish_version(FunctionName="shop")
    put = served.client.put_provisioned_concurrency_config(
        FunctionName="shop", Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    assert put["RequestedProvisionedConcurrentExecutions"] == 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = served.client.get_provisioned_concurrency_config(FunctionName="shop", Qualifier="1")
        if got["Status"] == "READY":
            break
        time.sleep(0.1)
    assert got["Status"] == "READY" and got["AvailableProvisionedConcurrentExecutions"] == 1
    answer = served.client.invoke(FunctionName="shop", Qualifier="1", LogType="Tail")
    body = json.loads(answer["Payload"].read())
    assert body["init"] == "provisioned-concurrency" and body["version"] == "1"
    report = base64.b64decode(answer["LogResult"]).decode()
    assert "REPORT RequestId" in report and "Init Duration" not in report  # warm
    listed = served.client.list_provisioned_concurrency_configs(FunctionName="shop")
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [
        "arn:aws:lambda:us-east-1:123456789012:function:shop:1"
    ]
    served.client.delete_provisioned_concurrency_config(FunctionName="shop", Qualifier="1")
    with pytest.raises(ClientError) as gone:
        served.client.get_provisioned_concurrency_config(FunctionName="shop", Qualifier="1")
    assert gone.value.response["Error"]["Code"] == "ProvisionedConcurrencyConfigNotFoundException"


def _raw_post(port: int, headers: dict[str, str], body: str) -> tuple[int, dict[str, Any]]:
    """A request as a web page's fetch() would send it (text/plain: no CORS preflight)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(
            "POST", "/2015-03-31/functions/shop/invocations", body=body, headers=headers
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_browser_requests_are_refused_and_tools_pass(served: Served) -> None:
    marks = served.root / "marks.txt"
    event = json.dumps({"mark": str(marks)})
    status, body = _raw_post(
        served.port,
        {"Content-Type": "text/plain", "Origin": "http://evil.example"},
        event,
    )
    assert (
        status == 403
        and "Origin 'http://evil.example' is not a loopback origin" in (body["message"])
    )
    rebound = f"evil.example:{served.port}"
    status, body = _raw_post(served.port, {"Content-Type": "text/plain", "Host": rebound}, event)
    assert status == 403 and "is not a loopback name or address" in body["message"]
    assert not marks.exists()  # neither ran the function

    # A page served from localhost, curl (no Origin) and boto3 (default code path) pass.
    status, _ = _raw_post(served.port, {"Origin": f"http://localhost:{served.port}"}, event)
    assert status == 200
    status, _ = _raw_post(served.port, {"Content-Type": "application/json"}, event)
    assert status == 200
    answer = served.client.invoke(FunctionName="shop", Payload=event.encode())
    assert answer["StatusCode"] == 200
    assert marks.read_text().count("ran") == 3


@pytest.mark.parametrize(
    ("host", "origin", "refused"),
    [
        ("127.0.0.1:3001", None, False),
        ("localhost:3001", "http://localhost:5173", False),
        ("[::1]:3001", "http://[::1]:3001", False),
        ("app.localhost", None, False),
        (None, None, False),
        ("127.0.0.1:3001", "null", True),
        ("127.0.0.1:3001", "https://example.com", True),
        ("attacker.example:3001", None, True),
        ("127.0.0.1.nip.io", None, True),
    ],
)
def test_refusal_rules(host: str | None, origin: str | None, refused: bool) -> None:
    assert (refusal_reason(host, origin) is not None) is refused


def test_loopback_origins() -> None:
    assert is_loopback_origin("http://127.0.0.2:8080")
    assert not is_loopback_origin("file://")
    assert not is_loopback_origin("http://localhost.evil.example")


def test_an_event_invocation_of_a_version_runs_that_version(served: Served) -> None:
    if not served.client.list_versions_by_function(FunctionName="shop")["Versions"][1:]:
        served.client.publish_version(FunctionName="shop")
    marks = served.root / "event-marks.txt"
    answer = served.client.invoke(
        FunctionName="shop",
        Qualifier="1",
        InvocationType="Event",
        Payload=json.dumps({"mark": str(marks)}).encode(),
    )
    assert answer["StatusCode"] == 202
    deadline = time.monotonic() + 20
    while not marks.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marks.read_text() == "ran 1\n"
