"""A folder seen as a bucket: keys ↔ paths, object versions, eTags, and the change watcher.

The watcher polls (os.scandir, recursively, every ~0.3 s): portable, no dependency, and a
poll compares whole snapshots, so a burst of changes or a missed notification cannot lose
an event. A file fires only when it is complete: the same size and mtime on two polls, not
open for writing by any process (a Linux read lease fails while a writer holds the file;
elsewhere, a quiet period stands in), and not a temporary name that browsers, editors and
copy tools write before renaming.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fnmatch
import hashlib
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

try:
    import fcntl
except ImportError:  # Windows: no leases; the quiet period decides
    fcntl = None  # type: ignore[assignment]

# Our own uploads are written under this name, then renamed into place.
TEMP_PREFIX = ".~workbench-"
IGNORED_NAMES = (
    "*.part", "*.partial", "*.crdownload", "*.download", "*.tmp", "*.temp",
    "*.swp", "*.swo", "*.swx", "*~", ".~*", "~$*", ".#*", "4913", ".DS_Store",
)  # fmt: skip
QUIET_S = 2.0  # without leases, a file untouched this long counts as complete
MAX_KEY_BYTES = 1024  # S3's limit on a key's UTF-8 length


class BadKey(ValueError):
    """A key that cannot name a file in the folder (S3 would accept it; a folder cannot)."""


@dataclass(frozen=True)
class Version:
    """What identifies one version of an object on disk."""

    size: int
    mtime_ns: int
    inode: int


def ignored(name: str) -> bool:
    """True for temporary and system file names that are never objects."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_NAMES)


def key_path(root: Path, key: str) -> Path:
    """The file that holds `key`; BadKey when the key has no safe file name."""
    if not key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise BadKey(f"a key must be 1 to {MAX_KEY_BYTES} bytes long")
    parts = key.split("/")
    if any(p in ("", ".", "..") or "\0" in p or "\\" in p for p in parts):
        raise BadKey(
            f"the workbench bucket keeps objects as files, so {key!r} cannot be stored: "
            "avoid empty, '.' or '..' path segments and backslashes"
        )
    if parts[-1].startswith(TEMP_PREFIX):
        raise BadKey(f"keys starting with {TEMP_PREFIX!r} are reserved by the workbench")
    return root.joinpath(*parts)


def scan(root: Path) -> dict[str, Version]:
    """Every object in the folder by key; symlinked folders are not followed (no cycles)."""
    found: dict[str, Version] = {}
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            if folder == root:
                raise
            continue  # removed or unreadable meanwhile: its objects are gone or hidden
        for entry in entries:
            key = prefix + entry.name
            try:
                key.encode("utf-8")
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), key + "/"))
                elif entry.is_file() and not ignored(entry.name):
                    st = entry.stat()
                    found[key] = Version(st.st_size, st.st_mtime_ns, st.st_ino)
            except (OSError, UnicodeEncodeError):
                continue  # vanished, or a name no key can spell
    return found


def open_for_writing(path: Path) -> bool | None:
    """Whether some process has the file open for writing; None when this cannot be told."""
    # Linux refuses a read lease (EAGAIN) while any writer holds the file. The lease is
    # released at once; should a writer open the file in that instant, the kernel signals
    # us, with SIGURG (ignored by default) rather than SIGIO (which would end the process).
    if fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return True if exc.errno in (errno.EAGAIN, errno.EBUSY) else None
    else:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


class Md5Cache:
    """eTags (md5 hex) by file version, so a listing or a GET does not hash a file twice."""

    def __init__(self, limit: int = 10_000) -> None:
        self._known: dict[tuple[str, Version], str] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def etag(self, path: Path, version: Version) -> str:
        """Blocking: hash the file unless this version was hashed before."""
        with self._lock:
            cached = self._known.get((str(path), version))
        if cached:
            return cached
        digest = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        self.remember(path, version, digest.hexdigest())
        return digest.hexdigest()

    def remember(self, path: Path, version: Version, etag: str) -> None:
        with self._lock:
            if len(self._known) >= self._limit:
                self._known.pop(next(iter(self._known)))
            self._known[(str(path), version)] = etag


@dataclass(frozen=True)
class Change:
    kind: Literal["put", "delete"]
    key: str
    version: Version | None = None
    etag: str | None = None


class FolderWatcher:
    """Turns successive snapshots of the folder into one change per complete object version."""

    # poll() scans on a thread; the rest runs on the event loop, where the S3 API also notes
    # its own writes (note_written / note_deleted) so that they are not reported twice.

    def __init__(self, root: Path, md5: Md5Cache) -> None:
        self.root = root
        self._md5 = md5
        self._known: dict[str, Version] = {}
        self._pending: dict[str, Version] = {}
        self._touched: set[str] = set()

    def baseline(self) -> int:
        """Blocking: take the folder's current objects as already there (they do not fire)."""
        self._known = scan(self.root)
        return len(self._known)

    def note_written(self, key: str, version: Version) -> None:
        self._known[key] = version
        self._pending.pop(key, None)
        self._touched.add(key)

    def note_deleted(self, key: str) -> None:
        self._known.pop(key, None)
        self._pending.pop(key, None)
        self._touched.add(key)

    async def poll(self) -> list[Change]:
        """The changes since the last poll; raises OSError if the folder itself is gone."""
        self._touched.clear()
        current, ready = await asyncio.to_thread(self._look, dict(self._pending))
        return self._diff(current, ready)

    def _look(self, pending: dict[str, Version]) -> tuple[dict[str, Version], dict[str, str]]:
        """Blocking: the snapshot, and the eTags of pending files that are now complete."""
        current = scan(self.root)
        ready: dict[str, str] = {}
        for key, version in current.items():
            if pending.get(key) == version:
                etag = self._complete_etag(key, version)
                if etag is not None:
                    ready[key] = etag
        return current, ready

    def _complete_etag(self, key: str, version: Version) -> str | None:
        """Blocking: the eTag of a file nobody is writing any more, else None."""
        path = key_path(self.root, key)
        try:
            writing = open_for_writing(path)
            if writing is None:
                writing = os.stat(path).st_mtime_ns / 1e9 > time.time() - QUIET_S
            return None if writing else self._md5.etag(path, version)
        except OSError:
            return None  # gone meanwhile: the next scan says so

    def _diff(self, current: dict[str, Version], ready: dict[str, str]) -> list[Change]:
        changes: list[Change] = []
        for key, version in sorted(current.items()):
            if key in self._touched:
                continue  # the S3 API changed it during this scan; it has reported it
            if self._known.get(key) == version:
                self._pending.pop(key, None)
                continue
            if key in ready and self._pending.get(key) == version:
                self._known[key] = version
                del self._pending[key]
                changes.append(Change("put", key, version, ready[key]))
            else:
                self._pending[key] = version  # new or still changing: look again next poll
        for key in [k for k in self._known if k not in current and k not in self._touched]:
            del self._known[key]
            changes.append(Change("delete", key))
        for key in [k for k in self._pending if k not in current]:
            del self._pending[key]  # never completed (a temporary file renamed or removed)
        return changes
