"""The headless `lambda-workbench` command as a learner runs it: outputs, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def function_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "greeter"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(
        "import os\n"
        "count = 0\n"
        "def lambda_handler(event, context):\n"
        "    global count\n"
        "    count += 1\n"
        "    print('greeting', event.get('name'))\n"
        "    if event.get('fail'):\n"
        "        raise RuntimeError('asked to fail')\n"
        "    return {'hello': event.get('name'), 'count': count,\n"
        "            'greeting': os.environ.get('GREETING')}\n"
    )
    return folder


def test_invoke_prints_responses_on_stdout_and_logs_on_stderr(function_dir: Path):
    done = run_cli(
        "invoke",
        str(function_dir),
        "--backend",
        "process",
        "--payload",
        '{"name": "Ada"}',
        "--times",
        "2",
        "--env",
        "GREETING=Hi",
    )
    assert done.returncode == 0, done.stderr
    responses = [json.loads(line) for line in done.stdout.splitlines()]
    assert responses == [
        {"hello": "Ada", "count": 1, "greeting": "Hi"},
        {"hello": "Ada", "count": 2, "greeting": "Hi"},
    ]
    assert done.stderr.count("START RequestId:") == 2
    assert done.stderr.count("Init Duration:") == 1
    assert "greeting Ada" in done.stderr
    assert "backend: Local processes" in done.stderr


def test_a_function_error_gives_a_non_zero_exit_and_the_error_payload(function_dir: Path):
    done = run_cli("invoke", str(function_dir), "--backend", "process", "--payload", '{"fail": 1}')
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "RuntimeError" and error["errorMessage"] == "asked to fail"
    assert "[ERROR] RuntimeError: asked to fail" in done.stderr


def test_event_file_and_stdin(function_dir: Path, tmp_path: Path):
    event = tmp_path / "event.json"
    event.write_text('{"name": "Grace"}')
    from_file = run_cli("invoke", str(function_dir), "--backend", "process", "--event", str(event))
    from_stdin = run_cli(
        "invoke", str(function_dir), "--backend", "process", "--event", "-", stdin='{"name": "Bo"}'
    )
    assert json.loads(from_file.stdout)["hello"] == "Grace"
    assert json.loads(from_stdin.stdout)["hello"] == "Bo"


def test_sample_events_come_from_the_catalogue(function_dir: Path):
    done = run_cli("invoke", str(function_dir), "--backend", "process", "--sample", "hello")
    assert done.returncode == 0 and json.loads(done.stdout)["hello"] == "Ada"
    unknown = run_cli("invoke", str(function_dir), "--backend", "process", "--sample", "nope")
    assert unknown.returncode == 2 and "no sample event 'nope'" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--payload", '{"name": '], "is not valid JSON"),
        (["--memory", "100"], "memory: 100 MB is out of range: use 128 to 10,240 MB"),
        (["--timeout", "901"], "use 1 to 900 seconds"),
        (["--env", "X" * 10 + "=" + "y" * 5000], "Lambda allows 4 KB"),
        (["--env", "AWS_REGION=eu-west-1"], "AWS_REGION is reserved"),
        (["--event", "/no/such/file.json"], "cannot read the event file"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(function_dir: Path, args, message):
    done = run_cli("invoke", str(function_dir), "--backend", "process", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_handler_file_is_an_import_error_not_a_crash(tmp_path: Path):
    done = run_cli("invoke", str(tmp_path), "--backend", "process")
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'lambda_function'" in error["errorMessage"]
    assert "Phase: init" in done.stderr and "Phase: invoke" in done.stderr


def test_a_missing_folder_is_refused(tmp_path: Path):
    done = run_cli("invoke", str(tmp_path / "absent"), "--backend", "process")
    assert done.returncode == 2 and "is not a folder" in done.stderr


def test_docker_backend_without_an_engine_explains_what_to_do(function_dir: Path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "invoke", str(function_dir), "--backend", "docker"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "no Docker engine found" in done.stderr and "--backend process" in done.stderr


def test_auto_backend_falls_back_to_processes_and_says_why(function_dir: Path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "invoke", str(function_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "no Docker engine found" in done.stderr and "using local processes" in done.stderr


def test_cost_prints_the_arithmetic():
    done = run_cli(
        "cost", "--invocations", "3000000", "--duration-ms", "120.4", "--memory-mb", "512"
    )
    assert done.returncode == 0
    assert "121 ms" in done.stdout and "Total:" in done.stdout


def test_an_image_set_in_function_toml_needs_docker_too(function_dir: Path, monkeypatch):
    """function.toml's image must not be dropped silently by falling back to processes."""
    (function_dir / "function.toml").write_text('image = "some/image:1"\n')
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "invoke", str(function_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "no Docker engine found" in done.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("handler = 5", "function.toml: handler: expected a string"),
        ('environment = "x"', "function.toml: environment: expected a table"),
        ('memory = "big"', 'function.toml: memory: expected a whole number of MB, got "big"'),
    ],
)
def test_a_wrong_type_in_function_toml_is_a_message_not_a_traceback(
    function_dir: Path, line: str, message: str
):
    (function_dir / "function.toml").write_text(line + "\n")
    for command in (["invoke", str(function_dir)], ["package", "build", str(function_dir)]):
        done = run_cli(*command)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr


def test_a_setting_refused_at_deploy_is_a_message_not_a_traceback(function_dir: Path):
    """function.toml asking for provisioned concurrency (which the app writes, for alias live)
    is refused on $LATEST with AWS's words and exit 2, not a Python traceback."""
    (function_dir / "function.toml").write_text("provisioned_concurrency = 1\n")
    done = run_cli("invoke", str(function_dir), "--backend", "process")
    assert done.returncode == 2
    assert "cannot be applied to unpublished function versions" in done.stderr
    assert "Traceback" not in done.stderr
