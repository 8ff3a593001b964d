"""`lambda-workbench bucket DIR --root FOLDER`: a folder as an S3 bucket triggering a function.

More buckets can be served on the same S3 endpoint with `--bucket NAME=FOLDER` (repeated),
so a handler can read the triggering bucket and write another, as AWS's file-processing
samples do.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from workbench.commands.function_options import (
    add_function_options,
    function_from_args,
    running_service,
)
from workbench.commands.serve import _log_printer, _until_stopped
from workbench.core.events import Event, InvocationCompleted, InvocationDropped
from workbench.core.model import ConfigError, FunctionConfig
from workbench.triggers.bucket import (
    POLL_INTERVAL_S,
    Firing,
    LocalBucket,
    bucket_name_for,
    check_bucket_name,
    parse_buckets,
)
from workbench.triggers.kinds.bucket import KIND
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_events import TriggerFilter, parse_events
from workbench.triggers.s3_policy import POLICY_FILE


def register(subparsers: Any) -> None:
    """Add the `bucket` command."""
    parser = subparsers.add_parser(
        KIND.command,
        help=KIND.command_help,
        description=(
            "Watch a folder as an S3 bucket: each complete new file fires ObjectCreated:Put "
            "and each removed one ObjectRemoved:Delete, invoking the function asynchronously "
            "as S3 does. The function reaches the bucket with boto3 through a local S3 "
            "endpoint (AWS_ENDPOINT_URL_S3), which also serves the buckets given with --bucket. "
            "A policy.json in the function's folder acts as its execution role. Runs until "
            "Ctrl+C; firings and the function's log lines go to stderr."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="the function's code folder")
    parser.add_argument("--root", required=True, metavar="FOLDER", help="the bucket's folder")
    parser.add_argument("--name", help="bucket name (default: made from the folder's name)")
    parser.add_argument(
        "--bucket",
        action="append",
        default=[],
        metavar="NAME=FOLDER",
        help="another bucket on the same S3 endpoint, without a trigger (repeatable), "
        "e.g. --bucket thumbnails=./thumbs",
    )
    parser.add_argument("--prefix", default="", help="only keys starting with this, e.g. input/")
    parser.add_argument("--suffix", default="", help="only keys ending with this, e.g. .jpg")
    parser.add_argument(
        "--events",
        default="put,delete",
        help="which events fire: put, delete, or both (default put,delete)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port of the S3 endpoint (default: a free one)"
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=POLL_INTERVAL_S,
        metavar="SECONDS",
        help=f"how often to look at the folder (default {POLL_INTERVAL_S})",
    )
    add_function_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the `bucket` command; returns the exit code."""
    root = Path(args.root)
    try:
        if not 0 <= args.port <= 65535:
            raise ValueError(f"--port {args.port} is not a TCP port (0-65535)")
        if args.poll_interval <= 0:
            raise ValueError("--poll-interval must be more than 0 seconds")
        if root.exists() and not root.is_dir():
            raise ValueError(f"--root {root} is a file, not a folder")
        name = check_bucket_name(args.name) if args.name else bucket_name_for(root.resolve())
        others = parse_buckets(args.bucket, {name: root}, option="--bucket ")
        trigger = TriggerFilter(args.prefix, args.suffix, parse_events(args.events))
        config = function_from_args(args.dir, args)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for folder in (root, *others.values()):
        if not folder.exists():
            folder.mkdir(parents=True)
            print(f"created the bucket folder {folder.resolve()}", file=sys.stderr)
    return asyncio.run(_watch(args, config, root, name, trigger, others))


async def _watch(
    args: argparse.Namespace,
    config: FunctionConfig,
    root: Path,
    name: str,
    trigger: TriggerFilter,
    others: dict[str, Path],
) -> int:
    async with running_service(args, image=config.image, runtime=config.runtime) as service:
        console = _Console()
        service.bus.subscribe(_log_printer(prefix=False))
        service.bus.subscribe(console.result)
        endpoint = S3Endpoint(service_identities(service))
        bucket = LocalBucket(
            service,
            root,
            config,
            name=name,
            trigger=trigger,
            poll_interval_s=args.poll_interval,
            on_firing=console.firing,
            on_warning=lambda text: _err(f"warning: {text}"),
            endpoint=endpoint,
        )
        try:
            for other, folder in others.items():
                endpoint.add_bucket(other, folder)
            await endpoint.start(service.backend.bind_host, args.port)
            config = await bucket.start()
        except (OSError, ValueError, ConfigError) as exc:
            await bucket.close()
            await endpoint.close()
            print(f"error: cannot start the bucket: {exc}", file=sys.stderr)
            return 1
        try:
            _print_banner(bucket, config, endpoint)
            await _until_stopped()
            _err("stopping…")
        finally:
            # Stop watching and serving first, then (leaving the block) stop the environments.
            await bucket.close()
            await endpoint.close()
    return 0


def _print_banner(bucket: LocalBucket, config: FunctionConfig, endpoint: S3Endpoint) -> None:
    print(f"Bucket s3://{bucket.name} is the folder {bucket.root}")
    for other in endpoint.buckets.values():
        if other.name != bucket.name:
            print(f"Bucket s3://{other.name} is the folder {other.root} (no trigger)")
    print(f"  trigger: {bucket.trigger.describe()} → {config.name} ({config.handler})")
    print(f"  S3 endpoint for handlers: AWS_ENDPOINT_URL_S3={bucket.endpoint_url}")
    if (config.code_dir / POLICY_FILE).is_file():
        print(f"  execution role: {config.code_dir / POLICY_FILE} decides what the handler may do")
    example = f"{bucket.trigger.prefix}example{bucket.trigger.suffix or '.txt'}"
    print(f"  try: copy a file to {bucket.root / example}")
    sys.stdout.flush()


class _Console:
    """Prints each firing and, when it finishes, the invocation it caused."""

    def __init__(self) -> None:
        self._ours: set[str] = set()

    def firing(self, firing: Firing) -> None:
        name = firing.record["eventName"]
        if firing.stopped:
            _err(f"{name} {firing.key} → not delivered (recursive loop, depth {firing.depth})")
            return
        assert firing.request_id is not None
        self._ours.add(firing.request_id)
        _err(f"{name} {firing.key} → {firing.request_id} (queued, asynchronous)")

    def result(self, event: Event) -> None:
        request_id = getattr(event, "request_id", None)
        if request_id not in self._ours:
            return
        if isinstance(event, InvocationCompleted):
            report, outcome = event.report, str(event.report.status)
            if event.function_error and outcome == "success":
                outcome = f"function error ({event.function_error}); Lambda will retry it"
            _err(f"{request_id} → {outcome} ({report.duration_ms:.1f} ms)")
        elif isinstance(event, InvocationDropped):
            _err(f"{request_id} → dropped: {event.reason} after {event.attempts} attempt(s)")


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
