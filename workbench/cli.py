"""The `lambda-workbench` command: the desktop app without arguments, else headless commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench import __version__
from workbench.commands import (
    api,
    bucket,
    cost,
    events,
    export,
    image,
    invoke,
    layer,
    lessons,
    load,
    package,
    queue,
    runtimes,
    schedule,
    serve,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambda-workbench",
        description="Learn AWS Lambda by doing it, on a faithful local Lambda service.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    app = parser.add_argument_group("the desktop app (no COMMAND)")
    app.add_argument(
        "--open",
        metavar="DIR",
        help="open this function folder in the app (else the last lesson, or lesson 1 first)",
    )
    app.add_argument(
        "--backend",
        dest="app_backend",
        choices=("auto", "docker", "process"),
        default=None,
        help="where the app runs environments: Docker containers or local processes "
        "(default auto: Docker when an engine and the runtime image answer)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        invoke,
        serve,
        api,
        load,
        cost,
        image,
        runtimes,
        events,
        schedule,
        queue,
        bucket,
        package,
        layer,
        export,
        lessons,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        from workbench.app import run_app

        return run_app(["lambda-workbench"], backend=args.app_backend, open_dir=args.open)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
