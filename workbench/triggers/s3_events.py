"""S3 event notification records as S3 sends them to Lambda, and a trigger's key filter.

Record shape per LAMBDA_FACTS A8 (SAM's S3Put.json), with eventVersion 2.1 as S3 sends
today. The object key is URL-encoded the way S3 does it (`photos/cat 1.jpg` arrives as
`photos/cat+1.jpg`), so a handler must `unquote_plus` it before calling GetObject.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote_plus

from workbench.core.model import REGION

Kind = Literal["put", "delete"]
EVENT_NAMES: dict[Kind, str] = {"put": "ObjectCreated:Put", "delete": "ObjectRemoved:Delete"}
# What --events accepts besides put/delete: the names S3's notification configuration uses.
_EVENT_ALIASES: dict[str, Kind] = {
    "put": "put",
    "delete": "delete",
    "s3:objectcreated:*": "put",
    "s3:objectcreated:put": "put",
    "s3:objectremoved:*": "delete",
    "s3:objectremoved:delete": "delete",
}
CONFIGURATION_ID = "workbench-bucket-trigger"
OWNER_PRINCIPAL = "A2WORKBENCH7OWNER"  # the catalogue's sample bucket owner
USER_PRINCIPAL = "AWS:AIDAWORKBENCHLOCALUSER"


def encode_key(key: str) -> str:
    """The key as S3 puts it in an event: form-encoded, slashes kept."""
    return quote_plus(key, safe="/")


def parse_events(text: str) -> frozenset[Kind]:
    """'put,delete' (or S3's names such as s3:ObjectCreated:*) → the kinds; ValueError if bad."""
    kinds: set[Kind] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        kind = _EVENT_ALIASES.get(item.lower())
        if kind is None:
            raise ValueError(
                f"--events: {item!r} is not an event this bucket sends; use put, delete "
                "(or s3:ObjectCreated:*, s3:ObjectRemoved:*)"
            )
        kinds.add(kind)
    if not kinds:
        raise ValueError("--events: name at least one of put, delete")
    return frozenset(kinds)


@dataclass(frozen=True)
class TriggerFilter:
    """Which objects fire the function: S3's prefix and suffix rules, on the decoded key."""

    prefix: str = ""
    suffix: str = ""
    events: frozenset[Kind] = field(default_factory=lambda: frozenset(EVENT_NAMES))

    def matches(self, key: str, kind: Kind) -> bool:
        return kind in self.events and key.startswith(self.prefix) and key.endswith(self.suffix)

    def describe(self) -> str:
        parts = [f"prefix {self.prefix!r}" if self.prefix else "any prefix"]
        parts.append(f"suffix {self.suffix!r}" if self.suffix else "any suffix")
        names = ", ".join(EVENT_NAMES[k] for k in sorted(self.events, reverse=True))
        return f"{', '.join(parts)}; events {names}"


class Sequencer:
    """Per-bucket sequencers: hex strings that only grow, as S3's do for one key."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return f"{self._last:018X}"


def object_record(
    kind: Kind,
    *,
    bucket: str,
    key: str,
    sequencer: str,
    size: int | None = None,
    etag: str | None = None,
    source_ip: str = "127.0.0.1",
    principal: str = USER_PRINCIPAL,
    at: float | None = None,
    how: str = "",
) -> dict[str, Any]:
    """One entry of an S3 event's Records; a delete carries only key and sequencer.

    `how` names the way a put was made when it was not a plain PUT: S3 sends
    ObjectCreated:Copy and ObjectCreated:CompleteMultipartUpload (both match s3:ObjectCreated:*).
    """
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    obj: dict[str, Any] = {"key": encode_key(key)}
    if kind == "put":
        obj.update(size=size, eTag=etag)
    obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "eventName": f"ObjectCreated:{how}" if kind == "put" and how else EVENT_NAMES[kind],
        "userIdentity": {"principalId": principal},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {
            "x-amz-request-id": secrets.token_hex(8).upper(),
            "x-amz-id-2": secrets.token_urlsafe(48),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": CONFIGURATION_ID,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": OWNER_PRINCIPAL},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }
