"""Build a test image laid out like AWS's Lambda Python base image (awslambdaric + entrypoint)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from workbench.backends.image_build import ensure_runtime_image
from workbench.backends.image_pull import build_image
from workbench.backends.images import LABEL, SOURCE_LABEL, ImageError, get_image
from workbench.runtimes import image_prefix

AWS_LIKE_IMAGE = f"{image_prefix()}/aws-like-python:3.11"  # LAMBDA_WORKBENCH_IMAGE_PREFIX
RECIPE_LABEL = f"{LABEL}.recipe"
PYTHON_VERSION = "3.11"

LAMBDA_ENTRYPOINT = """\
#!/bin/sh
# Copyright 2020 Amazon.com, Inc. or its affiliates. All Rights Reserved.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT
else
  exec $RUNTIME_ENTRYPOINT
fi
"""

BOOTSTRAP = """\
#!/bin/sh
exec /usr/bin/python3 -m awslambdaric "$_HANDLER"
"""

DOCKERFILE = """\
FROM {base}
COPY wheels /wheels
RUN python3 -m pip install --no-index --find-links /wheels --break-system-packages \\
        --disable-pip-version-check --no-cache-dir --root-user-action=ignore awslambdaric \\
    && rm -rf /wheels \\
    && {{ [ -x /usr/bin/python3 ] || ln -s "$(command -v python3)" /usr/bin/python3; }}
COPY lambda-entrypoint.sh /lambda-entrypoint.sh
COPY bootstrap /var/runtime/bootstrap
RUN chmod 0755 /lambda-entrypoint.sh /var/runtime/bootstrap
WORKDIR /var/task
ENTRYPOINT ["/lambda-entrypoint.sh"]
"""

_PLATFORMS = {
    "x86_64": "manylinux2014_x86_64",
    "amd64": "manylinux2014_x86_64",
    "aarch64": "manylinux2014_aarch64",
    "arm64": "manylinux2014_aarch64",
}


def wheels_dir() -> Path:
    """Return the host cache directory holding awslambdaric's wheels."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambda-workbench" / "wheels"


def download_wheels(progress: Callable[[str], None] = print) -> Path:
    """Download awslambdaric and its dependencies as wheels on the host (cached)."""
    dest = wheels_dir()
    if any(dest.glob("awslambdaric-*.whl")):
        progress(f"Using cached awslambdaric wheels in {dest}")
        return dest
    machine = platform.machine().lower()
    wheel_platform = _PLATFORMS.get(machine)
    if wheel_platform is None:
        raise ImageError(f"No awslambdaric wheels for this machine architecture ({machine})")
    dest.mkdir(parents=True, exist_ok=True)
    progress(f"Downloading awslambdaric wheels for {wheel_platform} into {dest}…")
    command = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
        "--only-binary=:all:", "--python-version", PYTHON_VERSION, "--platform", wheel_platform,
        "--dest", str(dest), "awslambdaric",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not any(dest.glob("awslambdaric-*.whl")):
        raise ImageError(
            f"pip download awslambdaric failed (exit {result.returncode}):\n"
            f"{result.stderr.strip()[-2000:]}"
        )
    return dest


def ensure_aws_like_image(
    client: docker.DockerClient,
    progress: Callable[[str], None] = print,
    *,
    allow_pull: bool = True,
) -> str:
    """Build (once) an image laid out like AWS's Lambda Python base image; return its tag."""
    runtime = ensure_runtime_image(client, PYTHON_VERSION, allow_pull=allow_pull, progress=progress)
    base = client.images.get(runtime.name)
    dockerfile = DOCKERFILE.format(base=runtime.name)
    recipe = hashlib.sha256(
        "\0".join([base.id, dockerfile, LAMBDA_ENTRYPOINT, BOOTSTRAP]).encode()
    ).hexdigest()[:16]
    existing = get_image(client, AWS_LIKE_IMAGE)
    if existing is not None and (existing.labels or {}).get(RECIPE_LABEL) == recipe:
        progress(f"Using {AWS_LIKE_IMAGE} (already built on {runtime.name})")
        return AWS_LIKE_IMAGE
    wheels = download_wheels(progress)
    progress(f"Building {AWS_LIKE_IMAGE} from {runtime.name}…")
    with tempfile.TemporaryDirectory(prefix="lambda-workbench-aws-like-") as tmp:
        context = Path(tmp)
        shutil.copytree(wheels, context / "wheels")
        for name, text in (("lambda-entrypoint.sh", LAMBDA_ENTRYPOINT), ("bootstrap", BOOTSTRAP)):
            script = context / name
            script.write_text(text)
            script.chmod(0o755)
        (context / "Dockerfile").write_text(dockerfile)
        labels = {LABEL: "1", SOURCE_LABEL: "aws-like-test", RECIPE_LABEL: recipe}
        build_image(
            client,
            AWS_LIKE_IMAGE,
            progress=progress,
            path=str(context),
            labels=labels,
            network_mode="none",
        )
    if existing is not None:
        _remove_if_untagged(client, existing.id)
    _check_awslambdaric(client)
    progress(f"Built {AWS_LIKE_IMAGE}")
    return AWS_LIKE_IMAGE


def _check_awslambdaric(client: docker.DockerClient) -> None:
    """Fail unless awslambdaric imports inside the freshly built image."""
    try:
        client.containers.run(
            AWS_LIKE_IMAGE,
            entrypoint=["python3", "-c", "import awslambdaric"],
            network_mode="none",
            labels={LABEL: "1"},
            remove=True,
        )
    except docker.errors.ContainerError as exc:
        raise ImageError(f"awslambdaric does not import in {AWS_LIKE_IMAGE}: {exc}") from exc


def _remove_if_untagged(client: docker.DockerClient, image_id: str) -> None:
    """Remove a replaced image if no tag points at it any more."""
    stale = get_image(client, image_id)
    if stale is not None and not stale.tags:
        with contextlib.suppress(docker.errors.DockerException):
            client.images.remove(stale.id)
