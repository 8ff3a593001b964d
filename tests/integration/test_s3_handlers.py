"""Handlers written for AWS, run through the engine, using the local S3 endpoint's buckets.

A bucket-triggered handler reads the triggering bucket and writes a second bucket on the
same endpoint with boto3's default code paths (upload_file goes multipart above 8 MB);
a function's policy.json acts as its execution role; the `bucket` command serves extra
buckets with --bucket NAME=FOLDER.
"""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_process import running_cli
from workbench.backends.process import ProcessBackend
from workbench.core.events import InvocationCompleted, LogLine
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.triggers.bucket import Firing, LocalBucket
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_events import TriggerFilter

WAIT = 60.0
POLL = 0.1

# Reads the photo that fired it, writes results to another bucket, and uses each of the
# operations that were 501 before: multipart upload_file, copy_object, list_objects (v1),
# a paginated, delimited list_objects_v2, and delete_objects.
PIPELINE = """
import json, os
from urllib.parse import unquote_plus
import boto3

s3 = boto3.client("s3")
OUT = "thumbnails"

def lambda_handler(event, context):
    record = event["Records"][0]["s3"]
    bucket, key = record["bucket"]["name"], unquote_plus(record["object"]["key"])
    name = key.rsplit("/", 1)[-1]
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=OUT, Key="small/" + name, Body=body.upper())
    big = "/tmp/" + context.aws_request_id + ".bin"
    with open(big, "wb") as f:
        f.write(os.urandom(20 * 1024 * 1024))
    s3.upload_file(big, OUT, "big/" + name + ".bin")
    os.remove(big)
    for i in range(3):
        source = {"Bucket": bucket, "Key": key}
        s3.copy_object(Bucket=OUT, Key=f"copies/{i}/{name}", CopySource=source)
    v1 = [o["Key"] for o in s3.list_objects(Bucket=OUT, Prefix="copies/")["Contents"]]
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=OUT, Delimiter="/", PaginationConfig={"PageSize": 1})
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    gone = s3.delete_objects(Bucket=OUT, Delete={"Objects": [{"Key": k} for k in v1[:2]]})
    head = s3.head_object(Bucket=OUT, Key="big/" + name + ".bin")
    print("RESULT " + json.dumps({
        "v1": v1, "prefixes": prefixes, "deleted": [d["Key"] for d in gone["Deleted"]],
        "big_etag": head["ETag"], "big_size": head["ContentLength"],
        "key_id": os.environ["AWS_ACCESS_KEY_ID"],
    }))
    return "ok"
"""

# Tries what a role may or may not allow, and prints what S3 answered.
PROBE = """
import json
import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")

def lambda_handler(event, context):
    results = {}
    for name, call in [
        ("get", lambda: s3.get_object(Bucket="photos", Key="cat.jpg")["Body"].read().decode()),
        ("missing", lambda: s3.get_object(Bucket="photos", Key="dog.jpg")),
        ("put", lambda: s3.put_object(Bucket="thumbnails", Key="cat.jpg", Body=b"x") and "ok"),
    ]:
        try:
            results[name] = call()
        except ClientError as exc:
            results[name] = [exc.response["Error"]["Code"], exc.response["Error"]["Message"]]
    return results
"""


