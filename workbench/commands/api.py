"""`lambda-workbench api DIR`: serve a function behind a local API Gateway until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import errno
import sys
from typing import TYPE_CHECKING, Any

from workbench.commands.function_options import (
    add_function_options,
    add_server_options,
    function_from_args,
    running_service,
    select_early,
)
from workbench.commands.serve import _log_printer, _until_stopped
from workbench.core.model import ConfigError, FunctionConfig
from workbench.listen_address import API_GATEWAY_PORT, DEFAULT_HOST, check_loopback
from workbench.triggers.api_gateway_events import DEFAULT_BINARY_MEDIA_TYPES
from workbench.triggers.api_gateway_routes import RouteError, example_path, parse_routes
from workbench.triggers.kinds.api import KIND

if TYPE_CHECKING:
    from workbench.backends.detect import Selection
    from workbench.triggers.api_gateway import ApiGateway, ApiRequestLog

# The gateway (aiohttp) and the engine load only after the backend is chosen and the
# function's first container asked for (select_early), as in `serve`.

_KINDS = {"2.0": "HTTP API, payload 2.0", "1.0": "REST API, payload 1.0"}


def register(subparsers: Any) -> None:
    """Add the `api` command."""
    parser = subparsers.add_parser(
        KIND.command,
        help=KIND.command_help,
        description=(
            "Serve a function over HTTP the way API Gateway does: each request becomes a "
            "Lambda proxy event (payload 2.0 as an HTTP API, 1.0 as a REST API) and the "
            "function's result becomes the HTTP response. Runs until Ctrl+C; request and "
            "function log lines go to stderr."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="the function's code folder")
    add_server_options(parser, API_GATEWAY_PORT, DEFAULT_HOST)
    parser.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="ROUTE",
        help=(
            "a route such as 'GET /hello', 'GET /users/{id}' or 'ANY /{proxy+}' (repeatable; "
            "default: '$default' for 2.0, 'ANY /{proxy+}' for 1.0)"
        ),
    )
    parser.add_argument(
        "--payload-version",
        choices=["2.0", "1.0"],
        default="2.0",
        help="2.0: behave as an HTTP API (default); 1.0: as a REST API with Lambda proxy",
    )
    parser.add_argument(
        "--stage", help="stage name in events (default $default for 2.0, Prod for 1.0)"
    )
    parser.add_argument(
        "--binary-media-type",
        action="append",
        default=[],
        metavar="TYPE",
        help=(
            "payload 1.0: a binaryMediaTypes entry such as image/* (repeatable; default "
            f"{', '.join(DEFAULT_BINARY_MEDIA_TYPES)})"
        ),
    )
    parser.add_argument(
        "--integration-timeout",
        type=float,
        metavar="SECONDS",
        help="how long the gateway waits for the function (default 30 for 2.0, 29 for 1.0)",
    )
    add_function_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the `api` command; returns the exit code."""
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a TCP port (0-65535)", file=sys.stderr)
        return 2
    if args.integration_timeout is not None and args.integration_timeout <= 0:
        print("error: --integration-timeout must be more than 0 seconds", file=sys.stderr)
        return 2
    try:
        check_loopback(args.host, "the local API")
        parse_routes(args.route, args.payload_version)
        config = function_from_args(args.dir, args)
    except (ConfigError, RouteError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    selection = select_early(args, image=config.image, runtime=config.runtime, first=config)
    return asyncio.run(_serve(args, config, selection))


async def _serve(args: argparse.Namespace, config: FunctionConfig, selection: Selection) -> int:
    from workbench.invoke_api import bound_port
    from workbench.triggers.api_gateway import gateway_of, start_api_gateway

    async with running_service(args, selection=selection) as service:
        service.bus.subscribe(_log_printer(prefix=False))
        service.deploy(config)
        try:
            runner = await start_api_gateway(
                service,
                config.name,
                args.route,
                args.payload_version,
                host=args.host,
                port=args.port,
                stage=args.stage,
                binary_media_types=tuple(args.binary_media_type) or DEFAULT_BINARY_MEDIA_TYPES,
                integration_timeout_s=args.integration_timeout,
                on_request=_print_request,
            )
        except OSError as exc:
            print(f"error: {_bind_error(args.host, args.port, exc)}", file=sys.stderr)
            return 1
        try:
            gateway = gateway_of(runner.app)
            _print_banner(f"http://{args.host}:{bound_port(runner)}", gateway, config)
            await _until_stopped()
            print("stopping…", file=sys.stderr, flush=True)
        finally:
            # Stop taking requests first, then (leaving the block) stop the environments.
            await runner.cleanup()
    return 0


def _print_banner(url: str, gateway: ApiGateway, config: FunctionConfig) -> None:
    example = example_path(gateway.routes[0])
    print(f"API on {url} — try: curl '{url}{example}?name=Alice'")
    version = gateway.payload_version
    print(
        f"  {_KINDS[version]}, stage {gateway.api.stage}, integration timeout "
        f"{gateway.integration_timeout_s:g} s"
    )
    for route in gateway.routes:
        print(f"  {route.key:<28} → {config.name} ({config.handler}, {config.timeout_s} s)")
    sys.stdout.flush()


def _print_request(log: ApiRequestLog) -> None:
    print(log.line(), file=sys.stderr, flush=True)


def _bind_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {host}:{port}: the port is already in use "
            "(is another `api` or `serve` running? choose another with --port)"
        )
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
