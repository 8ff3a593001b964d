"""`lambda-workbench serve DIR...`: serve functions on AWS's Invoke API for boto3 and the CLI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import signal
import sys
from typing import TYPE_CHECKING, Any

from workbench.commands.function_options import (
    add_function_options,
    add_server_options,
    function_from_args,
    select_early,
)
from workbench.core.model import ConfigError, FunctionConfig
from workbench.listen_address import DEFAULT_HOST, INVOKE_API_PORT, check_loopback

if TYPE_CHECKING:
    from workbench.backends.detect import Selection
    from workbench.core.event_store import EventStore

# The engine and aiohttp are imported only after the backend is chosen (select_early): the
# first container starts in the Docker engine while they load.


def register(subparsers: Any) -> None:
    """Add the `serve` command."""
    parser = subparsers.add_parser(
        "serve",
        help="serve function folders on the Lambda Invoke API (for boto3 and the AWS CLI)",
        description=(
            "Serve functions on AWS Lambda's Invoke API until Ctrl+C. Each folder becomes a "
            "function named after the folder (or the name in its function.toml). Log lines "
            "go to stderr. Accepted Event invocations are kept in the user data folder until "
            "delivered: stopped or killed with events queued, they resume on the next start. "
            "Requests from web pages (a foreign Origin or Host header) are refused."
        ),
    )
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="a function's code folder")
    add_server_options(parser, INVOKE_API_PORT, DEFAULT_HOST)
    add_function_options(parser)
    parser.set_defaults(func=run)


def load_functions(args: argparse.Namespace) -> list[FunctionConfig]:
    """One validated FunctionConfig per DIR; raises ValueError for a duplicate name."""
    configs: list[FunctionConfig] = []
    seen: dict[str, str] = {}
    for code_dir in args.dirs:
        config = function_from_args(code_dir, args)
        if config.name in seen:
            raise ValueError(
                f"two folders give the function name {config.name!r}: {seen[config.name]} and "
                f"{code_dir} (set a different name in one's function.toml)"
            )
        seen[config.name] = code_dir
        configs.append(config)
    return configs


def run(args: argparse.Namespace) -> int:
    """Run the `serve` command; returns the exit code."""
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a TCP port (0-65535)", file=sys.stderr)
        return 2
    try:
        check_loopback(args.host)
        configs = load_functions(args)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runtimes = {c.runtime for c in configs}
    selection = select_early(
        args,
        image=next((c.image for c in configs if c.image), None),
        runtime=runtimes.pop() if len(runtimes) == 1 else None,  # the banner names its image
        first=configs[0],
    )
    return asyncio.run(_serve(args, configs, selection))


def open_event_store() -> EventStore | None:
    """The store of accepted events in the user data folder; None (with a warning) if unusable."""
    from workbench.core.event_store import open_default_store

    store, warning = open_default_store()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return store


def report_pending(store: EventStore | None, remaining: int) -> None:
    """Say how many accepted events are still queued, and that they are not lost."""
    from workbench.core.event_store import pending_message

    message = pending_message(store, remaining)
    if message:
        print(message, file=sys.stderr, flush=True)


async def _serve(
    args: argparse.Namespace, configs: list[FunctionConfig], selection: Selection
) -> int:
    store = open_event_store()
    try:
        return await _serve_with(args, configs, store, selection)
    finally:
        if store is not None:
            store.close()


async def _serve_with(
    args: argparse.Namespace,
    configs: list[FunctionConfig],
    store: EventStore | None,
    selection: Selection,
) -> int:
    from workbench.commands.function_options import running_service
    from workbench.invoke_api import bound_port, start_invoke_api

    async with running_service(args, event_store=store, selection=selection) as service:
        service.bus.subscribe(_log_printer(prefix=len(configs) > 1))
        for config in configs:
            service.deploy(config)
        try:
            runner = await start_invoke_api(service, args.host, args.port)
        except OSError as exc:
            print(f"error: {_bind_error(args.host, args.port, exc)}", file=sys.stderr)
            return 1
        try:
            url = f"http://{args.host}:{bound_port(runner)}"
            print(
                f"Serving {len(configs)} function(s) on {url} — e.g. aws lambda invoke "
                f"--endpoint-url {url} --function-name {configs[0].name} out.json"
            )
            for config in configs:
                print(
                    f"  {config.name}  {config.arn}  ({config.handler}, {config.runtime}, "
                    f"{config.memory_mb} MB, {config.timeout_s} s)"
                )
            resumed = service.events_resumed  # deploy() took them over
            if resumed:
                print(f"resuming {resumed} queued event(s) accepted by an earlier run")
            sys.stdout.flush()
            await _until_stopped()
            print("stopping…", file=sys.stderr, flush=True)
        finally:
            # Stop taking requests first, then (leaving the block) stop the environments.
            await runner.cleanup()
    # Leaving the block stopped the service: what is left stays in the store.
    report_pending(store, service.pending_events())
    return 0


async def _until_stopped() -> None:
    """Wait for Ctrl+C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows' event loop; there Ctrl+C still raises KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _bind_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {host}:{port}: the port is already in use "
            "(is another `serve` running? choose another with --port)"
        )
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _log_printer(prefix: bool) -> Any:
    from workbench.core.events import LogLine

    def print_line(event: object) -> None:
        if isinstance(event, LogLine):
            text = f"[{event.function}] {event.text}" if prefix else event.text
            print(text, file=sys.stderr, flush=True)

    return print_line
