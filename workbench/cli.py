"""The `lambda-workbench` command: the desktop app without arguments, else headless commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from workbench import __version__
from workbench.commands import command_table

APP_OPTIONS_WITH_VALUES = ("--open", "--backend")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named in argv, without parsing it (its module is the only one loaded)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in APP_OPTIONS_WITH_VALUES:
            skip = True
        elif not token.startswith("-"):
            return token if token in command_table() else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; only the chosen sub-command's module is imported (all of them when
    argv is None, as tests and documentation tools ask for)."""
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
    chosen = chosen_command(argv) if argv is not None else None
    for name, summary in command_table().items():
        if argv is None or name == chosen:
            importlib.import_module(f"workbench.commands.{name}").register(commands)
        else:
            commands.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    if not getattr(args, "func", None):
        from workbench.app import run_app

        return run_app(["lambda-workbench"], backend=args.app_backend, open_dir=args.open)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ValueError as exc:
        # A setting refused when a command deploys (e.g. provisioned concurrency on $LATEST,
        # written by the app): a message, never a traceback. Imported here to keep --help light.
        from workbench.core.model import ConfigError

        if not isinstance(exc, ConfigError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
