"""A local S3 bucket trigger: a folder whose new and removed files invoke a function.

Like S3 event notifications, each complete new object (ObjectCreated:Put) or removed one
(ObjectRemoved:Delete) that matches the trigger's prefix, suffix and event types invokes
the function asynchronously (S3 uses the Event invocation type) with one record. The
function reaches the bucket through the S3 API in s3_api, whose address its environments
get as AWS_ENDPOINT_URL_S3, so boto3 code written for AWS runs unchanged.

Recursive loops are stopped as Lambda's recursive loop detection does: Lambda counts the
invocations one triggering event causes and, when a function is invoked more than 16 times
in the same chain of requests, stops the next invocation and notifies you (docs:
lambda/latest/dg/invocation-recursion.html; S3 joined SQS/SNS/Lambda in July 2024). AWS
carries the count in the X-Ray trace header's Lineage field. Here the engine does not let a
trigger set an invocation's trace header, so an object written through the S3 API by a
function (its SDK sends X-Amzn-Trace-Id) inherits the deepest chain among this bucket's
invocations running at that moment: exact for one chain at a time, and never too shallow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.errors import InvokeError
from workbench.core.events import Event, InvocationCompleted, InvocationDropped, InvocationStarted
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.triggers.bucket_folder import FolderWatcher, Md5Cache
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_events import (
    USER_PRINCIPAL,
    Kind,
    Sequencer,
    TriggerFilter,
    object_record,
)
from workbench.triggers.s3_store import FolderBucket, Write

LOOP_LIMIT = 16  # invocations per chain before Lambda stops the next one
POLL_INTERVAL_S = 0.3
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_S3"  # honoured by boto3 1.28 and later
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

logger = logging.getLogger(__name__)


def check_bucket_name(name: str) -> str:
    """Return name if S3 would accept it as a bucket name, else raise ValueError saying why."""
    if not _BUCKET_NAME.fullmatch(name) or ".." in name or re.fullmatch(r"[\d.]+", name):
        raise ValueError(
            f"{name!r} is not a valid bucket name: use 3 to 63 lowercase letters, digits, dots "
            "and hyphens, starting and ending with a letter or digit"
        )
    return name


def bucket_name_for(folder: Path) -> str:
    """A valid bucket name made from a folder's name (lowercased, odd characters as '-')."""
    cleaned = re.sub(r"[^a-z0-9.-]+", "-", folder.name.lower()).strip(".-")[:63]
    return cleaned if len(cleaned) >= 3 else f"bucket-{cleaned}".strip("-")


def parse_buckets(items: list[str], taken: dict[str, Path], option: str = "") -> dict[str, Path]:
    """NAME=FOLDER texts as {name: folder}; ValueError naming the bad one.

    `taken` holds buckets already declared (the trigger's own); `option` prefixes messages
    (the CLI's "--bucket ").
    """
    found: dict[str, Path] = {}
    for item in items:
        name, sep, folder = (part.strip() for part in item.partition("="))
        if not sep or not name or not folder:
            raise ValueError(f"{option}{item!r}: write NAME=FOLDER, e.g. thumbnails=./thumbs")
        try:
            check_bucket_name(name)
        except ValueError as exc:
            raise ValueError(f"{option}{item!r}: {exc}") from None
        path = Path(folder).expanduser()
        if path.exists() and not path.is_dir():
            raise ValueError(f"{option}{item!r}: {folder} is a file, not a folder")
        if name in taken or name in found:
            raise ValueError(f"{option}{item!r}: there is already a bucket named {name!r}")
        found[name] = path
    return found


@dataclass(frozen=True)
class Lineage:
    """How deep in a chain of bucket-triggered invocations an object or invocation is."""

    depth: int  # 1 for the invocation an outside change caused
    origin: str  # the object that started the chain, s3://bucket/key
    function: str = ""  # the function this invocation runs


@dataclass(frozen=True)
class Firing:
    """One event the bucket sent (or, at the loop bound, refused to send)."""

    kind: Kind
    key: str
    record: dict[str, Any]
    request_id: str | None  # None when not invoked
    depth: int
    stopped: bool = False


