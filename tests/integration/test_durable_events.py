"""Accepted async events survive `kill -9` of `serve` and are delivered after a restart."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest

from tests.support.cli_process import free_port, running_cli
from workbench.core.event_store import DATA_DIR_ENV, STORE_FILE_NAME, EventStore

EVENTS = 12
# Slow, and one at a time (reserved concurrency 1): most of the 12 events are still queued
# behind the throttle when the process is killed.
SLOW_MARKER = """
import time

def lambda_handler(event, context):
    time.sleep(0.3)
    with open(event["file"], "a", encoding="utf-8") as marks:
        marks.write(event["mark"] + "\\n")
    return event["mark"]
"""


def lambda_client(port: int) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=20),
    )


def marks(path: Path) -> set[str]:
    return set(path.read_text().split()) if path.exists() else set()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_events_queued_at_kill_9_are_all_delivered_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(SLOW_MARKER)
    (folder / "function.toml").write_text("reserved_concurrency = 1\ntimeout = 10\n")
    out = tmp_path / "marks.txt"
    port = free_port()
    args = ["serve", str(folder), "--backend", "process", "--port", str(port)]

    with running_cli(args, banner="Serving", stderr_path=tmp_path / "first.txt") as first:
        client = lambda_client(port)
        for mark in range(EVENTS):
            payload = json.dumps({"mark": str(mark), "file": str(out)}).encode()
            answer = client.invoke(FunctionName="slow", InvocationType="Event", Payload=payload)
            assert answer["StatusCode"] == 202
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
    delivered_before = marks(out)
    assert len(delivered_before) < EVENTS  # the kill really left events undelivered

    store = EventStore(tmp_path / "data" / STORE_FILE_NAME)
    try:
        assert store.pending_events(mine_only=False) >= EVENTS - len(delivered_before)
    finally:
        store.close()

    with running_cli(args, banner="Serving", stderr_path=tmp_path / "second.txt") as second:
        second.next_line(timeout=10)  # the function's line
        resumed = second.next_line(timeout=10)
        assert resumed.startswith("resuming ") and "queued event(s)" in resumed
        deadline = time.monotonic() + 90
        while len(marks(out)) < EVENTS and time.monotonic() < deadline:
            time.sleep(0.2)
        # At least once: every event arrives; one running at the kill may arrive twice.
        assert marks(out) == {str(m) for m in range(EVENTS)}
        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(timeout=15) == 0
    store = EventStore(tmp_path / "data" / STORE_FILE_NAME)
    try:
        assert store.pending_events(mine_only=False) == 0  # all finished, none kept
    finally:
        store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_stopping_with_events_queued_says_how_many_remain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    folder = tmp_path / "off"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(SLOW_MARKER)
    # Reserved concurrency 1 and a 0.3 s handler: three events cannot all be done at once.
    (folder / "function.toml").write_text("reserved_concurrency = 1\n")
    port = free_port()
    args = ["serve", str(folder), "--backend", "process", "--port", str(port)]
    stderr = tmp_path / "stderr.txt"
    with running_cli(args, banner="Serving", stderr_path=stderr) as served:
        client = lambda_client(port)
        for mark in range(3):
            payload = json.dumps({"mark": str(mark), "file": str(tmp_path / "m.txt")}).encode()
            client.invoke(FunctionName="off", InvocationType="Event", Payload=payload)
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=15) == 0
    remaining = 3 - len(marks(tmp_path / "m.txt"))
    assert remaining > 0
    text = stderr.read_text()
    assert f"{remaining} accepted event(s) still queued; they will resume on the next start" in (
        text
    )


QUEUE_MARKER = """
import json, time

def lambda_handler(event, context):
    for record in event["Records"]:
        body = json.loads(record["body"])
        time.sleep(0.5)
        with open(body["file"], "a", encoding="utf-8") as marks:
            marks.write(body["mark"] + "\\n")
    return {}
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_queue_messages_survive_kill_9_and_the_next_run_delivers_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    folder = tmp_path / "worker"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(QUEUE_MARKER)
    out = tmp_path / "marks.txt"
    sends: list[str] = []
    for mark in range(EVENTS):
        sends += ["--send", json.dumps({"mark": str(mark), "file": str(out)})]
    base = ["queue", str(folder), "--backend", "process", "--batch-size", "1"]
    with running_cli([*base, *sends], banner="sent", stderr_path=tmp_path / "q1.txt") as first:
        assert first.banner.startswith(f"sent {EVENTS} message(s)")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
    assert len(marks(out)) < EVENTS

    import subprocess

    from tests.support.cli_process import ROOT

    again = subprocess.run(
        [sys.executable, "-m", "workbench", *base],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    first_line = again.stdout.splitlines()[0]
    assert first_line.startswith("sent 0 message(s)") and "kept from an earlier run" in first_line
    assert marks(out) == {str(m) for m in range(EVENTS)}  # every message, at least once
    store = EventStore(tmp_path / "data" / STORE_FILE_NAME)
    try:
        assert store.messages("worker-queue") == []
    finally:
        store.close()
