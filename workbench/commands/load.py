"""`lambda-workbench load DIR`: send invocations at a rate and watch Lambda scale, live."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from workbench.catalogue import CatalogueError
from workbench.commands.function_options import (
    add_function_options,
    function_from_args,
    running_service,
)
from workbench.commands.invoke import add_event_options, read_event
from workbench.core.billing import format_usd
from workbench.core.load import LoadPlan, LoadRun, LoadSnapshot
from workbench.core.model import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "load",
        help="invoke a function at a steady rate and show live figures",
        description="Send load to a function: invocations, latency, cold starts, throttles, "
        "environments and cost, every second, then a summary.",
    )
    parser.add_argument("dir", help="the function's code folder")
    parser.add_argument("--rate", type=float, help="invocations per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--concurrency", type=int, help="at most this many in flight at once")
    parser.add_argument("--count", type=int, help="stop after this many invocations")
    parser.add_argument(
        "--reserved-concurrency", type=int, help="the function's reserved concurrency"
    )
    parser.add_argument(
        "--provisioned-concurrency", type=int, help="environments initialised ahead of traffic"
    )
    add_event_options(parser)
    add_function_options(parser)
    parser.set_defaults(func=run)


def format_snapshot(s: LoadSnapshot) -> str:
    latency = (
        f"p50 {s.p50_ms:7.1f} ms  p95 {s.p95_ms:7.1f} ms"
        if s.p50_ms is not None and s.p95_ms is not None
        else "p50       -      p95       -   "
    )
    errors = s.function_errors + s.failed
    return (
        f"{s.elapsed_s:5.1f}s  sent {s.sent:6}  done {s.completed:6}  {latency}  "
        f"cold {s.cold_share:5.1%}  throttled {s.throttled:5}  errors {errors:4}"
        f"  environments {s.environments_now:4}  cost {format_usd(s.cost)}"
    )


def run(args: argparse.Namespace) -> int:
    try:
        config = function_from_args(args.dir, args).with_changes(
            reserved_concurrency=args.reserved_concurrency,
            provisioned_concurrency=args.provisioned_concurrency or 0,
        )
        plan = LoadPlan(
            duration_s=args.duration,
            rate_per_s=args.rate,
            concurrency=args.concurrency,
            payload=read_event(args),
            max_invocations=args.count,
        )
    except (ConfigError, ValueError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_load(args, config, plan))


async def _load(args: argparse.Namespace, config: Any, plan: LoadPlan) -> int:
    async with running_service(args, image=config.image, runtime=config.runtime) as service:
        try:
            service.deploy(config)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        final = await LoadRun(service, config.name, plan).run(
            on_tick=lambda s: print(format_snapshot(s), flush=True)
        )
    print(format_snapshot(final))
    print(
        f"summary: {final.completed} completed in {final.elapsed_s:.1f} s "
        f"({final.throughput:.1f}/s), {final.throttled} throttled, "
        f"{final.function_errors} function errors, {final.failed} failed; "
        f"{final.environments_created} environments created, {final.cold_share:.1%} cold starts; "
        f"cost {format_usd(final.cost)}"
    )
    return 0
