"""`lambda-workbench schedule DIR --expression EXPR`: fire EventBridge Scheduled Events."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from workbench.commands.function_options import (
    add_function_options,
    function_from_args,
    running_service,
)
from workbench.commands.serve import _log_printer, _until_stopped
from workbench.core.model import ConfigError, FunctionConfig
from workbench.triggers.kinds.schedule import KIND
from workbench.triggers.schedule import ScheduleFiring, Scheduler, check_rule_name
from workbench.triggers.schedule_expressions import (
    Schedule,
    ScheduleError,
    iso_utc,
    parse_schedule,
)
from workbench.triggers.schedule_trigger import PREVIEW_COUNT


def register(subparsers: Any) -> None:
    """Add the `schedule` command."""
    parser = subparsers.add_parser(
        KIND.command,
        help=KIND.command_help,
        description=(
            "Fire Scheduled Events at a function as an EventBridge scheduled rule does "
            "(asynchronous invocations). Prints the next fire times in UTC, then runs until "
            "Ctrl+C, one line per firing on stdout; the function's log lines go to stderr. "
            "With --clock-speed, idle time (and so the schedule) runs faster."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="the function's code folder")
    parser.add_argument(
        "--expression",
        required=True,
        metavar="EXPR",
        help="rate(value unit), e.g. 'rate(5 minutes)', or cron(Minutes Hours Day-of-month "
        "Month Day-of-week Year), e.g. 'cron(0 12 * * ? *)'",
    )
    parser.add_argument("--rule", help="the rule's name (default: FUNCTION-schedule)")
    parser.add_argument(
        "--fire-now", action="store_true", help="also fire once at the start, to try it out"
    )
    add_function_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the `schedule` command; returns the exit code."""
    try:
        schedule = parse_schedule(args.expression)
        if args.rule is not None:
            check_rule_name(args.rule)
        config = function_from_args(args.dir, args)
    except (ScheduleError, ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, config, schedule))


async def _run(args: argparse.Namespace, config: FunctionConfig, schedule: Schedule) -> int:
    async with running_service(args, image=config.image, runtime=config.runtime) as service:
        service.bus.subscribe(_log_printer(prefix=False))
        service.deploy(config)
        scheduler = Scheduler(service, config.name, schedule, rule=args.rule, on_fire=_print)
        _print_banner(scheduler)
        task = scheduler.start(fire_now=args.fire_now)
        stopped = asyncio.ensure_future(_until_stopped())
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if task.done() and not stopped.done():
            if task.exception() is not None:
                print(f"error: the scheduler stopped: {task.exception()}", file=sys.stderr)
                return 1
            print("the schedule has no more fire times", file=sys.stderr, flush=True)
        stopped.cancel()
        await asyncio.gather(stopped, return_exceptions=True)
        print("stopping…", file=sys.stderr, flush=True)
        await scheduler.stop()
    return 0


def _print_banner(scheduler: Scheduler) -> None:
    times = scheduler.next_fire_times(PREVIEW_COUNT)
    print(f"rule {scheduler.rule}: {scheduler.schedule.expression} → {scheduler.function}")
    if not times:
        print("  this expression has no fire time after now (UTC)")
    else:
        print(f"next {len(times)} fire times (UTC):")
        for moment in times:
            print(f"  {iso_utc(moment)}")
    sys.stdout.flush()


def _print(firing: ScheduleFiring) -> None:
    print(firing.line(), flush=True)
