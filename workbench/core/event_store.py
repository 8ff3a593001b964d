"""Durable storage for what the service has accepted but not yet delivered.

Two kinds of entries live in one SQLite file (stdlib sqlite3, WAL journal):
- asynchronous (Event) invocations answered 202, kept until delivered, given up on by their
  retry rules, or expired by their maximum event age;
- messages of local SQS-like queues, kept until deleted or moved to a dead-letter queue.

Each write is committed before the caller goes on, so a `kill -9` loses nothing that was
accepted. WAL with synchronous=NORMAL survives a crash of the process (not necessarily a
power cut of the machine).

Delivery is at least once, like AWS's: an event whose invocation was running when the
process died is delivered again on the next start, so a handler may see it twice. The same
is true of a message whose batch ran but whose deletion was not yet written.

Several processes may share the file. Each open store has an owner token; events belong to
the store that accepted or resumed them, and `claim_events` takes over only the events of
owners that are gone (their process died or their store was closed).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STORE_FILE_NAME = "pending.sqlite3"
DATA_DIR_ENV = "LAMBDA_WORKBENCH_DATA_DIR"  # tests and portable installs point this elsewhere

_SCHEMA = """
CREATE TABLE IF NOT EXISTS async_events (
    request_id TEXT PRIMARY KEY,
    function TEXT NOT NULL,
    qualifier TEXT,
    payload BLOB NOT NULL,
    accepted_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error_retries INTEGER NOT NULL DEFAULT 0,
    owner TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_ms INTEGER
);
CREATE INDEX IF NOT EXISTS queue_messages_by_queue ON queue_messages (queue, seq);
"""

# Owner tokens of stores open in this process, so that one process's second store does not
# take over events its first store is still delivering.
_OPEN_OWNERS: set[str] = set()


@dataclass(frozen=True)
class StoredEvent:
    """An accepted asynchronous invocation and how far its delivery got."""

    request_id: str
    function: str
    payload: bytes
    accepted_at: float  # epoch seconds, on the service's clock
    qualifier: str | None = None
    attempts: int = 0  # delivery attempts so far, throttled ones included
    error_retries: int = 0  # retries after function errors already used


@dataclass(frozen=True)
class StoredMessage:
    """A queue message as kept on disk."""

    queue: str
    message_id: str
    body: str
    attributes: dict[str, Any]
    sent_ms: int
    receive_count: int = 0
    first_receive_ms: int | None = None


def default_store_path() -> Path:
    """The store in the user data folder (or $LAMBDA_WORKBENCH_DATA_DIR when set)."""
    folder = os.environ.get(DATA_DIR_ENV)
    if not folder:
        import platformdirs  # only here: the core needs no third-party package otherwise

        folder = platformdirs.user_data_dir("lambda-workbench")
    return Path(folder) / STORE_FILE_NAME


def open_default_store() -> tuple[EventStore | None, str | None]:
    """The store in the user data folder, or None and a warning saying why it is unusable."""
    path = default_store_path()
    try:
        return EventStore(path), None
    except (OSError, sqlite3.Error) as exc:
        return None, (
            f"cannot keep queued events in {path} ({exc}); events accepted now are lost if "
            "the process stops"
        )


def pending_message(store: EventStore | None, remaining: int) -> str | None:
    """What to tell a person stopping with accepted events still queued (None: nothing)."""
    if store is None or not remaining:
        return None
    return (
        f"{remaining} accepted event(s) still queued; they will resume on the next start "
        f"(kept in {store.path})"
    )


class EventStore:
    """Pending async events and queue messages in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # The service's loop thread and worker threads (e.g. the app's) may both use it.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex}"
        _OPEN_OWNERS.add(self.owner)

    def close(self) -> None:
        """Close the file; events this store owned become claimable by the next one."""
        _OPEN_OWNERS.discard(self.owner)
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ----- asynchronous invocations ----------------------------------------------------
    def add_event(self, event: StoredEvent) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO async_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.request_id,
                    event.function,
                    event.qualifier,
                    event.payload,
                    event.accepted_at,
                    event.attempts,
                    event.error_retries,
                    self.owner,
                ),
            )

    def record_attempt(self, request_id: str, attempts: int, error_retries: int) -> None:
        """Remember how many runs and error retries an event has had (for a restart)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE async_events SET attempts = ?, error_retries = ? WHERE request_id = ?",
                (attempts, error_retries, request_id),
            )

    def remove_event(self, request_id: str) -> None:
        """The event is finished with: delivered, or given up on by its rules."""
        with self._transaction() as db:
            db.execute("DELETE FROM async_events WHERE request_id = ?", (request_id,))

    def claim_events(self, functions: set[str] | None = None) -> list[StoredEvent]:
        """Take over events left by owners that are gone; oldest first.

        functions: only events of these functions (others wait for a service that has them).
        """
        with self._transaction() as db:
            rows = db.execute(
                "SELECT request_id, function, payload, accepted_at, qualifier, attempts, "
                "error_retries, owner FROM async_events ORDER BY accepted_at"
            ).fetchall()
            claimed: list[StoredEvent] = []
            for *fields, owner in rows:
                if owner != self.owner and _owner_alive(owner):
                    continue
                event = StoredEvent(*fields)
                if functions is not None and event.function not in functions:
                    continue
                if owner != self.owner:
                    db.execute(
                        "UPDATE async_events SET owner = ? WHERE request_id = ?",
                        (self.owner, event.request_id),
                    )
                claimed.append(event)
        return claimed

    def pending_events(self, *, mine_only: bool = True) -> int:
        """How many events are kept (this store's own, or all of them)."""
        query = "SELECT COUNT(*) FROM async_events"
        args: tuple[str, ...] = ()
        if mine_only:
            query, args = query + " WHERE owner = ?", (self.owner,)
        with self._lock:
            return int(self._db.execute(query, args).fetchone()[0])

    # ----- queue messages --------------------------------------------------------------
    def add_message(self, message: StoredMessage) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO queue_messages (message_id, queue, body, attributes, "
                "sent_ms, receive_count, first_receive_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    message.message_id,
                    message.queue,
                    message.body,
                    json.dumps(message.attributes),
                    message.sent_ms,
                    message.receive_count,
                    message.first_receive_ms,
                ),
            )

    def record_receive(
        self, message_id: str, receive_count: int, first_receive_ms: int | None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE queue_messages SET receive_count = ?, first_receive_ms = ? "
                "WHERE message_id = ?",
                (receive_count, first_receive_ms, message_id),
            )

    def move_message(self, message_id: str, queue: str) -> None:
        """A redrive: the message now belongs to another queue (its dead-letter queue)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE queue_messages SET queue = ? WHERE message_id = ?", (queue, message_id)
            )

    def remove_message(self, message_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM queue_messages WHERE message_id = ?", (message_id,))

    def messages(self, queue: str) -> list[StoredMessage]:
        """A queue's kept messages, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT queue, message_id, body, attributes, sent_ms, receive_count, "
                "first_receive_ms FROM queue_messages WHERE queue = ? ORDER BY seq",
                (queue,),
            ).fetchall()
        return [
            StoredMessage(q, mid, body, json.loads(attrs), sent, count, first)
            for q, mid, body, attrs, sent, count, first in rows
        ]


def _owner_alive(owner: str) -> bool:
    """Whether the store that owns an event may still be delivering it."""
    pid_text, _, _ = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return owner in _OPEN_OWNERS
    if os.name == "nt":
        return False  # os.kill(pid, 0) would send Ctrl+C there; assume a restarted app
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else, or cannot tell: leave it alone
    return True
