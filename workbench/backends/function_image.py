"""Container image functions: build the function folder's Dockerfile into a tagged image.

The image holds the code (in /var/task) and its own runtime: the Docker backend runs its
ENTRYPOINT with the handler as argument, and does not mount the folder over /var/task for
images labelled as function images here. AWS bills init for images (it did so before
2025-08-01 too); our billing bills init for every function, so nothing differs there.
"""

from __future__ import annotations

import contextlib
import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from workbench.backends.image_pull import build_image
from workbench.backends.images import LABEL
from workbench.core.model import CONFIG_FILE_NAME, FunctionConfig, load_function
from workbench.packages.image_names import function_image_repo
from workbench.packages.limits import PackageError, check_image, package_files

Progress = Callable[[str], None]
PACKAGE_TYPE_LABEL = f"{LABEL}.package-type"  # "Image": the code is inside, mount nothing
DOCKERFILE = "Dockerfile"


@dataclass(frozen=True)
class BuiltImage:
    """A function image and the configuration that runs it."""

    tag: str
    size: int
    config: FunctionConfig


def context_digest(code_dir: Path) -> str:
    """A hash of the build context's files (names and bytes): same folder, same tag."""
    digest = hashlib.sha256()
    for relative in package_files(code_dir):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((code_dir / relative).read_bytes())
    return digest.hexdigest()[:12]


def image_tag(name: str, code_dir: Path) -> str:
    return f"{function_image_repo(name.lower())}:{context_digest(code_dir)}"


def is_function_image(attrs: dict[str, Any]) -> bool:
    """Whether an image's attributes say it was built here as a function image."""
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    return labels.get(PACKAGE_TYPE_LABEL) == "Image"


def build_function_image(
    client: docker.DockerClient,
    code_dir: Path,
    *,
    progress: Progress = lambda line: None,
    network_mode: str | None = None,
    **overrides: Any,
) -> BuiltImage:
    """Build DIR/Dockerfile, refuse it over 10 GB, and return the config that runs it.

    The handler is the image's CMD (as on AWS) unless function.toml or `overrides` set one.
    """
    base = load_function(Path(code_dir))
    code_dir = base.code_dir
    if not (code_dir / DOCKERFILE).is_file():
        raise PackageError(f"{code_dir} has no {DOCKERFILE} to build an image from", "image")
    if base.layers:
        raise PackageError(
            "container image functions cannot use layers: copy their files into the image",
            "layers",
        )
    tag = image_tag(base.name, code_dir)
    progress(f"Building {tag} from {code_dir / DOCKERFILE}…")
    labels = {LABEL: "1", PACKAGE_TYPE_LABEL: "Image", f"{LABEL}.function": base.name}
    image = build_image(
        client, tag, progress=progress, path=str(code_dir), labels=labels, network_mode=network_mode
    )
    size = int(image.attrs.get("Size") or 0)
    try:
        check_image(size)
    except PackageError:
        with contextlib.suppress(docker.errors.DockerException):
            client.images.remove(tag)  # by tag: an image shared with another tag stays
        raise
    command = (image.attrs.get("Config") or {}).get("Cmd") or []
    handler = overrides.pop("handler", None) or _handler(code_dir, base.handler, command)
    config = load_function(code_dir, image=tag, handler=handler, **overrides)
    progress(f"Built {tag} ({size / 1_000_000:,.0f} MB)")
    return BuiltImage(tag, size, config)


def _handler(code_dir: Path, default: str, command: list[str]) -> str:
    """function.toml's handler if it names one, else the image's CMD, else the default."""
    config_file = code_dir / CONFIG_FILE_NAME
    if config_file.is_file():
        data = tomllib.loads(config_file.read_text("utf-8"))  # already validated by load_function
        if "handler" in data.get("function", data):
            return default
    return str(command[0]) if command else default
