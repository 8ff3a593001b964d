"""Tests for the Docker runtime image: finding, building, idempotence and the CLI command."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import docker  # noqa: E402
import docker.errors  # noqa: E402

from tests.support.aws_like_image import AWS_LIKE_IMAGE, ensure_aws_like_image  # noqa: E402
from workbench.backends import image_build, image_pull, images  # noqa: E402
from workbench.commands import image as image_command  # noqa: E402
from workbench.runtimes import image_prefix  # noqa: E402

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    """A client for the real Docker engine, or skip when none is reachable."""
    found = images.docker_client_or_none()
    if found is None:
        pytest.skip("No Docker engine is reachable: run scripts/setup-docker.sh")
    yield found
    found.close()


@pytest.fixture(scope="module")
def runtime(client: docker.DockerClient) -> images.ImageChoice:
    """The runtime image, built for real if it does not exist yet."""
    started = time.monotonic()
    choice = image_build.ensure_runtime_image(client, allow_pull=False, progress=print)
    print(f"ensure_runtime_image took {time.monotonic() - started:.1f} s: {choice}")
    return choice


def _run(client: docker.DockerClient, image: str, command: list[str], **kwargs: object) -> str:
    """Run a throwaway container without network and return its output."""
    output = client.containers.run(
        image,
        command,
        network_mode="none",
        labels={images.LABEL: "1"},
        remove=True,
        **kwargs,
    )
    return output.decode().strip()


def test_runtime_image_runs_python_with_boto3(
    client: docker.DockerClient, runtime: images.ImageChoice
) -> None:
    assert runtime.name == images.runtime_image_name() == f"{image_prefix()}/python:3.11"
    assert runtime.source in {"built", "aws-base", "python-slim", "existing"}
    version = _run(client, runtime.name, ["python3", "-c", "import boto3, sys; print(sys.version)"])
    assert version.startswith("3.11"), version
    labels = client.images.get(runtime.name).labels
    assert labels[images.LABEL] == "1"
    assert labels[images.RUNTIME_LABEL] == "python3.11"


def test_runtime_image_layout(client: docker.DockerClient, runtime: images.ImageChoice) -> None:
    config = client.images.get(runtime.name).attrs["Config"]
    assert config["WorkingDir"] == "/var/task"
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["LAMBDA_TASK_ROOT"] == "/var/task"
    assert env["PATH"].startswith("/var/lang/bin:")
    out = _run(
        client,
        runtime.name,
        ["sh", "-c", "test -d /var/task && test -d /var/runtime && test -d /tmp && pwd"],
    )
    assert out == "/var/task"


def test_second_call_is_idempotent_and_fast(
    client: docker.DockerClient, runtime: images.ImageChoice
) -> None:
    before = client.images.get(runtime.name).id
    messages: list[str] = []
    started = time.monotonic()
    again = image_build.ensure_runtime_image(client, allow_pull=False, progress=messages.append)
    elapsed = time.monotonic() - started
    print(f"idempotent ensure_runtime_image took {elapsed:.3f} s")
    assert again.source == "existing"
    assert again.name == runtime.name
    assert client.images.get(runtime.name).id == before
    assert elapsed < 5
    assert not any(message.startswith("Building") for message in messages), messages


def test_find_runtime_image_finds_it(
    client: docker.DockerClient, runtime: images.ImageChoice
) -> None:
    found = images.find_runtime_image(client)
    assert found is not None
    assert found.name == runtime.name
    assert found.source == "existing"
    assert images.find_runtime_image(client, "0.0-wb-missing") is None


def test_unreachable_pull_fails_fast_and_falls_through(client: docker.DockerClient) -> None:
    python = "0.0.0-wb-missing"
    messages: list[str] = []
    started = time.monotonic()
    with pytest.raises(images.ImageError, match=r"Cannot build a Python 0\.0\.0-wb-missing"):
        image_build.ensure_runtime_image(client, python, progress=messages.append)
    elapsed = time.monotonic() - started
    print(f"failed pulls + refusal took {elapsed:.3f} s: {messages}")
    assert elapsed < 2 * image_pull.PULL_IDLE_TIMEOUT + 10
    assert f"Pulling {images.aws_base_image_name(python)}…" in messages
    assert f"Pulling {images.slim_image_name(python)}…" in messages
    assert sum("failed" in message for message in messages) == 2, messages


def test_try_pull_of_unknown_image_returns_false(client: docker.DockerClient) -> None:
    messages: list[str] = []
    started = time.monotonic()
    ok = image_pull.try_pull(
        client, "lambda-workbench.invalid/none:0", progress=messages.append, idle_timeout=5
    )
    assert ok is False
    assert time.monotonic() - started < 10
    assert "failed" in messages[-1]


def test_aws_like_image_imports_awslambdaric(
    client: docker.DockerClient, runtime: images.ImageChoice
) -> None:
    tag = ensure_aws_like_image(client, progress=print, allow_pull=False)
    assert tag == AWS_LIKE_IMAGE
    image = client.images.get(tag)
    assert image.labels[images.LABEL] == "1"
    assert image.attrs["Config"]["Entrypoint"] == ["/lambda-entrypoint.sh"]
    out = _run(client, tag, ["-c", "import awslambdaric; print('ok')"], entrypoint=["python3"])
    assert out == "ok"
    bootstrap = _run(client, tag, ["/var/runtime/bootstrap"], entrypoint=["cat"])
    assert 'exec /usr/bin/python3 -m awslambdaric "$_HANDLER"' in bootstrap
    with pytest.raises(docker.errors.ContainerError) as failure:
        _run(client, tag, [])  # AWS's entrypoint demands exactly one argument
    assert failure.value.exit_status == 142
    started = time.monotonic()
    assert ensure_aws_like_image(client, progress=print, allow_pull=False) == tag
    assert client.images.get(tag).id == image.id
    assert time.monotonic() - started < 10


def _parser() -> argparse.ArgumentParser:
    """A CLI parser with only the image command registered."""
    parser = argparse.ArgumentParser(prog="lambda-workbench")
    image_command.register(parser.add_subparsers(dest="command"))
    return parser


def test_image_build_command(
    runtime: images.ImageChoice, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(["image", "build", "--no-pull"])
    assert args.python == images.DEFAULT_PYTHON
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(runtime.name)
    assert "Looking for a runtime image" in captured.err

    namespace = argparse.Namespace(python="3.11", rebuild=False, no_pull=True)
    assert image_command.run_build(namespace) == 0
    assert runtime.name in capsys.readouterr().out


def test_image_build_command_explains_failure(
    client: docker.DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(["image", "build", "--python", "0.0.0-wb-missing", "--no-pull"])
    assert args.func(args) == 1
    captured = capsys.readouterr()
    assert "error: Cannot build a Python 0.0.0-wb-missing runtime image" in captured.err
    assert "Traceback" not in captured.err


def test_image_list_command(
    runtime: images.ImageChoice, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(["image", "list"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert runtime.name in out
    assert "MB" in out


def test_image_commands_without_engine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(image_command, "docker_client_or_none", lambda timeout=3.0: None)
    for argv in (["image", "build"], ["image", "list"]):
        args = _parser().parse_args(argv)
        assert args.func(args) == 1
        assert images.NO_ENGINE_MESSAGE in capsys.readouterr().err


def test_docker_client_or_none_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    started = time.monotonic()
    assert images.docker_client_or_none(timeout=1.0) is None
    assert time.monotonic() - started < 5
