"""Popular Lambda libraries run unchanged behind `lambda-workbench api` (issue 12): Powertools
for AWS Lambda (Logger, Metrics, the HTTP API event handler) and an ASGI app behind Mangum.

The libraries are pinned and installed from PyPI at test time into the function's own folder
— its deployment package, as on AWS, since the runtime provides boto3 and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from tests.support.cli_process import free_port, running_cli

WAIT = 30.0
PACKAGES = {
    "powertools": ["aws-lambda-powertools==3.37.0"],
    "mangum": ["mangum==0.22.0", "starlette==1.10.0"],
}
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lambda-workbench-tests"

POWERTOOLS_APP = """
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="greetings")
metrics = Metrics(namespace="Workbench", service="greetings")
app = APIGatewayHttpResolver()


@app.get("/hello/<name>")
def hello(name):
    logger.info("greeting someone", extra={"who": name})
    metrics.add_metric(name="Greetings", unit=MetricUnit.Count, value=1)
    return {"message": f"Hello, {name}!"}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
"""

MANGUM_APP = """
from mangum import Mangum
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request):
    return JSONResponse({"hello": request.query_params.get("name", "world"), "asgi": True})


handler = Mangum(Starlette(routes=[Route("/hello", hello)]), lifespan="off")
"""


def package(kind: str, tmp_path: Path, code: str, handler: str) -> Path:
    """A function folder with `code` and its pinned libraries (installed once, then copied)."""
    wanted = PACKAGES[kind]
    cached = CACHE / "third-party" / "-".join(p.replace("==", "_") for p in wanted)
    if not (cached / ".complete").exists():
        shutil.rmtree(cached, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--target", str(cached), *wanted],
            check=True, timeout=300,
        )  # fmt: skip
        (cached / ".complete").touch()
    folder = tmp_path / kind
    shutil.copytree(cached, folder, ignore=shutil.ignore_patterns(".complete"))
    (folder / "app.py").write_text(textwrap.dedent(code))
    (folder / "function.toml").write_text(f'handler = "{handler}"\nmemory = 512\ntimeout = 10\n')
    return folder


def get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return response.status, json.loads(response.read())


def test_powertools_logger_metrics_and_event_handler_behind_api(tmp_path: Path) -> None:
    folder = package("powertools", tmp_path, POWERTOOLS_APP, "app.lambda_handler")
    port, stderr = free_port(), tmp_path / "stderr.txt"
    args = ["api", str(folder), "--backend", "process", "--port", str(port)]
    with running_cli(args, banner="API on", stderr_path=stderr, wait_s=WAIT):
        status, body = get(f"http://127.0.0.1:{port}/hello/Ada")
    assert (status, body) == (200, {"message": "Hello, Ada!"})
    lines = [json.loads(line) for line in stderr.read_text().splitlines() if line.startswith("{")]
    logged = next(line for line in lines if line.get("message") == "greeting someone")
    # inject_lambda_context read the real context object: name, memory, request id, cold start
    assert logged["who"] == "Ada" and logged["function_name"] == folder.name
    # a string, as awslambdaric passes it (read from AWS_LAMBDA_FUNCTION_MEMORY_SIZE)
    assert logged["function_memory_size"] == "512" and logged["cold_start"] is True
    assert logged["function_request_id"]
    emf = next(line for line in lines if "_aws" in line)  # CloudWatch embedded metric format
    assert emf["Greetings"] == [1.0] or emf["Greetings"] == 1.0
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Workbench"


def test_an_asgi_app_behind_mangum_behind_api(tmp_path: Path) -> None:
    folder = package("mangum", tmp_path, MANGUM_APP, "app.handler")
    port, stderr = free_port(), tmp_path / "stderr.txt"
    args = ["api", str(folder), "--backend", "process", "--port", str(port)]
    with running_cli(args, banner="API on", stderr_path=stderr, wait_s=WAIT):
        status, body = get(f"http://127.0.0.1:{port}/hello?name=Grace")
    assert (status, body) == (200, {"hello": "Grace", "asgi": True})


@pytest.mark.parametrize("kind", sorted(PACKAGES))
def test_the_libraries_are_not_importable_without_packaging(kind: str, tmp_path: Path) -> None:
    """The runtime gives boto3 only: without its package the same code is ImportModuleError."""
    folder = tmp_path / kind
    folder.mkdir()
    (folder / "app.py").write_text(POWERTOOLS_APP if kind == "powertools" else MANGUM_APP)
    handler = "app.lambda_handler" if kind == "powertools" else "app.handler"
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "invoke", str(folder), "--backend", "process",
         "--handler", handler],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Runtime.ImportModuleError" in done.stdout + done.stderr
