"""A local SQS standard queue: messages, visibility timeout, receive counts, a dead-letter queue.

A received message stays in the queue but is invisible ("in flight") until it is deleted or
its visibility timeout passes; then it can be received again, with ApproximateReceiveCount
one higher. With a redrive policy, a message whose receive count has reached
`max_receive_count` is moved to the dead-letter queue on the next receive instead of being
delivered (SQS "moves the message to a dead-letter queue" when the ReceiveCount *exceeds*
maxReceiveCount). Visibility is timed on the injected clock, so the teaching clock (or a
test's) makes a 30-second timeout pass in moments.

With an EventStore, the queue keeps its messages on disk until they are deleted or moved
to the dead-letter queue, so a `kill -9` loses none: a new Queue with the same name and store
starts with them (at least once: a batch that ran but whose deletion was not written yet
is delivered again). Receive counts survive; in-flight state does not, so every kept message
is visible at once after a restart.

The event source mapping that polls a queue and invokes a function is in queue_poller.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.clock import Clock, SystemClock
from workbench.core.event_store import EventStore, StoredMessage
from workbench.core.model import ACCOUNT_ID, REGION

DEFAULT_VISIBILITY_TIMEOUT_S = 30.0  # SQS's default
VISIBILITY_TIMEOUT_RANGE_S = (0, 43_200)  # 0 s to 12 hours
MAX_RECEIVE_COUNT_RANGE = (1, 1_000)  # a redrive policy's maxReceiveCount
MAX_MESSAGE_BYTES = 1024 * 1024  # SQS's message size quota: 1 MiB since August 2025
SENDER_ID = "AIDAIENQZJOLO23YVJ4VO"  # an IAM user id, as in AWS's sample events
_QUEUE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_HANDLE_BYTES = 96
_HANDLE_CHARS = 4 + 4 * _HANDLE_BYTES // 3  # "AQEB" + base64


class QueueError(ValueError):
    """A queue setting or a message SQS would refuse; the message says why."""


@dataclass(frozen=True)
class MessageSent:
    """A message entered a queue."""

    at: float
    queue: str
    message_id: str


@dataclass(frozen=True)
class MessageDeadLettered:
    """The redrive policy moved a message to the dead-letter queue."""

    at: float
    queue: str
    dead_letter_queue: str
    message_id: str
    receive_count: int


QueueEvent = MessageSent | MessageDeadLettered
QueueListener = Callable[[QueueEvent], None]


@dataclass(frozen=True)
class ReceivedMessage:
    """One delivery of a message: its receipt handle and the record Lambda puts in the event."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    record: dict[str, Any]
    size: int  # bytes of the record as JSON, to keep a batch under the invoke payload limit
    visible_again_at: float  # when the visibility timeout ends, on the clock's monotonic time


@dataclass(frozen=True)
class QueuedMessage:
    """A message as a listing shows it (for the DLQ contents and the app)."""

    message_id: str
    body: str
    receive_count: int
    sent_at: float  # epoch seconds
    in_flight: bool


@dataclass
class _Stored:
    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]]
    sent_ms: int
    receive_count: int = 0
    first_receive_ms: int | None = None
    invisible_until: float = 0.0  # on the clock's monotonic time
    receipt_handle: str | None = None


