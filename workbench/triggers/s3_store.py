"""One folder-backed bucket of the S3 endpoint: its objects as files, metadata, listeners.

The folder is the only copy of the data: an object is written under a temporary name and
renamed into place once complete, so neither the folder's watcher nor a file manager sees
half an object. Metadata a file cannot hold (Content-Type, x-amz-meta-*) is kept in memory
for the file version it was stored with; a file changed outside the API loses it, as it
would on S3 if the object were replaced.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.triggers.bucket_folder import TEMP_PREFIX, BadKey, Md5Cache, Version, key_path
from workbench.triggers.s3_http import S3Error, no_such_key

# Headers S3 stores with an object and sends back on GET and HEAD.
STORED_HEADERS = (
    "Content-Type", "Cache-Control", "Content-Disposition", "Content-Language", "Expires",
)  # fmt: skip


@dataclass(frozen=True)
class Write:
    """A complete object version the API stored: who is told, and how S3 names the event."""

    key: str
    version: Version
    etag: str
    source_ip: str
    traced: bool  # sent by a function's SDK (X-Amzn-Trace-Id): a link in a chain
    how: str = "Put"  # ObjectCreated:<how>: Put, Copy, CompleteMultipartUpload


Written = Callable[[Write], Awaitable[None]]
Deleted = Callable[[str, str, bool], Awaitable[None]]


@dataclass
class Listeners:
    """The notification targets of one bucket (each bucket trigger adds one pair)."""

    written: list[Written] = field(default_factory=list)
    deleted: list[Deleted] = field(default_factory=list)


def object_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The headers of a request that S3 keeps with the object: user metadata and a few more."""
    kept: dict[str, str] = {}
    wanted = {h.lower(): h for h in STORED_HEADERS}
    for name, value in headers:
        lower = name.lower()
        if lower.startswith("x-amz-meta-"):
            kept[lower] = value
        elif lower in wanted:
            kept[wanted[lower]] = value
    return kept


class FolderBucket:
    """The objects of one bucket, kept as the files under `root`."""

    def __init__(self, name: str, root: Path, md5: Md5Cache | None = None) -> None:
        self.name, self.root = name, Path(root).resolve()
        self.md5 = md5 or Md5Cache()
        self.created = time.time()
        self.listeners = Listeners()
        self._metadata: dict[str, tuple[Version, dict[str, str]]] = {}

    # ----- reading -----------------------------------------------------------------------
    def stat(self, key: str) -> tuple[Path, Version]:
        """Blocking: the file and version of `key`; NoSuchKey if there is none."""
        try:
            path = key_path(self.root, key)
            st = path.stat()
        except (BadKey, OSError):
            raise no_such_key(key) from None
        if not path.is_file():
            raise no_such_key(key)
        return path, Version(st.st_size, st.st_mtime_ns, st.st_ino)

    def metadata(self, key: str, version: Version) -> dict[str, str]:
        """The stored headers of this version of `key` (none if the file changed since)."""
        found = self._metadata.get(key)
        return dict(found[1]) if found and found[0] == version else {}

    # ----- writing -----------------------------------------------------------------------
    def path_for_writing(self, key: str) -> Path:
        """Blocking: the file for `key`, its folders made; S3Error if the folder cannot hold it."""
        try:
            path = key_path(self.root, key)
        except BadKey as exc:
            code = "KeyTooLongError" if "bytes long" in str(exc) else "InvalidArgument"
            raise S3Error(400, code, str(exc), Key=key) from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise S3Error(
                400, "InvalidArgument", f"a file stands where {key!r} needs a folder", Key=key
            ) from None
        if path.is_dir():
            raise S3Error(400, "InvalidArgument", f"{key!r} is a folder here", Key=key)
        return path

    async def store(
        self, key: str, chunks: AsyncIterator[bytes], headers: dict[str, str], etag: str = ""
    ) -> tuple[Version, str]:
        """Write an object from its bytes; returns its version and eTag (md5 unless given)."""
        path = await asyncio.to_thread(self.path_for_writing, key)
        digest = hashlib.md5(usedforsecurity=False)
        temp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}.part"
        try:
            file = await asyncio.to_thread(temp.open, "wb")
            with file:
                async for chunk in chunks:
                    digest.update(chunk)
                    await asyncio.to_thread(file.write, chunk)
            # Renamed into place only once complete, so the watcher never sees half a file.
            await asyncio.to_thread(os.replace, temp, path)
            st = await asyncio.to_thread(path.stat)
        except OSError as exc:
            raise S3Error(500, "InternalError", f"could not store {key!r}: {exc}") from None
        finally:
            temp.unlink(missing_ok=True)
        version = Version(st.st_size, st.st_mtime_ns, st.st_ino)
        etag = etag or digest.hexdigest()
        self.md5.remember(path, version, etag)
        self._metadata[key] = (version, headers)
        return version, etag

    async def remove(self, key: str) -> bool:
        """Delete `key`'s file; False if there was none (S3 answers the same either way)."""
        try:
            path = key_path(self.root, key)
            await asyncio.to_thread(path.unlink)
        except (BadKey, FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return False
        self._metadata.pop(key, None)
        return True

    # ----- telling the triggers ----------------------------------------------------------
    async def notify_written(self, write: Write) -> None:
        for listener in list(self.listeners.written):
            await listener(write)

    async def notify_deleted(self, key: str, source_ip: str, traced: bool) -> None:
        for listener in list(self.listeners.deleted):
            await listener(key, source_ip, traced)
