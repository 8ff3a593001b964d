"""The local bucket trigger (workbench/triggers/bucket.py) end to end, on the process backend.

The bucket's S3 API runs on the test's event loop, so boto3 calls from the test itself go
through asyncio.to_thread. Every wait is bounded, so a broken trigger fails a test instead
of hanging it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from workbench.backends.process import ProcessBackend
from workbench.cli import main as cli_main
from workbench.core.events import InvocationCompleted, InvocationDropped, LogLine
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.triggers.bucket import Firing, LocalBucket
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_events import TriggerFilter

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # seconds; upper bound for any single wait
POLL = 0.1  # the watcher's interval in these tests
SETTLE = 1.0  # long enough for several polls: what should not fire has had its chance

ECHO = """
import json
def lambda_handler(event, context):
    print("EVENT " + json.dumps(event))
    return "ok"
"""

# Written for AWS: the client finds the bucket through AWS_ENDPOINT_URL_S3 alone.
COPY_UPPER = """
import boto3
from urllib.parse import unquote_plus
s3 = boto3.client("s3")
def lambda_handler(event, context):
    s3_info = event["Records"][0]["s3"]
    bucket, key = s3_info["bucket"]["name"], unquote_plus(s3_info["object"]["key"])
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key="output/" + key.split("/")[-1], Body=body.upper())
    return "ok"
"""

# The classic mistake: the result goes back under the prefix that triggers the function.
WRITE_BACK = """
import boto3
from urllib.parse import unquote_plus
s3 = boto3.client("s3")
def lambda_handler(event, context):
    s3_info = event["Records"][0]["s3"]
    bucket, key = s3_info["bucket"]["name"], unquote_plus(s3_info["object"]["key"])
    s3.put_object(Bucket=bucket, Key=key.replace(".txt", "-x.txt"), Body=b"again")
    return "ok"
