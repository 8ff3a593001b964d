"""Multipart uploads: parts kept aside until CompleteMultipartUpload joins them into one file.

The parts live in a temporary folder of the endpoint, outside every bucket folder, so a
half-finished upload never appears as an object and never fires an event; the joined
object is then stored like any other (temporary name, renamed into place), and fires one
ObjectCreated:CompleteMultipartUpload. Rules as S3's (API reference, CompleteMultipartUpload
and UploadPart): part numbers 1 to 10,000, parts listed in ascending order with their
eTags, every part but the last at least 5 MiB, and the object's eTag is the md5 of the
parts' binary md5s followed by "-<number of parts>".
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.triggers.s3_http import CHUNK, S3Error

MIN_PART_BYTES = 5 * 1024 * 1024  # every part but the last
MAX_PART_NUMBER = 10_000


@dataclass(frozen=True)
class Part:
    number: int
    etag: str
    size: int
    modified: float


@dataclass
class Upload:
    upload_id: str
    bucket: str
    key: str
    headers: dict[str, str]
    folder: Path
    initiated: float = field(default_factory=time.time)
    parts: dict[int, Part] = field(default_factory=dict)


def no_such_upload(upload_id: str) -> S3Error:
    return S3Error(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed.",
        UploadId=upload_id,
    )


def part_number(text: str) -> int:
    """The partNumber query value; InvalidArgument unless 1 to 10,000."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_PART_NUMBER:
        raise S3Error(
            400,
            "InvalidArgument",
            f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive",
        )
    return int(text)


class Uploads:
    """The multipart uploads in progress on one endpoint, across its buckets."""

    def __init__(self) -> None:
        self._uploads: dict[str, Upload] = {}
        self._dir: Path | None = None

    def _folder(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="workbench-s3-uploads-"))
        return self._dir

    def create(self, bucket: str, key: str, headers: dict[str, str]) -> Upload:
        upload_id = secrets.token_urlsafe(36)
        folder = self._folder() / secrets.token_hex(8)
        folder.mkdir()
        upload = Upload(upload_id, bucket, key, headers, folder)
        self._uploads[upload_id] = upload
        return upload

    def get(self, upload_id: str, bucket: str, key: str) -> Upload:
        upload = self._uploads.get(upload_id)
        if upload is None or upload.bucket != bucket or upload.key != key:
            raise no_such_upload(upload_id)
        return upload

    def in_bucket(self, bucket: str) -> list[Upload]:
        found = [u for u in self._uploads.values() if u.bucket == bucket]
        return sorted(found, key=lambda u: (u.key, u.initiated))

    async def put_part(self, upload: Upload, number: int, chunks: AsyncIterator[bytes]) -> Part:
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        path = upload.folder / f"{number:05d}"
        temp = path.with_suffix(".tmp")
        file = await asyncio.to_thread(temp.open, "wb")
        with file:
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                await asyncio.to_thread(file.write, chunk)
        await asyncio.to_thread(temp.replace, path)
        part = Part(number, digest.hexdigest(), size, time.time())
        upload.parts[number] = part
        return part

    def chosen_parts(self, upload: Upload, requested: list[tuple[int, str]]) -> list[Part]:
        """The parts CompleteMultipartUpload names, checked as S3 checks them."""
        if not requested:
            raise S3Error(
                400,
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our "
                "published schema",
            )
        numbers = [number for number, _ in requested]
        if numbers != sorted(set(numbers)):
            raise S3Error(
                400,
                "InvalidPartOrder",
                "The list of parts was not in ascending order. The parts list must be "
                "specified in order by part number.",
            )
        parts = []
        for number, etag in requested:
            part = upload.parts.get(number)
            if part is None or part.etag != etag.strip('"'):
                raise S3Error(
                    400,
                    "InvalidPart",
                    "One or more of the specified parts could not be found. The part may not "
                    "have been uploaded, or the specified entity tag may not match the part's "
                    "entity tag.",
                    PartNumber=str(number),
                    ETag=etag,
                )
            parts.append(part)
        for part in parts[:-1]:
            if part.size < MIN_PART_BYTES:
                raise S3Error(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed object size.",
                    ProposedSize=str(part.size),
                    MinSizeAllowed=str(MIN_PART_BYTES),
                    PartNumber=str(part.number),
                )
        return parts

    @staticmethod
    def joined_etag(parts: list[Part]) -> str:
        digest = hashlib.md5(usedforsecurity=False)
        for part in parts:
            digest.update(bytes.fromhex(part.etag))
        return f"{digest.hexdigest()}-{len(parts)}"

    async def read(self, upload: Upload, parts: list[Part]) -> AsyncIterator[bytes]:
        """The joined object's bytes, part after part."""
        for part in parts:
            file = await asyncio.to_thread((upload.folder / f"{part.number:05d}").open, "rb")
            with file:
                while chunk := await asyncio.to_thread(file.read, CHUNK * 16):
                    yield chunk

    def finish(self, upload: Upload) -> None:
        """Forget an upload (completed or aborted) and delete its parts."""
        self._uploads.pop(upload.upload_id, None)
        shutil.rmtree(upload.folder, ignore_errors=True)

    def close(self) -> None:
        self._uploads.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
