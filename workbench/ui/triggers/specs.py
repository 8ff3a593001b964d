"""What the learner asked for in the Add trigger dialog, as plain values, and their checks.

No Qt here: the dialog's forms build these specs and show the checks' messages inline.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from workbench.triggers.api_gateway import DEFAULT_HOST, DEFAULT_PORT
from workbench.triggers.api_gateway_routes import Route, parse_routes
from workbench.triggers.queue import DEFAULT_VISIBILITY_TIMEOUT_S
from workbench.triggers.queue_poller import DEFAULT_BATCH_SIZE, check_mapping_settings
from workbench.triggers.s3_events import Kind, TriggerFilter
from workbench.triggers.schedule import Schedule, next_fire_times, parse_schedule

DEFAULT_MAX_RECEIVE_COUNT = 3  # the same default as `lambda-workbench queue`
PREVIEW_COUNT = 5


@dataclass(frozen=True)
class ApiSpec:
    """An API Gateway in front of the function."""

    routes: tuple[str, ...] = ()  # empty: the payload version's catch-all route
    payload_version: str = "2.0"
    port: int = 0  # 0: any free port

    kind = "api"


@dataclass(frozen=True)
class BucketSpec:
    """A folder as an S3 bucket whose object changes invoke the function."""

    folder: Path
    prefix: str = ""
    suffix: str = ""
    events: frozenset[Kind] = field(default_factory=lambda: frozenset({"put", "delete"}))
    others: tuple[tuple[str, Path], ...] = ()  # more buckets on the same S3 endpoint

    kind = "bucket"

    def trigger(self) -> TriggerFilter:
        return TriggerFilter(self.prefix, self.suffix, self.events)


@dataclass(frozen=True)
class ScheduleSpec:
    """An EventBridge scheduled rule."""

    expression: str
    fire_now: bool = False

    kind = "schedule"


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue (with a dead-letter queue) and its event source mapping."""

    batch_size: int = DEFAULT_BATCH_SIZE
    window_s: int = 0
    visibility_timeout_s: int = int(DEFAULT_VISIBILITY_TIMEOUT_S)
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    report_failures: bool = False

    kind = "queue"


TriggerSpec = ApiSpec | BucketSpec | ScheduleSpec | QueueSpec


# ----- checks: each returns the routes/schedule it parsed, or raises ValueError ----------
def split_routes(text: str) -> list[str]:
    """Routes typed one per line or separated by commas; blank entries dropped."""
    parts = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [part for part in parts if part]


def check_routes(text: str, payload_version: str) -> list[Route]:
    """The parsed routes (the version's default when none); RouteError says what is wrong."""
    return parse_routes(split_routes(text), payload_version)


def port_problem(port: int, host: str = DEFAULT_HOST) -> str | None:
    """Why the API cannot listen on port (in use, or not allowed), or None when it can."""
    if port == 0:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is in use: choose another (1024-65535), or 0 for any free port"
            return f"cannot listen on port {port}: {exc.strerror or exc}"
    return None


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """The preferred port when free (3000, as `sam local start-api`), else any free one."""
    if port_problem(preferred) is None:
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((DEFAULT_HOST, 0))
        return int(probe.getsockname()[1])


def check_folder(text: str) -> Path:
    """A folder to use as a bucket: an existing folder, or a new one under an existing one."""
    if not text.strip():
        raise ValueError("choose a folder: its files become the bucket's objects")
    folder = Path(text.strip()).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise ValueError(f"{folder.parent} does not exist: choose an existing folder")
    return folder


def check_events(put: bool, delete: bool) -> frozenset[Kind]:
    """The event types to fire on; at least one."""
    kinds: set[Kind] = set()
    if put:
        kinds.add("put")
    if delete:
        kinds.add("delete")
    if not kinds:
        raise ValueError("choose at least one event type: put, delete, or both")
    return frozenset(kinds)


def loop_risk(spec: BucketSpec) -> str:
    """A warning about recursive loops, stronger when every key matches the trigger."""
    if not spec.prefix and not spec.suffix:
        return (
            "Every object fires this trigger: if the function writes into this bucket, it "
            "invokes itself again and again. Set a prefix such as input/ and write results "
            "under output/. Lambda stops such a loop after 16 invocations."
        )
    return (
        f"If the function writes objects matching {spec.prefix or ''}*{spec.suffix or ''} back "
        "into this bucket, it invokes itself in a loop (Lambda stops it after 16 "
        "invocations): write results under another prefix, such as output/."
    )


def check_schedule(
    expression: str, now: float, count: int = PREVIEW_COUNT
) -> tuple[Schedule, list[datetime]]:
    """The parsed schedule and its next fire times after now (epoch s); ScheduleError if bad."""
    schedule = parse_schedule(expression)
    moment = datetime.fromtimestamp(now, UTC)
    return schedule, next_fire_times(schedule, moment, count, moment)


def check_queue(spec: QueueSpec, function_timeout_s: float) -> None:
    """Raise MappingError for settings CreateEventSourceMapping would refuse."""
    check_mapping_settings(
        spec.batch_size,
        spec.window_s,
        function_timeout_s=function_timeout_s,
        visibility_timeout_s=spec.visibility_timeout_s,
    )
