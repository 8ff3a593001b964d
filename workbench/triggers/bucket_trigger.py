"""The S3 bucket trigger: a folder is a bucket; objects put or removed invoke the function
asynchronously. Its spec and checks, its runner (the bucket and the S3 endpoint handlers reach
it through, as `lambda-workbench bucket` runs them) and its SAM event; declared in
workbench.triggers.kinds.bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.triggers.bucket import ENDPOINT_VARIABLE, Firing, LocalBucket
from workbench.triggers.running import (
    Changed,
    Log,
    SamEvent,
    SpecDefaults,
    Trigger,
)
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_events import Kind, TriggerFilter

if TYPE_CHECKING:
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService
_SAM_EVENT_NAMES = {"put": "s3:ObjectCreated:*", "delete": "s3:ObjectRemoved:*"}


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


# ----- checks ----------------------------------------------------------------------------
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


# ----- the runner ------------------------------------------------------------------------
class BucketTrigger(Trigger):
    """A folder as an S3 bucket, with the S3 endpoint handlers reach it through."""

    kind, tag = "bucket", "s3"
    spec: BucketSpec

    def __init__(
        self, function: str, log: Log, spec: BucketSpec, changed: Changed | None = None
    ) -> None:
        super().__init__(function, log, spec, changed)
        self.bucket: LocalBucket | None = None
        self.endpoint: S3Endpoint | None = None
        self.firings = 0
        self.warnings: list[str] = []

    @property
    def title(self) -> str:
        name = self.bucket.name if self.bucket else self.spec.folder.name
        return f"S3 bucket · s3://{name}"

    @property
    def root(self) -> Path:
        return self.bucket.root if self.bucket else self.spec.folder.resolve()

    @property
    def environment(self) -> dict[str, str]:
        """What the function's environments need to reach this bucket."""
        return {ENDPOINT_VARIABLE: self.bucket.endpoint_url} if self.bucket else {}

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        self.spec.folder.mkdir(parents=True, exist_ok=True)
        self.endpoint = S3Endpoint(service_identities(service))
        self.bucket = LocalBucket(
            service,
            self.spec.folder,
            config,
            trigger=self.spec.trigger(),
            on_firing=self._fired,
            on_warning=self._warned,
            endpoint=self.endpoint,
        )
        try:
            for name, folder in self.spec.others:
                folder.mkdir(parents=True, exist_ok=True)
                self.endpoint.add_bucket(name, folder)
            await self.endpoint.start(service.backend.bind_host)
            await self.bucket.start()
        except BaseException:
            await self._stop()
            raise
        self.status = "running"
        self.log(f"s3://{self.bucket.name} is {self.bucket.root}; {self.trigger_text()}")
        for name, folder in self.spec.others:
            self.log(f"s3://{name} is {folder.resolve()} (no trigger)")

    def trigger_text(self) -> str:
        return self.spec.trigger().describe()

    def details(self) -> list[str]:
        endpoint = self.bucket.endpoint_url if self.bucket else ""
        lines = [str(self.root), f"{self.trigger_text()} · {self.firings} firing(s)"]
        if self.spec.others:
            lines.append("also s3://" + ", s3://".join(name for name, _ in self.spec.others))
        lines.append(f"handlers get {ENDPOINT_VARIABLE}={endpoint}")
        if self.warnings:
            lines.append(f"⚠ {self.warnings[-1][:110]}…")
        return lines

    def _fired(self, firing: Firing) -> None:
        name = firing.record["eventName"]
        if firing.stopped:
            self.log(f"{name} {firing.key} → not delivered (recursive loop, depth {firing.depth})")
        else:
            self.firings += 1
            self.log(f"{name} {firing.key} → invoked asynchronously", firing.request_id)
        self._changed()

    def _warned(self, text: str) -> None:
        self.warnings.append(text)
        self.log(f"⚠ {text}")
        self._changed()

    async def _stop(self) -> None:
        if self.bucket is not None:
            await self.bucket.close()
        if self.endpoint is not None:
            await self.endpoint.close()


def default_spec(defaults: SpecDefaults) -> BucketSpec:
    """A bucket named after the function, in the app's buckets folder."""
    return BucketSpec(defaults.buckets_dir / defaults.function.name)


# ----- SAM -------------------------------------------------------------------------------
def sam_events(spec: BucketSpec, prefix: str) -> SamEvent:
    """An S3 event on a bucket declared in the same template (SAM requires it there)."""
    bucket = f"{prefix}Bucket"
    properties: dict[str, object] = {
        "Bucket": {"Ref": bucket},
        "Events": [_SAM_EVENT_NAMES[kind] for kind in sorted(spec.events, reverse=True)],
    }
    rules = [{"Name": n, "Value": v} for n, v in (("prefix", spec.prefix), ("suffix", spec.suffix))]
    if any(rule["Value"] for rule in rules):
        properties["Filter"] = {"S3Key": {"Rules": [r for r in rules if r["Value"]]}}
    event = {"Type": "S3", "Properties": properties}
    return SamEvent({f"{prefix}Objects": event}, {bucket: {"Type": "AWS::S3::Bucket"}})