async def until(predicate: Callable[[], object], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


class Setup:
    def __init__(self, service: LambdaService, endpoint: S3Endpoint, tmp: Path) -> None:
        self.service, self.endpoint, self.tmp = service, endpoint, tmp
        self.photos, self.thumbs = tmp / "photos", tmp / "thumbs"
        self.firings: list[Firing] = []
        self.logs: list[str] = []
        self.buckets: list[LocalBucket] = []

    def function(self, name: str, source: str, policy: dict[str, Any] | None = None) -> Path:
        code = self.tmp / name
        code.mkdir()
        (code / "lambda_function.py").write_text(textwrap.dedent(source), encoding="utf-8")
        if policy is not None:
            (code / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
        return code

    async def trigger(self, name: str, code: Path) -> LocalBucket:
        config = FunctionConfig(name=name, code_dir=code, timeout_s=60, memory_mb=1024)
        bucket = LocalBucket(
            self.service,
            self.photos,
            config.with_changes(max_retry_attempts=0),
            name="photos",
            trigger=TriggerFilter(prefix="input/"),
            poll_interval_s=POLL,
            on_firing=self.firings.append,
            endpoint=self.endpoint,
        )
        await bucket.start()
        self.buckets.append(bucket)
        return bucket


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    async with LambdaService(ProcessBackend()) as service:
        endpoint = S3Endpoint(service_identities(service))
        found = Setup(service, endpoint, tmp_path)
        found.photos.mkdir()
        found.thumbs.mkdir()
        endpoint.add_bucket("thumbnails", found.thumbs)
        await endpoint.start("127.0.0.1")
        service.bus.subscribe(
            lambda e: found.logs.append(e.text) if isinstance(e, LogLine) else None
        )
        try:
            yield found
        finally:
            for bucket in found.buckets:
                await bucket.close()
            await endpoint.close()


async def test_a_handler_reads_one_bucket_and_writes_another_with_every_operation(setup) -> None:
    await setup.trigger("pipeline", setup.function("pipeline", PIPELINE))
    (setup.photos / "input").mkdir()
    (setup.photos / "input" / "cat 1.jpg").write_bytes(b"meow")

    def result() -> dict[str, Any] | None:
        lines = [line for line in setup.logs if line.startswith("RESULT ")]
        return json.loads(lines[0][7:]) if lines else None

    def finished() -> bool:
        return any(setup.service.bus.of_type(InvocationCompleted)) or result() is not None

    await until(finished)
    assert result() is not None, "\n".join(setup.logs)
    found = result()
    assert found is not None
    assert found["v1"] == ["copies/0/cat 1.jpg", "copies/1/cat 1.jpg", "copies/2/cat 1.jpg"]
    assert found["prefixes"] == ["big/", "copies/", "small/"]
    assert found["deleted"] == ["copies/0/cat 1.jpg", "copies/1/cat 1.jpg"]
    assert found["big_etag"].strip('"').endswith("-3") and found["big_size"] == 20 * 1024 * 1024
    assert (setup.thumbs / "small" / "cat 1.jpg").read_bytes() == b"MEOW"
    assert (setup.thumbs / "big" / "cat 1.jpg.bin").stat().st_size == 20 * 1024 * 1024
    assert sorted(p.name for p in (setup.thumbs / "copies").rglob("*.jpg")) == ["cat 1.jpg"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", found["key_id"])  # the function's own key
    # Only the upload under input/ fired: writes to the other bucket have no trigger.
    assert [(f.key, f.depth) for f in setup.firings] == [("input/cat 1.jpg", 1)]


async def test_a_copy_into_the_triggering_bucket_fires_object_created_copy(setup) -> None:
    source = """
    import boto3
    s3 = boto3.client("s3")
    def lambda_handler(event, context):
        s3.put_object(Bucket="thumbnails", Key="a.txt", Body=b"a")
        s3.copy_object(Bucket="photos", Key="input/copied.txt", CopySource="thumbnails/a.txt")
        return "ok"
    """
    bucket = await setup.trigger("copier", setup.function("copier", source))
    await setup.service.invoke("copier", b"{}")
    await until(lambda: setup.firings)
    assert setup.firings[0].record["eventName"] == "ObjectCreated:Copy"
    assert setup.firings[0].key == "input/copied.txt"
    assert bucket.endpoint_url == setup.endpoint.url


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (  # only GetObject on photos: a missing key is AccessDenied, writing elsewhere too
            [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}],
            {"get": "purr", "missing": "AccessDenied", "put": "AccessDenied"},
        ),
        (  # with s3:ListBucket the missing key is NoSuchKey; with PutObject the write works
            [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos"},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::thumb*"},
            ],
            {"get": "purr", "missing": "NoSuchKey", "put": "ok"},
        ),
        (  # scoped to the wrong bucket
            [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::thumbnails/*"}],
            {"get": "AccessDenied", "missing": "AccessDenied", "put": "ok"},
        ),
    ],
)
async def test_policy_json_is_the_functions_execution_role(setup, statements, expected) -> None:
    (setup.photos / "cat.jpg").write_text("purr")
    policy = {"Version": "2012-10-17", "Statement": statements}
    await setup.trigger("prober", setup.function("prober", PROBE, policy))
    result = await setup.service.invoke("prober", b"{}")
    answers = json.loads(result.payload)
    codes = {k: v[0] if isinstance(v, list) else v for k, v in answers.items()}
    assert codes == expected
    if expected["get"] == "AccessDenied":
        assert answers["get"][1] == (
            "User: arn:aws:sts::123456789012:assumed-role/prober-role/prober is not authorized "
            'to perform: s3:GetObject on resource: "arn:aws:s3:::photos/cat.jpg" because no '
            "identity-based policy allows the s3:GetObject action"
        )
    # The policy is read on each request: fixing it applies at once, as IAM's does.
    (setup.tmp / "prober" / "policy.json").unlink()
    again = json.loads((await setup.service.invoke("prober", b"{}")).payload)
    assert again["get"] == "purr" and again["put"] == "ok" and again["missing"][0] == "NoSuchKey"


def test_bucket_command_serves_more_buckets(tmp_path: Path) -> None:
    code = tmp_path / "fn"
    code.mkdir()
    (code / "lambda_function.py").write_text(textwrap.dedent("""
        import boto3
        from urllib.parse import unquote_plus
        s3 = boto3.client("s3")
        def lambda_handler(event, context):
            key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
            body = s3.get_object(Bucket="photos", Key=key)["Body"].read()
            s3.put_object(Bucket="thumbnails", Key=key.split("/")[-1], Body=body[::-1])
    """))  # fmt: skip
    photos, thumbs = tmp_path / "photos", tmp_path / "thumbs"
    args = ["bucket", str(code), "--root", str(photos), "--bucket", f"thumbnails={thumbs}"]
    args += ["--prefix", "input/", "--backend", "process", "--poll-interval", "0.1"]
    with running_cli(args, banner="Bucket s3://photos", stderr_path=tmp_path / "err") as cli:
        lines = [cli.banner]
        while "AWS_ENDPOINT_URL_S3" not in lines[-1]:
            lines.append(cli.next_line(timeout=20))
        assert any(f"s3://thumbnails is the folder {thumbs.resolve()}" in x for x in lines)
        assert thumbs.is_dir()
        (photos / "input").mkdir()
        (photos / "input" / "a b.txt").write_text("abc")
        deadline = time.monotonic() + WAIT
        while not (thumbs / "a b.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (thumbs / "a b.txt").read_text() == "cba", (tmp_path / "err").read_text()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--bucket", "thumbnails"], "write NAME=FOLDER"),
        (["--bucket", "Bad_Name=x"], "not a valid bucket name"),
        (["--bucket", "photos=x"], "already a bucket named 'photos'"),
    ],
)
def test_bucket_command_refuses_bad_extra_buckets(tmp_path: Path, capsys, option, message) -> None:
    from workbench.cli import main as cli_main

    (tmp_path / "fn").mkdir()
    code = cli_main(["bucket", str(tmp_path / "fn"), "--root", str(tmp_path / "photos"), *option])
    assert code == 2
    assert message in capsys.readouterr().err


# Two functions, each triggered by its own bucket, each writing into the other's trigger.
PING = """
import boto3
from urllib.parse import unquote_plus
s3 = boto3.client("s3")
def lambda_handler(event, context):
    key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
    s3.put_object(Bucket="{target}", Key="input/" + key.rsplit("/", 1)[-1] + "x", Body=b".")
"""


async def test_a_loop_across_two_buckets_is_one_chain_and_is_stopped(setup) -> None:
    warnings: list[str] = []
    config = {"timeout_s": 30, "max_retry_attempts": 0}
    ping = setup.function("ping", PING.replace("{target}", "thumbnails"))
    pong = setup.function("pong", PING.replace("{target}", "photos"))
    photos = LocalBucket(
        setup.service, setup.photos, FunctionConfig(name="ping", code_dir=ping, **config),
        name="photos", trigger=TriggerFilter(prefix="input/"), poll_interval_s=POLL,
        on_firing=setup.firings.append, on_warning=warnings.append, endpoint=setup.endpoint,
    )  # fmt: skip
    thumbs = LocalBucket(
        setup.service, setup.thumbs, FunctionConfig(name="pong", code_dir=pong, **config),
        name="thumbnails", trigger=TriggerFilter(prefix="input/"), poll_interval_s=POLL,
        on_firing=setup.firings.append, on_warning=warnings.append, endpoint=setup.endpoint,
    )  # fmt: skip
    setup.buckets += [photos, thumbs]
    await photos.start()
    await thumbs.start()
    (setup.photos / "input").mkdir()
    (setup.photos / "input" / "a").write_text("start")
    await until(lambda: any(f.stopped for f in setup.firings))
    delivered = [f for f in setup.firings if not f.stopped]
    assert len(delivered) == 16  # the 17th invocation of the chain is not delivered
    assert [f.depth for f in delivered] == list(range(1, 17))
    assert any("pong wrote s3://photos/input/" in w and "invokes ping" in w for w in warnings)
    assert any("recursive loop stopped" in w and "s3://photos/input/a" in w for w in warnings)