class LocalBucket:
    """Watches a folder as an S3 bucket, serves its S3 API, and invokes one function.

    Without `endpoint` it serves its own S3 endpoint (one bucket); with one, the bucket is
    added to that shared endpoint (which the caller starts and closes), so a function can
    read this bucket and write another.
    """

    def __init__(
        self,
        service: LambdaService,
        root: Path,
        config: FunctionConfig,
        *,
        name: str | None = None,
        trigger: TriggerFilter | None = None,
        port: int = 0,
        poll_interval_s: float = POLL_INTERVAL_S,
        loop_limit: int = LOOP_LIMIT,
        on_firing: Callable[[Firing], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        endpoint: S3Endpoint | None = None,
    ) -> None:
        self.service = service
        self.root = Path(root).resolve()
        self.name = check_bucket_name(name) if name else bucket_name_for(self.root)
        self.trigger = trigger or TriggerFilter()
        self.config = config
        self.port = port
        self.poll_interval_s = poll_interval_s
        self.loop_limit = loop_limit
        self._on_firing = on_firing or (lambda firing: None)
        self._on_warning = on_warning
        self._owns_endpoint = endpoint is None
        self.endpoint = endpoint or S3Endpoint(service_identities(service))
        self._md5 = Md5Cache()
        self._watcher = FolderWatcher(self.root, self._md5)
        self._sequencer = Sequencer()
        self._bucket: FolderBucket | None = None
        self._poller: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._lineage: dict[str, Lineage] = {}  # request id → its place in a chain
        # Of those, the ones running now: shared by every bucket of the endpoint, so a chain
        # that goes from one bucket's function to another bucket and back is still one chain.
        self._running: dict[str, Lineage] = self.endpoint.chains
        self._warned_origins: set[str] = set()
        self.endpoint_url = ""

    # ----- lifecycle -------------------------------------------------------------------
    async def start(self) -> FunctionConfig:
        """Serve the S3 API, deploy the function with its endpoint, and start watching."""
        if not self.root.is_dir():
            raise ValueError(f"{self.root} is not a folder")
        self._bucket = self.endpoint.add_bucket(self.name, self.root, self._md5)
        self._watcher = FolderWatcher(self.root, self._bucket.md5)
        self._bucket.listeners.written.append(self._written)
        self._bucket.listeners.deleted.append(self._deleted)
        if self._owns_endpoint:
            await self.endpoint.start(self.service.backend.bind_host, self.port)
        elif not self.endpoint.running:
            raise ValueError("start the shared S3 endpoint before its buckets")
        self.endpoint_url = self.endpoint.url
        self.config = self.config.with_changes(
            environment={**self.config.environment, ENDPOINT_VARIABLE: self.endpoint_url}
        )
        self.service.deploy(self.config)
        self._unsubscribe = self.service.bus.subscribe(self._track)
        await asyncio.to_thread(self._watcher.baseline)
        self._poller = asyncio.create_task(self._poll_forever())
        return self.config

    async def close(self) -> None:
        """Stop watching and serving; invocations already queued are the service's to finish."""
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._unsubscribe:
            self._unsubscribe()
        if self._bucket:
            with contextlib.suppress(ValueError):
                self._bucket.listeners.written.remove(self._written)
                self._bucket.listeners.deleted.remove(self._deleted)
        if self._owns_endpoint:
            await self.endpoint.close()
        self._poller = self._unsubscribe = self._bucket = None

    async def __aenter__(self) -> LocalBucket:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----- the folder side -------------------------------------------------------------
    async def _poll_forever(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self.poll_interval_s)
            try:
                changes = await self._watcher.poll()
            except OSError as exc:
                if not failing:
                    self._warn(f"cannot read the bucket folder {self.root}: {exc}")
                failing = True
                continue
            failing = False
            for change in changes:
                size = change.version.size if change.version else None
                try:
                    await self._fire(change.kind, change.key, size=size, etag=change.etag)
                except Exception as exc:  # one bad event must not stop the watching
                    self._warn(f"could not send the event for {change.key}: {exc!r}")

    # ----- the S3 API side -------------------------------------------------------------
    async def _written(self, write: Write) -> None:
        self._watcher.note_written(write.key, write.version)
        await self._fire(
            "put",
            write.key,
            size=write.version.size,
            etag=write.etag,
            source_ip=write.source_ip,
            lineage=self._writer_lineage(write.traced),
            how="" if write.how == "Put" else write.how,
        )

    async def _deleted(self, key: str, source_ip: str, traced: bool) -> None:
        self._watcher.note_deleted(key)
        await self._fire("delete", key, source_ip=source_ip, lineage=self._writer_lineage(traced))

    def _writer_lineage(self, traced: bool) -> Lineage | None:
        """The chain a write through the API belongs to: None if no function of ours made it."""
        if not traced or not self._running:
            return None
        return max(self._running.values(), key=lambda lineage: lineage.depth)

    # ----- firing ----------------------------------------------------------------------
    async def _fire(
        self,
        kind: Kind,
        key: str,
        *,
        size: int | None = None,
        etag: str | None = None,
        source_ip: str = "127.0.0.1",
        lineage: Lineage | None = None,
        how: str = "",
    ) -> None:
        if not self.trigger.matches(key, kind):
            return
        record = object_record(
            kind,
            bucket=self.name,
            key=key,
            sequencer=self._sequencer.next(),
            size=size,
            etag=etag,
            source_ip=source_ip,
            principal=f"AWS:AROAWORKBENCHLAMBDA:{self.config.name}" if lineage else USER_PRINCIPAL,
            how=how,
        )
        depth = lineage.depth + 1 if lineage else 1
        origin = lineage.origin if lineage else f"s3://{self.name}/{key}"
        if lineage:
            self._warn_loop(key, lineage)
        if depth > self.loop_limit:
            writer = lineage.function if lineage else self.config.name
            return self._stop_loop(kind, key, record, depth, origin, writer)
        payload = json.dumps({"Records": [record]}).encode()
        try:
            request_id = await self.service.invoke_event(self.config.name, payload)
        except InvokeError as exc:
            self._warn(f"could not invoke {self.config.name} for {key}: {exc.message}")
            return
        self._lineage[request_id] = Lineage(depth, origin, self.config.name)
        self._on_firing(Firing(kind, key, record, request_id, depth))

    def _warn_loop(self, key: str, lineage: Lineage) -> None:
        if lineage.origin in self._warned_origins:
            return
        self._warned_origins.add(lineage.origin)
        writer = lineage.function or "a function"
        again = "again" if writer == self.config.name else f"in the chain {writer} is part of"
        self._warn(
            f"recursive loop: {writer} wrote s3://{self.name}/{key}, which matches "
            f"this trigger ({self.trigger.describe()}), so it invokes {self.config.name} {again}. "
            f"Lambda's recursive loop detection stops such a chain after {self.loop_limit} "
            "invocations; write results where the trigger does not look (another prefix, such "
            "as output/, or another suffix)."
        )

    def _stop_loop(
        self, kind: Kind, key: str, record: dict[str, Any], depth: int, origin: str, writer: str
    ) -> None:
        invoked = self.config.name if writer == self.config.name else "its functions"
        self._warn(
            f"recursive loop stopped: the chain that began with {origin} has invoked "
            f"{invoked} {depth - 1} times, so the event for s3://{self.name}/{key} is not "
            f"delivered to {self.config.name} (Lambda stops the next invocation and notifies you)"
        )
        self.service.bus.publish(
            InvocationDropped(
                at=self.service.clock.now(),
                function=self.config.name,
                request_id=str(uuid.uuid4()),
                reason="recursive loop detected",
                attempts=0,
            )
        )
        self._on_firing(Firing(kind, key, record, None, depth, stopped=True))

    def _track(self, event: Event) -> None:
        """Follow our invocations on the bus, to know which chains are running."""
        request_id = getattr(event, "request_id", None)
        if request_id not in self._lineage:
            return
        if isinstance(event, InvocationStarted):
            self._running[request_id] = self._lineage[request_id]
        elif isinstance(event, InvocationCompleted | InvocationDropped):
            self._running.pop(request_id, None)
            if isinstance(event, InvocationDropped) or event.function_error is None:
                del self._lineage[request_id]  # no retry can follow

    def _warn(self, text: str) -> None:
        if self._on_warning:
            self._on_warning(text)
        else:
            logger.warning("%s", text)
