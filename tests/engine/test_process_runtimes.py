"""Process runtimes see only what Lambda gives them, and custom runtimes run as on Amazon Linux.

A Lambda Python runtime imports the function's own packages, its layers and boto3 (python-
package.html: "The Lambda Python runtimes include the AWS SDK for Python (Boto3) and its
dependencies"); anything else is `Runtime.ImportModuleError` (LAMBDA_FACTS A3). Node.js 18+
includes the AWS SDK for JavaScript v3 (AWS Developer Tools Blog, "Why and how you should use
AWS SDK for JavaScript (v3) on Node.js 18"). The first run installs both into the runtime folder
(tests/conftest.py points it at a cache), so the first session needs PyPI and npm.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, body, invoke, log_texts, write_function

from workbench.backends.process import ProcessBackend
from workbench.core.model import FunctionConfig
from workbench.core.sandbox import SandboxError, SandboxSpec
from workbench.runtimes import host, python
from workbench.runtimes.nodejs import SDK_VERSION

ROOT = Path(__file__).resolve().parents[2]
AWS_TUTORIAL = ROOT / "tests" / "data" / "aws_bash_runtime"
NODE = "nodejs20.x"
needs_node20 = pytest.mark.skipif(
    host.host_node() is None or host.host_node()[1] != 20, reason="needs this machine's Node.js 20"
)

IMPORTS = """
import importlib

def lambda_handler(event, context):
    found = {}
    for name in event["modules"]:
        try:
            module = importlib.import_module(name)
            found[name] = getattr(module, "__version__", "?")
        except ImportError as exc:
            found[name] = f"ImportError: {exc}"
    return found
"""


async def test_unpackaged_requests_is_an_import_module_error(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """`import requests` without packaging it fails init as on Lambda, although the
    workbench's own virtualenv has requests (it used to pass: a false pass)."""
    assert importlib.util.find_spec("requests") is not None  # the host has it
    config = write_function(
        tmp_path, "import requests\n\ndef lambda_handler(e, c):\n    return 1\n"
    )
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, config.name)
    error = body(served)
    assert served.function_error == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"] == (
        "Unable to import module 'lambda_function': No module named 'requests'"
    )


async def test_packaged_requests_imports(make_service: ServiceFactory, tmp_path: Path) -> None:
    """The same function with requests copied into its folder (as `pip install -t .` would)."""
    config = write_function(
        tmp_path,
        "import requests\n\ndef lambda_handler(e, c):\n    return requests.__file__\n",
    )
    for name in ("requests", "urllib3", "idna", "charset_normalizer", "certifi"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        shutil.copytree(Path(spec.origin).parent, config.code_dir / name)
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, config.name)
    assert served.function_error is None, served.payload
    assert body(served) == str(config.code_dir / "requests" / "__init__.py")


