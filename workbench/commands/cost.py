"""The `cost` sub-command: estimate a month's Lambda bill and show the arithmetic."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.core.billing import ARCHITECTURES
from workbench.core.monthly_cost import monthly_estimate
from workbench.core.provisioned_billing import HOURS_PER_MONTH, provisioned_month


def register(subparsers: Any) -> None:
    """Add the `cost` command to an argparse CLI."""
    parser = subparsers.add_parser(
        "cost",
        help="estimate a month's Lambda bill and show the arithmetic",
        description=(
            "Estimate a month's AWS Lambda bill (us-east-1 prices) for a steady load, "
            "with tiered duration pricing, and print every step of the sum."
        ),
    )
    parser.add_argument(
        "--invocations", type=int, required=True, metavar="N", help="requests per month"
    )
    parser.add_argument(
        "--duration-ms",
        type=float,
        required=True,
        metavar="D",
        help="average duration of one invocation, in ms",
    )
    parser.add_argument(
        "--memory-mb", type=int, default=128, metavar="M", help="memory size (default 128)"
    )
    parser.add_argument(
        "--arch", choices=ARCHITECTURES, default="x86_64", help="architecture (default x86_64)"
    )
    parser.add_argument(
        "--free-tier",
        action="store_true",
        help="take off the monthly free tier (1M requests, 400,000 GB-s)",
    )
    parser.add_argument(
        "--ephemeral-mb",
        type=int,
        default=512,
        metavar="MB",
        help="ephemeral storage (/tmp) size; above 512 is charged (default 512)",
    )
    parser.add_argument(
        "--cold-start-share",
        type=float,
        default=0.0,
        metavar="S",
        help="fraction of invocations that are cold starts, 0 to 1 (default 0)",
    )
    parser.add_argument(
        "--init-duration-ms",
        type=float,
        default=0.0,
        metavar="I",
        help="init duration of a cold start, billed with it, in ms (default 0)",
    )
    parser.add_argument(
        "--provisioned-concurrency",
        type=int,
        metavar="N",
        help="N environments of provisioned concurrency: bills their capacity, and the "
        "invocations at the provisioned duration price (no free tier)",
    )
    parser.add_argument(
        "--provisioned-hours",
        type=float,
        default=None,
        metavar="H",
        help=f"hours a month the provisioned concurrency is configured (default "
        f"{HOURS_PER_MONTH}, the whole month); needs --provisioned-concurrency",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the estimate's arithmetic; 2 with a message on stderr if an input is out of range."""
    if args.provisioned_concurrency is not None or args.provisioned_hours is not None:
        return _run_provisioned(args)
    try:
        estimate = monthly_estimate(
            args.invocations,
            args.duration_ms,
            args.memory_mb,
            architecture=args.arch,
            free_tier=args.free_tier,
            ephemeral_storage_mb=args.ephemeral_mb,
            cold_start_share=args.cold_start_share,
            init_duration_ms=args.init_duration_ms,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in estimate.explain():
        print(line)
    return 0


def _run_provisioned(args: argparse.Namespace) -> int:
    if args.provisioned_concurrency is None:
        print("error: --provisioned-hours needs --provisioned-concurrency N", file=sys.stderr)
        return 2
    ignored = [
        option
        for option, used in (
            ("--free-tier", args.free_tier),
            ("--cold-start-share", args.cold_start_share),
            ("--init-duration-ms", args.init_duration_ms),
        )
        if used
    ]
    try:
        estimate = provisioned_month(
            args.provisioned_concurrency,
            args.invocations,
            args.duration_ms,
            args.memory_mb,
            hours=HOURS_PER_MONTH if args.provisioned_hours is None else args.provisioned_hours,
            architecture=args.arch,
            ephemeral_storage_mb=args.ephemeral_mb,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if ignored:
        print(
            f"note: {', '.join(ignored)} ignored: provisioned environments are initialised "
            "ahead of traffic and the free tier does not cover them",
            file=sys.stderr,
        )
    for line in estimate.explain():
        print(line)
    return 0
