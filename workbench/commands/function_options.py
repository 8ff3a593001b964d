"""The options every command that runs a function takes, and turning them into a running service."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.clock import TeachingClock
from workbench.core.lifecycle import DEFAULT_IDLE_TIMEOUT_S
from workbench.core.model import FunctionConfig, load_function, parse_env_assignments
from workbench.packages.zips import check_function, import_zip

if TYPE_CHECKING:
    from workbench.backends.detect import Selection
    from workbench.core.event_store import EventStore
    from workbench.core.service import LambdaService


def add_function_options(parser: argparse.ArgumentParser) -> None:
    """--handler, --memory, --timeout, --backend, --image, --env, --layer, --idle-timeout."""
    group = parser.add_argument_group("function options")
    group.add_argument("--handler", help="module.function (default lambda_function.lambda_handler)")
    group.add_argument("--memory", type=int, help="memory in MB, 128-10240 (default 128)")
    group.add_argument("--timeout", type=int, help="timeout in seconds, 1-900 (default 3)")
    group.add_argument(
        "--ephemeral-storage", type=int, help="/tmp size in MB, 512-10240 (default 512)"
    )
    group.add_argument("--arch", choices=["x86_64", "arm64"], help="architecture, for pricing")
    group.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="environment variable"
    )
    group.add_argument(
        "--layer",
        action="append",
        default=[],
        metavar="NAME:N",
        help="a published layer version, merged into /opt (repeatable, up to 5; replaces "
        "function.toml's layers)",
    )
    group.add_argument(
        "--backend",
        choices=["auto", "docker", "process"],
        default="auto",
        help="where environments run (default: Docker if an engine answers, else processes)",
    )
    group.add_argument("--image", help="run environments from this image, e.g. AWS's base image")
    group.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_TIMEOUT_S,
        metavar="SECONDS",
        help=f"reap environments idle this long (default {DEFAULT_IDLE_TIMEOUT_S:.0f})",
    )
    group.add_argument(
        "--clock-speed",
        type=float,
        default=1.0,
        metavar="X",
        help="let idle time pass X times faster, to watch reaping (invocations keep real time)",
    )


def add_server_options(parser: argparse.ArgumentParser, port: int, host: str) -> None:
    """--port and --host for a command that serves HTTP (loopback only)."""
    parser.add_argument(
        "--port",
        type=int,
        default=port,
        help=f"TCP port to listen on (default {port}; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default=host,
        help=f"loopback address to listen on (default {host}; loopback only)",
    )


def function_from_args(code_dir: str | Path, args: argparse.Namespace) -> FunctionConfig:
    """A validated FunctionConfig from a folder or a .zip package, plus command-line overrides.

    A .zip is checked and extracted into a managed folder first (workbench.packages.zips);
    either way the code and its layers must fit Lambda's 250 MB.
    """
    overrides = {
        "handler": args.handler,
        "memory_mb": args.memory,
        "timeout_s": args.timeout,
        "ephemeral_storage_mb": args.ephemeral_storage,
        "architecture": args.arch,
        "image": args.image,
        "environment": parse_env_assignments(args.env),
        "layers": tuple(getattr(args, "layer", None) or ()) or None,
    }
    path = Path(code_dir)
    if path.suffix.lower() == ".zip" and path.is_file():
        return import_zip(path, **overrides)
    config = load_function(path, **overrides)
    check_function(config)
    return config


def select_early(
    args: argparse.Namespace,
    *,
    image: str | None = None,
    runtime: str | None = None,
    first: FunctionConfig | None = None,
) -> Selection:
    """Choose the backend now and start provisioning `first`'s first container.

    A command calls this before it imports the rest of the engine: the Docker engine creates
    and starts the container while this process loads aiohttp and the service, so the first
    request finds it running. On this thread, not another: imports hold the interpreter, so
    a second thread would only delay the container's request (measured: 120 ms later).
    Pass the result to running_service. SystemExit with the reason if no backend can run.
    """
    from workbench.backends.detect import BackendUnavailable, choose_backend

    try:
        return choose_backend(args.backend, image or args.image, runtime, first)
    except BackendUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None


@asynccontextmanager
async def running_service(
    args: argparse.Namespace,
    *,
    image: str | None = None,
    runtime: str | None = None,
    quiet: bool = False,
    event_store: EventStore | None = None,
    selection: Selection | None = None,
) -> AsyncIterator[LambdaService]:
    """Select the backend (saying which and why on stderr) and run a service until exit.

    image: the function's own image (from --image or function.toml), which needs Docker.
    runtime: the function's runtime, so the banner names its image (not every runtime's).
    event_store: where accepted async events are kept until delivered (none: in memory).
    selection: the backend chosen early (select_early); else it is chosen now.
    """
    from workbench.backends.detect import BackendUnavailable, select_backend
    from workbench.core.service import LambdaService  # the engine: loaded only to run it

    try:
        clock = TeachingClock(args.clock_speed)
    except ValueError as exc:
        if selection is not None:  # its first container may be starting: remove it
            await selection.backend.close()
        raise SystemExit(f"error: {exc}") from None
    try:
        chosen = selection or await select_backend(args.backend, image or args.image, runtime)
    except BackendUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    if not quiet:
        print(f"backend: {chosen.backend.description} ({chosen.reason})", file=sys.stderr)
    service = LambdaService(
        chosen.backend, idle_timeout_s=args.idle_timeout, clock=clock, event_store=event_store
    )
    async with service:
        yield service
