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
    parser.add_argument(
        "--open", metavar="DIR", help="with no command: open this function folder in the app"
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

        return run_app(["lambda-workbench", *([args.open] if args.open else [])])
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