async def test_boto3_is_there_and_nothing_of_the_workbench(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    config = write_function(tmp_path, IMPORTS)
    service = await make_service()
    service.deploy(config)
    modules = ["boto3", "botocore", "yaml", "PySide6", "workbench", "docker", "pydantic"]
    served = await invoke(service, config.name, {"modules": modules})
    found = body(served)
    assert found["boto3"] == python.BOTO3_VERSION
    assert found["botocore"] != "?" and not found["botocore"].startswith("ImportError")
    for name in modules[2:]:
        assert found[name] == f"ImportError: No module named '{name}'", found


async def test_python_runs_isolated_from_python_variables(
    make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PYTHONPATH set where the workbench runs reaches no runtime (-I), nor does the user's
    site-packages: the handler's sys.path is the function, layers, boto3 and the stdlib."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    config = write_function(
        tmp_path, "import sys\n\ndef lambda_handler(e, c):\n    return sys.path\n"
    )
    service = await make_service()
    service.deploy(config)
    path = body(await invoke(service, config.name))
    assert path[0] == str(config.code_dir)
    assert str(ROOT) not in path
    assert not any("site-packages" in entry and ".venv" in entry for entry in path), path
    assert not any(entry.endswith("dist-packages") for entry in path), path


async def test_another_python_from_pyenv_runs_if_installed(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """python3.12 runs on its own interpreter (PATH or pyenv's versions folder), with boto3."""
    if host.host_python("3.12") is None:
        pytest.skip("no Python 3.12 on this machine")
    config = write_function(
        tmp_path,
        "import sys, boto3\n\ndef lambda_handler(e, c):\n"
        "    return ['%d.%d' % sys.version_info[:2], boto3.__version__]\n",
        runtime="python3.12",
    )
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, config.name)
    assert body(served) == ["3.12", python.BOTO3_VERSION], served.payload


def test_a_missing_interpreter_says_which_and_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pyenv shim for a version that is not installed exits 127: that is no interpreter."""
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3.13"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{shims}:{os.environ['PATH']}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    host._working_python.cache_clear()
    try:
        config = FunctionConfig(name="fn", code_dir=tmp_path, runtime="python3.13")
        with pytest.raises(SandboxError) as caught:
            ProcessBackend().runtime_command(SandboxSpec("env", config, "127.0.0.1:9"))
    finally:
        host._working_python.cache_clear()
    message = str(caught.value)
    assert "Python 3.13 is not installed here" in message
    assert f"{shim}, which does not run: a pyenv shim" in message
    assert "pyenv install 3.13" in message and "Docker backend" in message


async def test_aws_tutorial_bash_runtime_runs_verbatim(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """AWS's "Building a custom runtime" tutorial bootstrap (`#!/bin/sh`, `set -euo pipefail`,
    `source`), unchanged, on a host whose /bin/sh may be dash: it runs with bash, as on Amazon
    Linux, where /bin/sh is bash."""
    folder = tmp_path / "bash-runtime"
    shutil.copytree(AWS_TUTORIAL, folder)
    config = FunctionConfig(
        name="bash-runtime", code_dir=folder, runtime="provided.al2023", handler="function.handler"
    )
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, config.name, {"text": "Hello"})
    assert served.function_error is None, served.payload
    assert served.payload == b'Echoing request: \'{"text": "Hello"}\''
    assert '{"text": "Hello"}' in log_texts(service, served.request_id)


@needs_node20
async def test_node_imports_the_aws_sdk_v3_without_packaging(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """An ES module and a CommonJS handler both get @aws-sdk/* from the runtime, as on Lambda."""
    esm = write_function(
        tmp_path,
        'import { S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";\n'
        'import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";\n'
        "export const handler = async () => [typeof S3Client, typeof ListBucketsCommand,\n"
        "  typeof DynamoDBDocumentClient];\n",
        name="esm",
        filename="index.mjs",
        runtime=NODE,
        handler="index.handler",
    )
    cjs = write_function(
        tmp_path,
        'const { SQSClient } = require("@aws-sdk/client-sqs");\n'
        'const pkg = require("@aws-sdk/client-sqs/package.json");\n'
        "exports.handler = async () => [typeof SQSClient, pkg.version];\n",
        name="cjs",
        filename="index.js",
        runtime=NODE,
        handler="index.handler",
    )
    service = await make_service()
    service.deploy(esm)
    service.deploy(cjs)
    served = await invoke(service, "esm")
    assert body(served) == ["function", "function", "function"], served.payload
    served = await invoke(service, "cjs")
    assert body(served) == ["function", SDK_VERSION], served.payload


@needs_node20
async def test_node_without_the_package_is_still_an_import_error(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Only the SDK is provided: another package the function lacks still fails init."""
    config = write_function(
        tmp_path,
        'import left from "left-pad";\nexport const handler = async () => left("1", 3);\n',
        filename="index.mjs",
        runtime=NODE,
        handler="index.handler",
    )
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, config.name)
    assert served.function_error == "Unhandled"
    assert "left-pad" in body(served)["errorMessage"]