"""


class Recorder:
    """Collects a bucket's firings and warnings, and the function's log lines."""

    def __init__(self) -> None:
        self.firings: list[Firing] = []
        self.warnings: list[str] = []
        self.logs: list[str] = []

    def keys(self, kind: str = "put") -> list[str]:
        return [f.key for f in self.firings if f.kind == kind]

    def events_seen(self) -> list[dict[str, Any]]:
        return [json.loads(line[6:]) for line in self.logs if line.startswith("EVENT ")]


async def until(predicate: Callable[[], object], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def service() -> AsyncIterator[LambdaService]:
    async with LambdaService(ProcessBackend()) as svc:
        yield svc


@pytest.fixture
async def start_bucket(service: LambdaService, tmp_path: Path) -> AsyncIterator[Any]:
    """Start a bucket over tmp_path/bucket for a handler; returns (bucket, recorder)."""
    started: list[LocalBucket] = []

    async def start(source: str, *, name: str = "fn", **options: Any):
        code = tmp_path / name
        code.mkdir()
        (code / "lambda_function.py").write_text(textwrap.dedent(source), encoding="utf-8")
        root = tmp_path / "bucket"
        root.mkdir(exist_ok=True)
        recorder = Recorder()
        service.bus.subscribe(
            lambda e: recorder.logs.append(e.text) if isinstance(e, LogLine) else None
        )
        bucket = LocalBucket(
            service,
            root,
            FunctionConfig(name=name, code_dir=code, timeout_s=20),
            poll_interval_s=POLL,
            on_firing=recorder.firings.append,
            on_warning=recorder.warnings.append,
            **options,
        )
        await bucket.start()
        started.append(bucket)
        return bucket, recorder

    yield start
    for bucket in started:
        await bucket.close()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=WAIT),
    )


def completed(service: LambdaService, request_id: str | None) -> list[InvocationCompleted]:
    return [e for e in service.bus.of_type(InvocationCompleted) if e.request_id == request_id]


# ----- events from the folder ------------------------------------------------------------
async def test_a_new_file_under_the_prefix_fires_one_put_record(start_bucket, service) -> None:
    bucket, rec = await start_bucket(ECHO, trigger=TriggerFilter(prefix="photos/"))
    data = b"meow" * 1000
    (bucket.root / "photos").mkdir()
    (bucket.root / "photos" / "cat 1.jpg").write_bytes(data)

    await until(lambda: rec.events_seen())
    await asyncio.sleep(SETTLE)
    assert len(rec.firings) == 1
    assert rec.events_seen() == [{"Records": [rec.firings[0].record]}]
    record = rec.firings[0].record
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["eventTime"])
    assert record["requestParameters"]["sourceIPAddress"] == "127.0.0.1"
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    s3 = record["s3"]
    assert s3["s3SchemaVersion"] == "1.0"
    assert s3["bucket"] == {
        "name": "bucket",
        "ownerIdentity": {"principalId": s3["bucket"]["ownerIdentity"]["principalId"]},
        "arn": "arn:aws:s3:::bucket",
    }
    obj = s3["object"]
    assert obj["key"] == "photos/cat+1.jpg"  # URL-encoded, as S3 sends it
    assert obj["size"] == len(data)
    assert obj["eTag"] == hashlib.md5(data).hexdigest()
    assert re.fullmatch(r"[0-9A-F]{18}", obj["sequencer"])


async def test_files_outside_the_prefix_or_suffix_do_not_fire(start_bucket) -> None:
    bucket, rec = await start_bucket(ECHO, trigger=TriggerFilter(prefix="photos/", suffix=".jpg"))
    for key in ("other/cat.jpg", "photos/cat.png", "photos-cat.jpg", "cat.jpg"):
        path = bucket.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    await asyncio.sleep(SETTLE)
    (bucket.root / "photos" / "dog.jpg").write_bytes(b"woof")  # control: this one matches

    await until(lambda: rec.firings)
    await asyncio.sleep(SETTLE)
    assert rec.keys() == ["photos/dog.jpg"]


async def test_a_deletion_fires_a_delete_record(start_bucket) -> None:
    bucket, rec = await start_bucket(ECHO)
    path = bucket.root / "in" / "old file.txt"
    path.parent.mkdir()
    path.write_bytes(b"old")
    await until(lambda: rec.keys("put"))
    path.unlink()

    await until(lambda: rec.keys("delete"))
    put, delete = rec.firings
    assert delete.record["eventName"] == "ObjectRemoved:Delete"
    assert set(delete.record["s3"]["object"]) == {"key", "sequencer"}  # no size, no eTag
    assert delete.record["s3"]["object"]["key"] == "in/old+file.txt"
    assert delete.record["s3"]["object"]["sequencer"] > put.record["s3"]["object"]["sequencer"]
    await until(lambda: len(rec.events_seen()) == 2)


async def test_objects_already_there_do_not_fire_and_events_option_filters(
    start_bucket, tmp_path: Path
) -> None:
    (tmp_path / "bucket").mkdir()
    (tmp_path / "bucket" / "before.txt").write_bytes(b"here before the trigger")
    bucket, rec = await start_bucket(ECHO, trigger=TriggerFilter(events=frozenset({"delete"})))
    (bucket.root / "new.txt").write_bytes(b"new")
    await asyncio.sleep(SETTLE)
    assert rec.firings == []  # neither the old object nor a put (only delete is configured)

    (bucket.root / "before.txt").unlink()
    await until(lambda: rec.firings)
    assert [(f.kind, f.key) for f in rec.firings] == [("delete", "before.txt")]


async def test_a_file_written_slowly_fires_once_after_it_is_complete(start_bucket) -> None:
    bucket, rec = await start_bucket(ECHO)
    first, rest = b"a" * 50_000, b"b" * 50_000
    with (bucket.root / "big.bin").open("wb") as file:
        file.write(first)
        file.flush()
        await asyncio.sleep(SETTLE)  # many polls see the same size and mtime
        assert rec.firings == []  # still open for writing: not an object yet
        file.write(rest)

    await until(lambda: rec.firings)
    await asyncio.sleep(SETTLE)
    assert len(rec.firings) == 1
    obj = rec.firings[0].record["s3"]["object"]
    assert obj["size"] == len(first + rest)
    assert obj["eTag"] == hashlib.md5(first + rest).hexdigest()


async def test_temporary_names_fire_only_once_renamed(start_bucket) -> None:
    bucket, rec = await start_bucket(ECHO)
    for name in ("photo.jpg.part", ".~lock.doc#", "notes.txt.swp", "download.crdownload"):
        (bucket.root / name).write_bytes(b"partial")
    await asyncio.sleep(SETTLE)
    assert rec.firings == []

    (bucket.root / "photo.jpg.part").rename(bucket.root / "photo.jpg")
    await until(lambda: rec.firings)
    await asyncio.sleep(SETTLE)
    assert rec.keys() == ["photo.jpg"]


# ----- handlers using the S3 API -----------------------------------------------------------
async def test_a_boto3_handler_reads_the_object_and_writes_its_output(
    start_bucket, service
) -> None:
    bucket, rec = await start_bucket(COPY_UPPER, trigger=TriggerFilter(prefix="input/"))
    (bucket.root / "input").mkdir()
    (bucket.root / "input" / "note 1.txt").write_bytes(b"hello bucket")

    output = bucket.root / "output" / "note 1.txt"
    await until(output.exists)
    assert output.read_bytes() == b"HELLO BUCKET"
    await until(lambda: completed(service, rec.firings[0].request_id))
    assert completed(service, rec.firings[0].request_id)[0].function_error is None
    await asyncio.sleep(SETTLE)
    assert rec.keys() == ["input/note 1.txt"]  # output/ does not match the trigger
    assert rec.warnings == []


async def test_the_environment_gets_the_loopback_s3_endpoint(start_bucket, service) -> None:
    source = "import os\ndef lambda_handler(e, c):\n    return os.environ['AWS_ENDPOINT_URL_S3']\n"
    bucket, _ = await start_bucket(source)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", bucket.endpoint_url)
    assert bucket.config.environment["AWS_ENDPOINT_URL_S3"] == bucket.endpoint_url
    result = await service.invoke("fn")
    assert json.loads(result.payload) == bucket.endpoint_url
    with pytest.raises(ValueError, match="no auth"):
        await S3Endpoint().start("0.0.0.0")


async def test_a_handler_writing_back_under_the_trigger_is_stopped_after_16(
    start_bucket, service
) -> None:
    bucket, rec = await start_bucket(WRITE_BACK, trigger=TriggerFilter(prefix="input/"))
    (bucket.root / "input").mkdir()
    (bucket.root / "input" / "a.txt").write_bytes(b"start")

    await until(lambda: any(f.stopped for f in rec.firings), timeout=60)
    invoked = [f for f in rec.firings if not f.stopped]
    assert [f.depth for f in invoked] == list(range(1, 17))
    assert [f.depth for f in rec.firings if f.stopped] == [17]
    await until(lambda: all(completed(service, f.request_id) for f in invoked))
    await asyncio.sleep(SETTLE)
    assert len(rec.firings) == 17  # nothing after the stop
    assert len(list((bucket.root / "input").iterdir())) == 17  # the 16th write happened
    warning, stop = rec.warnings
    assert "recursive loop" in warning and "prefix 'input/'" in warning
    assert "after 16 invocations" in warning
    assert "stopped" in stop and "input/a.txt" in stop and "invoked fn 16 times" in stop
    dropped = list(service.bus.of_type(InvocationDropped))
    assert [d.reason for d in dropped] == ["recursive loop detected"]


async def test_list_head_get_and_delete_through_boto3(start_bucket) -> None:
    bucket, rec = await start_bucket(ECHO)
    for key in ("a/1.txt", "a/2.txt", "a/sub/3.txt", "b c+d.txt"):
        path = bucket.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.encode())
    await until(lambda: len(rec.firings) == 4)
    s3 = s3_client(bucket.endpoint_url)

    def calls() -> None:
        first = s3.list_objects_v2(Bucket="bucket", Prefix="a/", MaxKeys=2)
        assert [o["Key"] for o in first["Contents"]] == ["a/1.txt", "a/2.txt"]
        assert first["IsTruncated"] and first["KeyCount"] == 2
        rest = s3.list_objects_v2(
            Bucket="bucket", Prefix="a/", ContinuationToken=first["NextContinuationToken"]
        )
        assert [o["Key"] for o in rest["Contents"]] == ["a/sub/3.txt"]
        assert not rest["IsTruncated"]
        top = s3.list_objects_v2(Bucket="bucket", Delimiter="/")
        assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/"]
        assert [o["Key"] for o in top["Contents"]] == ["b c+d.txt"]
        assert top["Contents"][0]["ETag"] == f'"{hashlib.md5(b"b c+d.txt").hexdigest()}"'

        head = s3.head_object(Bucket="bucket", Key="b c+d.txt")
        assert head["ContentLength"] == len(b"b c+d.txt")
        assert head["ETag"] == f'"{hashlib.md5(b"b c+d.txt").hexdigest()}"'
        part = s3.get_object(Bucket="bucket", Key="b c+d.txt", Range="bytes=2-4")
        assert part["Body"].read() == b"c+d"
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket="bucket", Key="missing.txt")
        with pytest.raises(botocore.exceptions.ClientError, match="404"):
            s3.head_object(Bucket="bucket", Key="missing.txt")
        with pytest.raises(s3.exceptions.NoSuchBucket):
            s3.list_objects_v2(Bucket="other-bucket")

        s3.delete_object(Bucket="bucket", Key="a/1.txt")
        s3.put_object(Bucket="bucket", Key="new/x.txt", Body=b"put by boto3")

    await asyncio.to_thread(calls)
    assert not (bucket.root / "a" / "1.txt").exists()
    assert (bucket.root / "new" / "x.txt").read_bytes() == b"put by boto3"
    await asyncio.sleep(SETTLE)
    later = [(f.kind, f.key, f.depth) for f in rec.firings[4:]]
    # One event each, reported by the API at once and not again by the watcher; the test's
    # boto3 runs outside any function, so neither starts a chain deeper than 1.
    assert later == [("delete", "a/1.txt", 1), ("put", "new/x.txt", 1)]
    assert rec.warnings == []


# ----- the command -------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_bucket_command_fires_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    code = tmp_path / "handler"
    code.mkdir()
    (code / "lambda_function.py").write_text(
        "def lambda_handler(event, context):\n"
        "    print('handled', event['Records'][0]['s3']['object']['key'])\n"
    )
    root = tmp_path / "photos"
    stderr_path = tmp_path / "stderr.txt"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "workbench", "bucket", str(code), "--root", str(root)]
    options = ["--prefix", "input/", "--backend", "process", "--poll-interval", "0.1"]
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [*command, *options],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or ()], daemon=True).start()
    try:
        banner = ""
        deadline = time.monotonic() + WAIT
        while "AWS_ENDPOINT_URL_S3=" not in banner:
            banner += lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        assert "s3://photos" in banner and "prefix 'input/'" in banner
        endpoint = re.search(r"AWS_ENDPOINT_URL_S3=http://(127\.0\.0\.1):(\d+)", banner)
        assert endpoint, banner
        (root / "input").mkdir()  # the command created the bucket folder
        (root / "input" / "hello there.txt").write_text("hi")

        def log() -> str:
            return stderr_path.read_text()

        deadline = time.monotonic() + WAIT
        while not re.search(r"→ success", log()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "ObjectCreated:Put input/hello there.txt →" in log()
        assert "handled input/hello+there.txt" in log()

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        with pytest.raises(OSError):  # the S3 endpoint went with the command
            socket.create_connection((endpoint[1], int(endpoint[2])), timeout=1).close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--events", "put,create"], "'create' is not an event"),
        (["--name", "Bad_Name"], "not a valid bucket name"),
        (["--port", "70000"], "not a TCP port"),
    ],
)
def test_bucket_command_refuses_bad_options(tmp_path: Path, capsys, option, message) -> None:
    (tmp_path / "fn").mkdir()
    code = cli_main(["bucket", str(tmp_path / "fn"), "--root", str(tmp_path / "b"), *option])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "b").exists()  # nothing created for a refused command
