"""Our Docker images: their names, labels and whether they are here (no building: see
image_build.py, image_pull.py and image_rootfs.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import docker
import docker.errors
from docker.models.images import Image

from workbench.runtimes import Runtime, image_prefix
from workbench.runtimes.python import PYTHON

Progress = Callable[[str], None]

DEFAULT_PYTHON = "3.11"
LABEL = "lambda-workbench"
RUNTIME_LABEL = f"{LABEL}.runtime"
SOURCE_LABEL = f"{LABEL}.source"
RECIPE_LABEL = f"{LABEL}.recipe"
AWS_BASE_REPO = PYTHON.aws_base_repo
NO_ENGINE_MESSAGE = (
    "No Docker engine is reachable: start one (scripts/setup-docker.sh) or use --backend process"
)
SOURCE_DETAILS = {
    "built": "built locally from Debian bookworm with mmdebstrap",
    "aws-base": "AWS's Lambda Python base image from public.ecr.aws",
    "python-slim": "the official python slim image with boto3 added",
    "python-slim-no-boto3": "the official python slim image (boto3 is missing)",
}


@dataclass(frozen=True)
class ImageChoice:
    """The runtime image to use and where it came from."""

    name: str
    source: str  # "built" | "aws-base" | "python-slim" | "existing"
    detail: str


class ImageError(Exception):
    """No usable runtime image exists and none could be pulled or built."""


def runtime_image_repo() -> str:
    """Our Python images' repository, e.g. lambda-workbench/python (LAMBDA_WORKBENCH_IMAGE_PREFIX
    changes the prefix)."""
    return f"{image_prefix()}/python"


def runtime_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return our runtime image tag for a Python version, e.g. lambda-workbench/python:3.11."""
    return f"{runtime_image_repo()}:{python}"


def aws_base_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return the name of AWS's public Lambda Python base image for a version."""
    return f"{AWS_BASE_REPO}:{python}"


def slim_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return the name of the official python slim image for a version."""
    return f"python:{python}-slim"


def docker_client_or_none(timeout: float = 3.0) -> docker.DockerClient | None:
    """Return a Docker client if an engine answers a ping within `timeout` seconds, else None."""
    try:
        client = docker.from_env(timeout=timeout)
    except Exception:
        return None
    try:
        client.ping()
    except Exception:
        with contextlib.suppress(Exception):
            client.close()
        return None
    return client


def get_image(client: docker.DockerClient, name: str) -> Image | None:
    """Return the local image called `name`, or None if it is not present."""
    try:
        return client.images.get(name)
    except docker.errors.NotFound:
        return None


def image_size_mb(image: Image) -> int:
    """Return an image's size in whole megabytes."""
    return round((image.attrs.get("Size") or 0) / 1_000_000)


def find_runtime_image(
    client: docker.DockerClient, python: str = DEFAULT_PYTHON
) -> ImageChoice | None:
    """Return the best runtime image already present locally, without pulling or building."""
    ours = get_image(client, runtime_image_name(python))
    if ours is not None:
        origin = (ours.labels or {}).get(SOURCE_LABEL, "")
        detail = SOURCE_DETAILS.get(origin, "created by an earlier run")
        return ImageChoice(runtime_image_name(python), "existing", f"already present ({detail})")
    if get_image(client, aws_base_image_name(python)) is not None:
        return ImageChoice(
            aws_base_image_name(python), "aws-base", "AWS's Lambda Python base image, found locally"
        )
    if get_image(client, slim_image_name(python)) is not None:
        return ImageChoice(
            slim_image_name(python), "python-slim", "official python slim image, found locally"
        )
    return None


def image_status(client: docker.DockerClient | None, runtime: Runtime) -> str | None:
    """For listing a runtime on Docker: "" when its image is here, a note on how to build it,
    or None when this machine can neither find nor build it."""
    if client is not None and get_image(client, runtime.image) is not None:
        return ""
    if runtime.lang.image_contents(runtime) is None:
        return None
    return f"build its image first: lambda-workbench image build --runtime {runtime.name}"
