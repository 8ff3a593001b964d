"""`lambda-workbench invoke DIR`: run a function once (or N times) and print what Lambda returns."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.catalogue import CatalogueError, load_sample
from workbench.commands.function_options import (
    add_function_options,
    function_from_args,
    running_service,
    select_early,
)
from workbench.core.errors import InvokeError
from workbench.core.events import LogLine
from workbench.core.model import ConfigError

if TYPE_CHECKING:
    from workbench.backends.detect import Selection


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "invoke",
        help="invoke a function folder and print its response",
        description="Invoke a function: the response goes to stdout, its log lines to stderr.",
    )
    parser.add_argument("dir", help="the function's code folder")
    add_event_options(parser)
    parser.add_argument("--times", type=int, default=1, help="invoke N times in a row")
    add_function_options(parser)
    parser.set_defaults(func=run)


def add_event_options(parser: argparse.ArgumentParser) -> None:
    """--event FILE | --sample KEY | --payload JSON."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--event", metavar="FILE", help="event JSON file ('-' for stdin)")
    source.add_argument("--sample", metavar="KEY", help="a sample event from the catalogue")
    source.add_argument("--payload", metavar="JSON", help="the event as a JSON string")


def read_event(args: argparse.Namespace) -> bytes:
    """The event bytes from --event/--sample/--payload, checked to be JSON."""
    if args.sample:
        return json.dumps(load_sample(args.sample)).encode()
    if args.event == "-":
        text, origin = sys.stdin.read(), "standard input"
    elif args.event:
        path = Path(args.event)
        try:
            text, origin = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read the event file {path}: {exc}") from None
    else:
        text, origin = args.payload if args.payload is not None else "{}", "--payload"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the event in {origin} is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    return text.encode()


def run(args: argparse.Namespace) -> int:
    if args.times < 1:
        print("error: --times must be at least 1", file=sys.stderr)
        return 2
    try:
        config = function_from_args(args.dir, args)
        payload = read_event(args)
    except (ConfigError, ValueError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # The backend first, asking for the function's container, then the engine loads meanwhile.
    selection = select_early(args, image=config.image, runtime=config.runtime, first=config)
    return asyncio.run(_invoke(args, config, payload, selection))


async def _invoke(
    args: argparse.Namespace, config: Any, payload: bytes, selection: Selection
) -> int:
    status = 0
    async with running_service(args, selection=selection) as service:
        service.bus.subscribe(_print_log_line)
        service.deploy(config)
        for _ in range(args.times):
            try:
                result = await service.invoke(config.name, payload)
            except InvokeError as exc:
                print(f"error: {exc.error_type}: {exc.message}", file=sys.stderr)
                return 2
            sys.stdout.write(result.payload.decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
            if result.function_error:
                status = 1
    return status


def _print_log_line(event: object) -> None:
    if isinstance(event, LogLine):
        print(event.text, file=sys.stderr, flush=True)
