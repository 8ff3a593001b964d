"""The `runtimes` command: which runtimes exist here, on each backend, and what they provide."""

from __future__ import annotations

import argparse
from typing import Any

from workbench import runtimes


def register(subparsers: Any) -> None:
    """Add the `runtimes` command to an argparse CLI."""
    parser = subparsers.add_parser(
        "runtimes",
        help="list the runtimes and whether each runs here, on processes and on Docker",
        description="List the Lambda runtimes the workbench knows and what this machine has "
        "for each: an interpreter for the process backend, an image for the Docker backend.",
    )
    parser.add_argument(
        "--no-docker", action="store_true", help="do not ask a Docker engine about images"
    )
    parser.set_defaults(func=run)


def _docker_column(no_docker: bool) -> Any:
    """A function runtime → what Docker has for it (the engine is asked once, if at all)."""
    if no_docker:
        return lambda runtime: "not checked"
    from workbench.backends.images import docker_client_or_none, image_status

    client = docker_client_or_none()
    if client is None:
        return lambda runtime: "no Docker engine"

    def column(runtime: runtimes.Runtime) -> str:
        status = image_status(client, runtime)
        if status is None:
            return "cannot be built here"
        return f"ready ({runtime.image})" if status == "" else "image not built yet"

    return column


def run(args: argparse.Namespace) -> int:
    """Print one row per runtime; a note says what is missing and how to get it."""
    docker = _docker_column(bool(getattr(args, "no_docker", False)))
    rows = [("RUNTIME", "LANGUAGE", "PROCESSES", "DOCKER")]
    notes: list[str] = []
    for runtime in sorted(runtimes.CATALOGUE.values(), key=runtimes.listing_order):
        missing = runtimes.process_availability(runtime)
        if missing:
            notes.append(f"{runtime.name}: {missing}")
        rows.append(
            (
                runtime.name,
                runtime.language,
                "no (see below)" if missing else "ready",
                docker(runtime),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if notes:
        print()
        print("\n".join(notes))
    print(
        "\nDocker images: lambda-workbench image build --runtime RUNTIME. Processes get boto3 "
        "(Python) and the AWS SDK v3 (Node.js 18+) from the runtime folder, installed on first "
        "use, as Lambda's runtimes provide them."
    )
    return 0
