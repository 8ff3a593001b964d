"""`lambda-workbench events list|show|describe`, run as a learner runs it and as a function."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.catalogue import describe, sample_keys
from workbench.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


# ----- as a subprocess -----------------------------------------------------------------------


def test_events_list_prints_a_table_of_every_event():
    done = run_cli("events", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["KEY", "SERVICE", "TITLE"]
    listed = [line.split()[0] for line in lines[1:]]
    assert listed == sample_keys()
    s3_line = next(line for line in lines if line.startswith("s3-put "))
    assert "S3" in s3_line and describe("s3-put")["title"] in s3_line
    assert run_cli("events").stdout == done.stdout


def test_events_show_prints_indented_json_with_the_settings():
    done = run_cli(
        "events", "show", "s3-put", "--set", "key=photos/cat 1.jpg", "--set", "bucket=my-photos"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('{\n  "Records": [\n')
    item = json.loads(done.stdout)["Records"][0]
    assert item["s3"]["object"]["key"] == "photos/cat+1.jpg"
    assert item["s3"]["bucket"]["name"] == "my-photos"


def test_events_show_splits_settings_at_the_first_equals_sign():
    done = run_cli("events", "show", "apigw-rest", "--set", "query=name=Alice&x=1")
    assert done.returncode == 0, done.stderr
    event = json.loads(done.stdout)
    assert event["queryStringParameters"] == {"name": "Alice", "x": "1"}
    kinesis = json.loads(run_cli("events", "show", "kinesis", "--set", "data=hi").stdout)
    assert base64.b64decode(kinesis["Records"][0]["kinesis"]["data"]) == b"hi"


def test_two_shows_differ_in_ids():
    first = json.loads(run_cli("events", "show", "sqs").stdout)["Records"][0]
    second = json.loads(run_cli("events", "show", "sqs").stdout)["Records"][0]
    assert first["messageId"] != second["messageId"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "error: no sample event 'nope'; available: hello, s3-put"),
        (["show", "s3-put", "--set", "colour=red"], "its parameters: bucket, key, content"),
        (["show", "s3-put", "--set", "colour"], "--set expects FIELD=VALUE, got 'colour'"),
        (["show", "sqs", "--set", "receive-count=x"], "receive-count must be a whole number"),
        (["describe", "nope"], "error: no sample event 'nope'"),
    ],
)
def test_errors_go_to_stderr_with_exit_code_2(args: list[str], message: str):
    done = run_cli("events", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_events_describe_explains_the_surprise_and_parameters():
    done = run_cli("events", "describe", "s3-put")
    assert done.returncode == 0, done.stderr
    assert "URL-encoded" in done.stdout
    assert "key (string" in done.stdout and "Records[0].s3.object.key (url)" in done.stdout


def test_invoke_with_a_catalogue_sample_still_works():
    done = run_cli("invoke", "sample_functions/hello", "--backend", "process", "--sample", "s3-put")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["message"] == "Hello, world!"


def test_a_handler_reads_the_sample_as_it_would_on_aws(tmp_path: Path):
    folder = tmp_path / "reader"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(
        "from urllib.parse import unquote_plus\n"
        "def lambda_handler(event, context):\n"
        "    obj = event['Records'][0]['s3']['object']\n"
        "    return {'key': unquote_plus(obj['key']), 'size': obj['size']}\n"
    )
    done = run_cli("invoke", str(folder), "--backend", "process", "--sample", "s3-put")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"key": "uploads/hello world.txt", "size": 29}


# ----- as a function -------------------------------------------------------------------------


def test_the_command_functions_directly(capsys: pytest.CaptureFixture[str]):
    assert main(["events", "show", "sns", "--set", "message=hi", "--set", "subject=Yo"]) == 0
    sns = json.loads(capsys.readouterr().out)["Records"][0]["Sns"]
    assert (sns["Message"], sns["Subject"]) == ("hi", "Yo")

    assert main(["events", "list"]) == 0
    assert "apigw-http" in capsys.readouterr().out

    assert main(["events", "show", "apigw-http", "--set", "nope=1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: sample event 'apigw-http'")


def test_every_event_shows_through_the_cli_function(capsys: pytest.CaptureFixture[str]):
    for key in sample_keys():
        assert main(["events", "show", key]) == 0
        event = json.loads(capsys.readouterr().out)
        assert set(describe(key)["shape"]) <= set(event)
