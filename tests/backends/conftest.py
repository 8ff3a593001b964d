"""Fixtures for tests against a real Docker engine (CI always has one: scripts/test.sh)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from workbench.backends.docker import DockerBackend
from workbench.backends.image_build import ensure_runtime_image
from workbench.backends.images import docker_client_or_none
from workbench.core.service import LambdaService


@pytest.fixture(scope="session")
def docker_client():
    """A client of the local engine; skips (or fails, in CI) when none is reachable."""
    client = docker_client_or_none(timeout=30)
    if client is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have a Docker engine: scripts/test.sh runs setup-docker.sh")
        pytest.skip("no Docker engine reachable: run scripts/setup-docker.sh to get one")
    return client


@pytest.fixture(scope="session")
def runtime_image(docker_client) -> str:
    return ensure_runtime_image(docker_client, allow_pull=False).name


@pytest.fixture
def write_function(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a handler module into a fresh function folder and return the folder."""

    def write(source: str, module: str = "lambda_function") -> Path:
        folder = tmp_path / f"fn_{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / f"{module}.py").write_text(source)
        return folder

    return write


@pytest.fixture
async def docker_service(docker_client, runtime_image) -> AsyncIterator[LambdaService]:
    backend = DockerBackend(docker_client, runtime_image)
    service = LambdaService(backend)
    async with service:
        yield service
