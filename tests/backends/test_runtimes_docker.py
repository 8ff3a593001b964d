"""Node.js and custom runtimes in Docker containers: their images, and the same Runtime API.

The Node.js image is built once per machine from Debian with mmdebstrap (about 40 s), like the
Python one; later runs find it. The custom runtime's image has a shell and curl, no Python.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from workbench import runtimes
from workbench.backends import image_build, images
from workbench.backends.docker import DockerBackend
from workbench.core.errors import InvokeError
from workbench.core.events import LogLine
from workbench.core.model import FunctionConfig, load_function
from workbench.core.service import InvocationResult, LambdaService
from workbench.paths import SAMPLES_DIR
from workbench.runtimes import image_prefix
from workbench.runtimes.nodejs import DEBIAN_NODE_MAJOR

pytestmark = pytest.mark.docker

NODE = f"nodejs{DEBIAN_NODE_MAJOR}.x"  # the one Debian packages: always buildable
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
INVOKE_LIMIT_S = 30.0


@pytest.fixture(scope="session")
def node_image(docker_client) -> str:
    started = time.monotonic()
    choice = image_build.ensure_image_for_runtime(
        docker_client, NODE, allow_pull=False, progress=print
    )
    print(f"{choice.name}: {choice.source} in {time.monotonic() - started:.1f} s")
    return choice.name


@pytest.fixture(scope="session")
def provided_image(docker_client) -> str:
    choice = image_build.ensure_image_for_runtime(
        docker_client, "provided.al2023", allow_pull=False, progress=print
    )
    return choice.name


@pytest.fixture
async def service(docker_client, runtime_image) -> AsyncIterator[LambdaService]:
    async with LambdaService(DockerBackend(docker_client, runtime_image)) as service:
        yield service


async def _invoke(service: LambdaService, name: str, event: object = None) -> InvocationResult:
    payload = json.dumps({} if event is None else event).encode()
    return await asyncio.wait_for(service.invoke(name, payload), INVOKE_LIMIT_S)


def _logs(service: LambdaService, request_id: str) -> list[str]:
    return [e.text for e in service.bus.of_type(LogLine) if e.request_id == request_id]


def _function(root: Path, filename: str, source: str, **settings: object) -> FunctionConfig:
    folder = root / f"fn_{len(list(root.iterdir()))}"
    folder.mkdir()
    (folder / filename).write_text(source)
    return FunctionConfig(name=folder.name, code_dir=folder, **settings)


# --- Images -------------------------------------------------------------------------------------
def test_node_image_is_built_once_and_labelled(docker_client, node_image: str) -> None:
    assert node_image == f"{image_prefix()}/nodejs:{DEBIAN_NODE_MAJOR}"
    labels = docker_client.images.get(node_image).labels
    assert labels[images.RUNTIME_LABEL] == NODE
    assert labels[images.RECIPE_LABEL] == image_build.recipe_for(runtimes.get(NODE)).fingerprint
    version = docker_client.containers.run(
        node_image, ["node", "--version"], network_mode="none", remove=True
    )
    assert version.decode().startswith(f"v{DEBIAN_NODE_MAJOR}.")
    started = time.monotonic()
    again = image_build.ensure_image_for_runtime(docker_client, NODE, allow_pull=False)
    assert (again.source, again.name) == ("existing", node_image)
    assert time.monotonic() - started < 5


def test_provided_image_has_a_shell_and_curl_but_no_python(
    docker_client, provided_image: str
) -> None:
    out = docker_client.containers.run(
        provided_image,
        ["sh", "-c", "command -v curl; command -v python3 || echo no python"],
        network_mode="none",
        remove=True,
    )
    assert out.decode().split() == ["/usr/bin/curl", "no", "python"]


def test_docker_offers_the_runtimes_it_can_build(docker_client, node_image: str) -> None:
    status = lambda runtime: images.image_status(docker_client, runtime)  # noqa: E731
    offers = {offer.runtime.name: offer for offer in runtimes.offered("docker", status)}
    assert offers[NODE].ready
    assert "provided.al2023" in offers
    assert "python3.11" in offers


# --- Node.js ------------------------------------------------------------------------------------
async def test_node_in_a_container_serves_warm_invocations(
    service: LambdaService, node_image: str
) -> None:
    config = load_function(SAMPLES_DIR / "node-hello", runtime=NODE)
    service.deploy(config)
    first = await _invoke(service, config.name, {"name": "Ada"})
    second = await _invoke(service, config.name)
    assert first.function_error is None, first.payload
    one, two = json.loads(first.payload), json.loads(second.payload)
    assert (one["message"], two["message"]) == ("Hello, Ada!", "Hello, world!")
    assert (one["invocation_in_this_environment"], two["invocation_in_this_environment"]) == (1, 2)
    assert (first.cold, second.cold) == (True, False)
    assert first.report.init_duration_ms is not None and second.report.init_duration_ms is None
    assert [re.sub(ISO, "T", line) for line in _logs(service, first.request_id)[1:-2]] == [
        f"T\t{first.request_id}\tINFO\tHello from node-hello, invocation 1 in this environment"
    ]
    print(f"node cold {first.report}, warm {second.report}")


async def test_node_errors_in_a_container(
    service: LambdaService, node_image: str, tmp_path: Path
) -> None:
    source = "exports.handler = async () => { throw new Error('boom'); };\n"
    failing = _function(tmp_path, "index.js", source, runtime=NODE, handler="index.handler")
    service.deploy(failing)
    served = await _invoke(service, failing.name)
    error = json.loads(served.payload)
    assert served.function_error == "Unhandled"
    assert (error["errorType"], error["errorMessage"]) == ("Error", "boom")
    assert error["trace"][0] == "Error: boom"
    assert any("/var/task/index.js:1" in frame for frame in error["trace"])

    missing = _function(tmp_path, "index.js", source, runtime=NODE, handler="index.nope")
    service.deploy(missing)
    served = await _invoke(service, missing.name)
    error = json.loads(served.payload)
    assert error["errorType"] == "Runtime.HandlerNotFound"
    assert error["errorMessage"] == "index.nope is undefined or not exported"


async def test_node_on_this_machines_version(
    docker_client, service: LambdaService, runtime_image: str
) -> None:
    host = runtimes.host_node()
    if host is None or host[1] == DEBIAN_NODE_MAJOR:
        pytest.skip("no Node.js here other than Debian's: nothing more to build")
    runtime = f"nodejs{host[1]}.x"
    choice = image_build.ensure_image_for_runtime(docker_client, runtime, progress=print)
    assert choice.name == f"{image_prefix()}/nodejs:{host[1]}"
    config = load_function(SAMPLES_DIR / "node-hello", runtime=runtime)
    service.deploy(config)
    served = await _invoke(service, config.name, {"name": "Bo"})
    assert json.loads(served.payload)["message"] == "Hello, Bo!"


async def test_a_missing_runtime_image_says_how_to_build_it(
    docker_client, service: LambdaService, tmp_path: Path
) -> None:
    runtime = "nodejs22.x"
    if images.get_image(docker_client, runtimes.get(runtime).image) is not None:
        pytest.skip(f"{runtime} has an image here")
    config = _function(tmp_path, "index.js", "", runtime=runtime, handler="index.handler")
    service.deploy(config)
    with pytest.raises(InvokeError, match=r"image build --runtime nodejs22\.x"):
        await _invoke(service, config.name)


# --- The custom runtime -------------------------------------------------------------------------
async def test_shell_custom_runtime_in_a_container(
    service: LambdaService, provided_image: str
) -> None:
    # More memory buys more CPU: the shell forks curl for each call.
    config = load_function(SAMPLES_DIR / "shell-custom", memory_mb=1024)
    service.deploy(config)
    served = await _invoke(service, config.name, {"name": "Ada"})
    assert served.function_error is None, served.payload
    assert json.loads(served.payload)["event"] == {"name": "Ada"}
    assert 'Received event: {"name": "Ada"}' in _logs(service, served.request_id)
    failed = await _invoke(service, config.name, {"fail": True})
    assert failed.function_error == "Unhandled"
    assert json.loads(failed.payload)["errorType"] == "HandlerFailed"
    assert not failed.cold
    print(f"shell cold {served.report}, warm {failed.report}")


async def test_custom_runtime_without_bootstrap_in_a_container(
    service: LambdaService, provided_image: str, tmp_path: Path
) -> None:
    config = _function(
        tmp_path,
        "function.sh",
        "handler () { echo hi; }\n",
        runtime="provided.al2023",
        handler="function.handler",
    )
    service.deploy(config)
    served = await _invoke(service, config.name)
    assert json.loads(served.payload) == {
        "errorMessage": "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
        "errorType": "Runtime.InvalidEntrypoint",
    }
    assert served.report.error_type == "Runtime.InvalidEntrypoint"


# --- Images like Lambda's -----------------------------------------------------------------------
AWS_TUTORIAL = Path(__file__).resolve().parents[1] / "data" / "aws_bash_runtime"


async def test_aws_tutorial_bash_runtime_runs_verbatim_in_a_container(
    service: LambdaService, provided_image: str, tmp_path: Path
) -> None:
    """AWS's "Building a custom runtime" tutorial bootstrap, unchanged: `#!/bin/sh` then
    `set -euo pipefail` and `source`. On Amazon Linux /bin/sh is bash; in Debian it is dash,
    which answered `set: Illegal option -o pipefail` (Runtime.ExitError). Our image makes
    /bin/sh bash, as provided.al2023 has it."""
    folder = tmp_path / "bash-runtime"
    shutil.copytree(AWS_TUTORIAL, folder)
    config = FunctionConfig(
        name="bash-runtime",
        code_dir=folder,
        runtime="provided.al2023",
        handler="function.handler",
        memory_mb=1024,
    )
    service.deploy(config)
    served = await _invoke(service, config.name, {"text": "Hello"})
    assert served.function_error is None, served.payload
    assert served.payload == b'Echoing request: \'{"text": "Hello"}\''
    again = await _invoke(service, config.name, {"text": "again"})
    assert (again.cold, again.payload) == (False, b'Echoing request: \'{"text": "again"}\'')


def test_every_image_has_bash_as_bin_sh(docker_client, provided_image: str, node_image: str):
    for image in (provided_image, node_image):
        out = docker_client.containers.run(
            image,
            ["sh", "-c", "set -euo pipefail; readlink -f /bin/sh"],
            network_mode="none",
            remove=True,
        )
        assert out.decode().strip() == "/usr/bin/bash", image


async def test_node_imports_the_aws_sdk_v3_in_a_container(
    service: LambdaService, node_image: str, tmp_path: Path
) -> None:
    """Lambda's nodejs18.x and later include the AWS SDK for JavaScript v3 (AWS Developer Tools
    Blog, "Why and how you should use AWS SDK for JavaScript (v3) on Node.js 18"): an ES module
    handler imports @aws-sdk/client-s3 without packaging it, and a CommonJS one requires
    @aws-sdk/client-dynamodb; both from /var/runtime/node_modules, where Lambda keeps it."""
    esm = _function(
        tmp_path,
        "index.mjs",
        'import { S3Client, ListObjectsV2Command } from "@aws-sdk/client-s3";\n'
        "export const handler = async () => {\n"
        '  const client = new S3Client({ region: "us-east-1" });\n'
        "  return [typeof client.send, typeof ListObjectsV2Command,\n"
        '    import.meta.resolve("@aws-sdk/client-s3")];\n'
        "};\n",
        runtime=NODE,
        handler="index.handler",
    )
    cjs = _function(
        tmp_path,
        "index.js",
        'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");\n'
        "exports.handler = async () => [typeof DynamoDBClient,\n"
        '  require.resolve("@aws-sdk/client-dynamodb")];\n',
        runtime=NODE,
        handler="index.handler",
    )
    service.deploy(esm)
    service.deploy(cjs)
    served = await _invoke(service, esm.name)
    assert served.function_error is None, served.payload
    kind, command, where = json.loads(served.payload)
    assert (kind, command) == ("function", "function")
    assert where.startswith("file:///var/runtime/node_modules/@aws-sdk/client-s3/")
    served = await _invoke(service, cjs.name)
    assert served.function_error is None, served.payload
    kind, where = json.loads(served.payload)
    assert kind == "function"
    assert where.startswith("/var/runtime/node_modules/@aws-sdk/client-dynamodb/")


def test_python_image_carries_the_runtime_folders_boto3(docker_client, runtime_image: str):
    """One boto3 for both backends: the image's is the version processes get."""
    from workbench.runtimes.python import BOTO3_VERSION

    labels = docker_client.images.get(runtime_image).labels or {}
    if labels.get(images.SOURCE_LABEL) != "built":
        pytest.skip(f"{runtime_image} was not built by this recipe ({labels})")
    out = docker_client.containers.run(
        runtime_image,
        ["python3", "-c", "import boto3; print(boto3.__version__)"],
        network_mode="none",
        remove=True,
    )
    assert out.decode().strip() == BOTO3_VERSION


