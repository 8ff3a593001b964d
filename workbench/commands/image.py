"""The `image` sub-command: build and list Lambda Workbench's Docker runtime images."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import docker.errors

from workbench.backends.image_build import ensure_image_for_runtime, ensure_runtime_image
from workbench.backends.images import (
    DEFAULT_PYTHON,
    LABEL,
    NO_ENGINE_MESSAGE,
    RUNTIME_LABEL,
    SOURCE_LABEL,
    ImageError,
    docker_client_or_none,
    image_size_mb,
)
from workbench.core.model import RUNTIMES


def register(subparsers: Any) -> None:
    """Add the `image` command and its `build` and `list` sub-commands to an argparse CLI."""
    parser = subparsers.add_parser(
        "image",
        help="build or list the Docker runtime image",
        description="Manage the Docker image that Lambda execution environments run in.",
    )
    parser.set_defaults(func=_usage(parser))
    commands = parser.add_subparsers(dest="image_command", metavar="{build,list}")

    build = commands.add_parser(
        "build",
        help="make sure the runtime image exists (pull it, or build it locally)",
        description="Find, pull or build the runtime image; idempotent.",
    )
    build.add_argument(
        "--python",
        default=DEFAULT_PYTHON,
        help=f"Python version of the runtime (default {DEFAULT_PYTHON})",
    )
    build.add_argument(
        "--runtime",
        choices=RUNTIMES,
        metavar="RUNTIME",
        help="build the image of this runtime instead, e.g. nodejs18.x or provided.al2023 "
        f"(one of {', '.join(RUNTIMES)})",
    )
    build.add_argument(
        "--rebuild", action="store_true", help="make a fresh image even if one already exists"
    )
    build.add_argument(
        "--no-pull", action="store_true", help="do not try to pull from a container registry"
    )
    build.set_defaults(func=run_build)

    listing = commands.add_parser("list", help="list Lambda Workbench's images")
    listing.set_defaults(func=run_list)


def _usage(parser: argparse.ArgumentParser) -> Any:
    """Return a command function that prints the `image` usage and fails."""

    def show_usage(args: argparse.Namespace) -> int:
        """Print usage for `image` without a sub-command."""
        parser.print_help(sys.stderr)
        return 2

    return show_usage


def _progress(message: str) -> None:
    """Print a progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def run_build(args: argparse.Namespace) -> int:
    """Ensure the runtime image exists; print the chosen image on stdout."""
    client = docker_client_or_none()
    if client is None:
        print(NO_ENGINE_MESSAGE, file=sys.stderr)
        return 1
    try:
        runtime = getattr(args, "runtime", None)
        rebuild = bool(getattr(args, "rebuild", False))
        allow_pull = not getattr(args, "no_pull", False)
        if runtime:
            choice = ensure_image_for_runtime(
                client, runtime, rebuild=rebuild, allow_pull=allow_pull, progress=_progress
            )
        else:
            choice = ensure_runtime_image(
                client,
                getattr(args, "python", None) or DEFAULT_PYTHON,
                rebuild=rebuild,
                allow_pull=allow_pull,
                progress=_progress,
            )
    except ImageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except docker.errors.DockerException as exc:
        print(f"error: the Docker engine failed: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print(f"{choice.name}\t{choice.source}: {choice.detail}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print Lambda Workbench's images with their size and source."""
    client = docker_client_or_none()
    if client is None:
        print(NO_ENGINE_MESSAGE, file=sys.stderr)
        return 1
    try:
        images = client.images.list(filters={"label": f"{LABEL}=1"})
    except docker.errors.DockerException as exc:
        print(f"error: the Docker engine failed: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    if not images:
        print("No Lambda Workbench images yet: run `lambda-workbench image build`.")
        return 0
    rows = [("IMAGE", "ID", "SIZE", "RUNTIME", "SOURCE")]
    for image in images:
        labels = image.labels or {}
        for tag in image.tags or ["<untagged>"]:
            rows.append(
                (
                    tag,
                    image.short_id.removeprefix("sha256:"),
                    f"{image_size_mb(image)} MB",
                    labels.get(RUNTIME_LABEL, "-"),
                    labels.get(SOURCE_LABEL, "-"),
                )
            )
    rows[1:] = sorted(rows[1:])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0
