"""Container image functions and layers on real Docker: built from a Dockerfile, run, refused."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest

from tests.support.aws_like_image import AWS_LIKE_IMAGE, ensure_aws_like_image
from workbench.backends.docker import DockerBackend
from workbench.backends.function_image import build_function_image
from workbench.backends.images import get_image
from workbench.core.events import LogLine
from workbench.core.model import load_function
from workbench.core.service import LambdaService
from workbench.packages import limits
from workbench.packages.layers import publish_layer
from workbench.packages.limits import PackageError
from workbench.paths import SAMPLES_DIR
from workbench.runtimes import image_prefix

pytestmark = pytest.mark.docker

APP = """\
import sys
import baked  # written into /var/task by the Dockerfile: only the image has it


def handler(event, context):
    return {"where": baked.WHERE, "client": "awslambdaric" in sys.modules,
            "arn": context.invoked_function_arn}
"""
DOCKERFILE = f"""\
FROM {AWS_LIKE_IMAGE}
COPY app.py /var/task/
RUN echo 'WHERE = "baked into the image"' > /var/task/baked.py
CMD ["app.handler"]
"""


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def aws_like(docker_client) -> str:
    """The local image laid out like AWS's base image (awslambdaric behind its entrypoint)."""
    return ensure_aws_like_image(docker_client, lambda _: None, allow_pull=False)


def image_folder(root: Path, name: str, dockerfile: str = DOCKERFILE) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "app.py").write_text(APP)
    (folder / "Dockerfile").write_text(textwrap.dedent(dockerfile))
    return folder


async def test_an_image_built_from_a_dockerfile_runs_with_its_own_runtime_client(
    docker_client, runtime_image, aws_like, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path, "imagefn")
    progress: list[str] = []
    built = await asyncio.to_thread(
        build_function_image, docker_client, folder, progress=progress.append, network_mode="none"
    )
    assert built.tag.startswith(f"{image_prefix()}/fn-imagefn:")
    assert built.config.image == built.tag and built.config.handler == "app.handler"  # its CMD
    assert any("Step" in line or "COPY" in line for line in progress), progress
    again = await asyncio.to_thread(build_function_image, docker_client, folder)
    assert again.tag == built.tag  # same folder, same tag
    service = LambdaService(DockerBackend(docker_client, runtime_image))
    async with service:
        service.deploy(built.config)
        cold = await asyncio.wait_for(service.invoke("imagefn", b"{}"), 60)
        warm = await asyncio.wait_for(service.invoke("imagefn", b"{}"), 30)
    assert cold.function_error is None, cold.payload
    result = json.loads(cold.payload)
    assert result["where"] == "baked into the image"  # /var/task is the image's, not a mount
    assert result["client"] is True and result["arn"].endswith(":function:imagefn")
    assert cold.report.init_duration_ms is not None and cold.report.init_duration_ms > 0
    assert warm.report.init_duration_ms is None
    reports = [e.text for e in service.bus.of_type(LogLine) if e.text.startswith("REPORT")]
    assert "Init Duration:" in reports[0]


async def test_an_image_over_the_limit_is_refused_and_removed(
    docker_client, aws_like, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "IMAGE_LIMIT", 1_000_000)  # a 10 GB image is too big to build
    folder = image_folder(tmp_path, "hugefn", f'FROM {AWS_LIKE_IMAGE}\nCMD ["app.handler"]\n')
    with pytest.raises(PackageError, match="Lambda allows 10 GB for a container image"):
        await asyncio.to_thread(build_function_image, docker_client, folder)
    leftovers = docker_client.images.list(name=f"{image_prefix()}/fn-hugefn")
    assert leftovers == []
    assert get_image(docker_client, aws_like) is not None  # the base image is untouched


async def test_a_layer_is_mounted_at_opt_for_two_functions(docker_service) -> None:
    publish_layer("shared", SAMPLES_DIR / "layer-demo" / "layers" / "shared")
    replies = {}
    for folder in ("greeter", "farewell"):
        config = load_function(SAMPLES_DIR / "layer-demo" / folder)
        docker_service.deploy(config)
        served = await asyncio.wait_for(docker_service.invoke(config.name, b'{"name": "Bo"}'), 60)
        assert served.function_error is None, served.payload
        replies[folder] = json.loads(served.payload)
    assert replies["greeter"] == {"message": "Hello, Bo!", "helper_from": "/opt/python"}
    assert replies["farewell"]["helper_from"] == "/opt/python"
