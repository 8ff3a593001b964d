"""The local bucket with containerised environments: the S3 API on Docker's bridge address.

The handler is written exactly as for AWS: boto3 finds the local bucket through the
AWS_ENDPOINT_URL_S3 variable the environment gets (the runtime image carries a current boto3).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workbench.core.events import InvocationCompleted, LogLine
from workbench.core.model import FunctionConfig
from workbench.triggers.bucket import LocalBucket
from workbench.triggers.s3_events import TriggerFilter

pytestmark = pytest.mark.docker

READER = """
import os
from urllib.parse import unquote_plus
import boto3
s3 = boto3.client("s3")
def lambda_handler(event, context):
    s3_info = event["Records"][0]["s3"]
    bucket, key = s3_info["bucket"]["name"], unquote_plus(s3_info["object"]["key"])
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    print("read", repr(body), "with boto3", boto3.__version__)
    s3.put_object(Bucket=bucket, Key="output/" + key.split("/")[-1], Body=body[::-1])
    return len(body)
"""


async def test_a_containerised_handler_reads_and_writes_the_bucket(
    docker_service, write_function, tmp_path: Path
) -> None:
    root = tmp_path / "bucket"
    root.mkdir()
    logs: list[str] = []
    docker_service.bus.subscribe(lambda e: logs.append(e.text) if isinstance(e, LogLine) else None)
    firings = []
    config = FunctionConfig(name="reader", code_dir=write_function(READER), timeout_s=30)
    bucket = LocalBucket(
        docker_service,
        root,
        config,
        trigger=TriggerFilter(prefix="input/"),
        poll_interval_s=0.1,
        on_firing=firings.append,
    )
    async with bucket:
        host = urlsplit(bucket.endpoint_url).hostname or ""
        assert host == docker_service.backend.bind_host  # the bridge gateway...
        address = ipaddress.ip_address(host)
        assert not address.is_unspecified and not address.is_loopback  # ...never 0.0.0.0
        (root / "input").mkdir()
        (root / "input" / "hello world.txt").write_bytes(b"from the host")

        output = root / "output" / "hello world.txt"
        deadline = time.monotonic() + 60
        while not output.exists():
            assert time.monotonic() < deadline, "\n".join(logs)
            await asyncio.sleep(0.05)
        assert output.read_bytes() == b"tsoh eht morf"
        assert any("read b'from the host' with boto3" in line for line in logs)
        request_id = firings[0].request_id
        while not [
            e for e in docker_service.bus.of_type(InvocationCompleted) if e.request_id == request_id
        ]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert [f.key for f in firings] == ["input/hello world.txt"]