@dataclass(eq=False)
class Queue:
    """An in-memory SQS standard queue with a visibility timeout and an optional redrive."""

    name: str = "workbench-queue"
    clock: Clock = field(default_factory=SystemClock)
    visibility_timeout_s: float = DEFAULT_VISIBILITY_TIMEOUT_S
    dead_letter_queue: Queue | None = None
    max_receive_count: int | None = None
    on_event: QueueListener | None = None
    store: EventStore | None = None  # keep messages on disk until deleted
    _messages: dict[str, _Stored] = field(default_factory=dict, init=False, repr=False)
    _handles: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # → id
    _arrived: asyncio.Event | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not _QUEUE_NAME_RE.fullmatch(self.name):
            raise QueueError(
                f"queue name {self.name!r} is invalid: use 1 to 80 letters, digits, '-' or '_'"
            )
        check_visibility_timeout(self.visibility_timeout_s)
        if (self.dead_letter_queue is None) != (self.max_receive_count is None):
            raise QueueError("a redrive policy needs both a dead-letter queue and maxReceiveCount")
        if self.max_receive_count is not None:
            low, high = MAX_RECEIVE_COUNT_RANGE
            if not low <= self.max_receive_count <= high:
                raise QueueError(
                    f"maxReceiveCount {self.max_receive_count} is out of range: use {low} to "
                    f"{high:,}"
                )
        if self.store is not None:
            for kept in self.store.messages(self.name):
                self._messages[kept.message_id] = _Stored(
                    kept.message_id,
                    kept.body,
                    kept.attributes,
                    kept.sent_ms,
                    kept.receive_count,
                    kept.first_receive_ms,
                )

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{self.name}"

    # ----- sending ---------------------------------------------------------------------
    def send_message(self, body: str, message_attributes: Mapping[str, Any] | None = None) -> str:
        """Add a message; returns its MessageId. Raises QueueError for what SQS refuses."""
        if not isinstance(body, str) or not body:
            raise QueueError("a message body must be a non-empty string")
        attributes = {k: _attribute(k, v) for k, v in (message_attributes or {}).items()}
        size = len(body.encode()) + sum(
            len(k.encode()) + len(json.dumps(v).encode()) for k, v in attributes.items()
        )
        if size > MAX_MESSAGE_BYTES:
            raise QueueError(
                f"the message is {size:,} bytes; SQS allows {MAX_MESSAGE_BYTES:,} bytes "
                "(body and attributes together)"
            )
        message_id = str(uuid.uuid4())
        stored = _Stored(message_id, body, attributes, int(self.clock.now() * 1000))
        self._keep(stored)
        self._messages[message_id] = stored
        if self._arrived is not None:
            self._arrived.set()
        self._publish(MessageSent(self.clock.now(), self.name, message_id))
        return message_id

    def _accept_redriven(self, stored: _Stored) -> None:
        """Take a message moved here by a source queue's redrive policy."""
        stored.invisible_until, stored.receipt_handle = 0.0, None
        self._keep(stored)  # one write replaces the source queue's row: never in neither
        self._messages[stored.message_id] = stored
        if self._arrived is not None:
            self._arrived.set()

    # ----- receiving -------------------------------------------------------------------
    def receive_messages(
        self, max_messages: int = 10, *, max_bytes: int | None = None
    ) -> list[ReceivedMessage]:
        """Receive up to max_messages visible messages (oldest first), making them in flight.

        Stops before a message whose record would take the total past max_bytes.
        """
        now = self.clock.monotonic()
        received: list[ReceivedMessage] = []
        used = 0
        for stored in list(self._messages.values()):
            if len(received) >= max_messages:
                break
            if stored.invisible_until > now:
                continue
            if self._redrive(stored):
                continue
            record = self._record(stored, stored.receive_count + 1, "")
            size = len(json.dumps(record)) + _HANDLE_CHARS + 2  # the handle, and ", " between

            if max_bytes is not None and used + size > max_bytes:
                break
            used += size
            received.append(self._deliver(stored, now, size))
        return received

    def _deliver(self, stored: _Stored, now: float, size: int) -> ReceivedMessage:
        stored.receive_count += 1
        if stored.first_receive_ms is None:
            stored.first_receive_ms = int(self.clock.now() * 1000)
        if self.store is not None:
            self.store.record_receive(
                stored.message_id, stored.receive_count, stored.first_receive_ms
            )
        if stored.receipt_handle is not None:
            self._handles.pop(stored.receipt_handle, None)  # only the latest handle deletes
        stored.receipt_handle = _receipt_handle()
        self._handles[stored.receipt_handle] = stored.message_id
        stored.invisible_until = now + self.visibility_timeout_s
        record = self._record(stored, stored.receive_count, stored.receipt_handle)
        return ReceivedMessage(
            stored.message_id,
            stored.receipt_handle,
            stored.body,
            stored.receive_count,
            record,
            size,
            stored.invisible_until,
        )

    def _redrive(self, stored: _Stored) -> bool:
        """Move a message to the DLQ if it has been received maxReceiveCount times already."""
        dlq, limit = self.dead_letter_queue, self.max_receive_count
        if dlq is None or limit is None or stored.receive_count < limit:
            return False
        self._forget(stored, on_disk=dlq.store is not self.store)  # the DLQ rewrites the row
        dlq._accept_redriven(stored)
        self._publish(
            MessageDeadLettered(
                self.clock.now(), self.name, dlq.name, stored.message_id, stored.receive_count
            )
        )
        return True

    def _record(self, stored: _Stored, receive_count: int, handle: str) -> dict[str, Any]:
        """The SQS record as Lambda delivers it (Sqs.json, LAMBDA_FACTS A8)."""
        first = stored.first_receive_ms or int(self.clock.now() * 1000)
        return {
            "messageId": stored.message_id,
            "receiptHandle": handle,
            "body": stored.body,
            "attributes": {
                "ApproximateReceiveCount": str(receive_count),
                "SentTimestamp": str(stored.sent_ms),
                "SenderId": SENDER_ID,
                "ApproximateFirstReceiveTimestamp": str(first),
            },
            "messageAttributes": stored.attributes,
            "md5OfBody": hashlib.md5(stored.body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        }

    # ----- deleting and visibility -----------------------------------------------------
    def delete_message(self, receipt_handle: str) -> bool:
        """Delete the message last received with this handle; False if the handle is stale."""
        # A stale handle is from an earlier receive: the message came back and was received
        # again, and only the newest handle deletes it.
        stored = self._by_handle(receipt_handle)
        if stored is None:
            return False
        self._forget(stored)
        return True

    def change_message_visibility(self, receipt_handle: str, timeout_s: float) -> bool:
        """Make an in-flight message visible again after timeout_s (0: at once)."""
        check_visibility_timeout(timeout_s)
        stored = self._by_handle(receipt_handle)
        if stored is None:
            return False
        stored.invisible_until = self.clock.monotonic() + timeout_s
        return True

    def _by_handle(self, receipt_handle: str) -> _Stored | None:
        message_id = self._handles.get(receipt_handle)
        return self._messages.get(message_id) if message_id is not None else None

    def _keep(self, stored: _Stored) -> None:
        if self.store is not None:
            self.store.add_message(
                StoredMessage(
                    self.name,
                    stored.message_id,
                    stored.body,
                    stored.attributes,
                    stored.sent_ms,
                    stored.receive_count,
                    stored.first_receive_ms,
                )
            )

    def _forget(self, stored: _Stored, *, on_disk: bool = True) -> None:
        if on_disk and self.store is not None:
            self.store.remove_message(stored.message_id)
        del self._messages[stored.message_id]
        if stored.receipt_handle is not None:
            self._handles.pop(stored.receipt_handle, None)

    # ----- looking ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._messages)

    def counts(self) -> tuple[int, int]:
        """(visible, in flight): ApproximateNumberOfMessages and …NotVisible."""
        now = self.clock.monotonic()
        in_flight = sum(1 for s in self._messages.values() if s.invisible_until > now)
        return len(self._messages) - in_flight, in_flight

    def seconds_until_visible(self) -> float | None:
        """Clock seconds until the next in-flight message returns; None if none is in flight."""
        now = self.clock.monotonic()
        waits = [s.invisible_until - now for s in self._messages.values()]
        pending = [w for w in waits if w > 0]
        return min(pending) if pending else None

    def messages(self) -> list[QueuedMessage]:
        """Every message, oldest first."""
        now = self.clock.monotonic()
        return [
            QueuedMessage(
                s.message_id, s.body, s.receive_count, s.sent_ms / 1000, s.invisible_until > now
            )
            for s in self._messages.values()
        ]

    async def wait_for_message(self, timeout_s: float) -> None:
        """Return when a message is sent (or redriven) here, or after timeout_s real seconds."""
        if self._arrived is None:
            self._arrived = asyncio.Event()
        self._arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._arrived.wait(), max(timeout_s, 0.0))

    def _publish(self, event: QueueEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)


def check_visibility_timeout(seconds: float) -> None:
    low, high = VISIBILITY_TIMEOUT_RANGE_S
    if not low <= seconds <= high:
        raise QueueError(
            f"visibility timeout {seconds:g} s is out of range: use {low} to {high:,} seconds"
        )


def _receipt_handle() -> str:
    # Opaque like SQS's, and new on every receive: only the latest one deletes the message.
    return "AQEB" + base64.b64encode(secrets.token_bytes(_HANDLE_BYTES)).decode()


def _attribute(name: str, value: Any) -> dict[str, Any]:
    """A message attribute in the shape Lambda's SQS records carry."""
    if isinstance(value, Mapping) and "dataType" in value:
        return {"stringListValues": [], "binaryListValues": [], **value}
    base: dict[str, Any] = {"stringListValues": [], "binaryListValues": []}
    if isinstance(value, bytes):
        return {**base, "binaryValue": base64.b64encode(value).decode(), "dataType": "Binary"}
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QueueError(f"message attribute {name!r}: use a string, a number or bytes")
    kind = "String" if isinstance(value, str) else "Number"
    return {**base, "stringValue": str(value), "dataType": kind}