async def test_the_backend_banner_names_the_functions_own_image(node_image: str) -> None:
    """`invoke` on a Node.js function said "runtime image lambda-workbench/python:3.11"."""
    from workbench.backends.detect import select_backend

    selection = await select_backend("docker", runtime=NODE)
    try:
        assert f"{NODE} runs in {node_image}" in selection.reason
        assert "/python:" not in selection.reason
    finally:
        await selection.backend.close()
    # Before the function is known (the CLI's banner), every runtime's image is named with it.
    selection = await select_backend("docker")
    try:
        assert "python3.11 runs in " in selection.reason
        assert f"{NODE} in {node_image}" in selection.reason
    finally:
        await selection.backend.close()


async def test_python_312_in_a_container_has_boto3_and_nothing_else(
    docker_client, service: LambdaService, tmp_path: Path
) -> None:
    """python3.12 runs in an image holding this machine's Python 3.12 (pyenv's, built for
    Debian bookworm) in /var/lang, as Lambda's images keep it, with boto3 and nothing else."""
    runtime = runtimes.get("python3.12")
    if runtime.lang.image_contents(runtime) is None and (
        images.get_image(docker_client, runtime.image) is None
    ):
        pytest.skip("no Python 3.12 built for Debian bookworm here, and no image")
    await asyncio.to_thread(
        image_build.ensure_image_for_runtime,
        docker_client,
        "python3.12",
        allow_pull=False,
        progress=print,
    )
    config = _function(
        tmp_path,
        "lambda_function.py",
        "import sys, boto3\n\ndef lambda_handler(event, context):\n"
        "    try:\n        import requests\n        extra = 'requests importable'\n"
        "    except ImportError as exc:\n        extra = str(exc)\n"
        "    return [sys.version.split()[0][:4], sys.prefix, boto3.__version__, extra]\n",
        runtime="python3.12",
    )
    service.deploy(config)
    served = await _invoke(service, config.name)
    assert served.function_error is None, served.payload
    from workbench.runtimes.python import BOTO3_VERSION

    assert json.loads(served.payload) == [
        "3.12",
        "/var/lang",
        BOTO3_VERSION,
        "No module named 'requests'",
    ]
