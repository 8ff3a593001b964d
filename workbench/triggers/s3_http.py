"""HTTP details of the bucket's S3 API: error values, request bodies, byte ranges, addresses."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator

from aiohttp import web

CHUNK = 1 << 16


class S3Error(Exception):
    """An S3 error response: HTTP status, S3's error code, message and extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def no_such_key(key: str) -> S3Error:
    return S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key)


def not_implemented(what: str) -> S3Error:
    return S3Error(501, "NotImplemented", f"The workbench bucket does not implement {what}.")


async def read_body(request: web.Request) -> AsyncIterator[bytes]:
    """The object's bytes, decoding aws-chunked bodies (SigV4 streaming uploads)."""
    encoding = request.headers.get("Content-Encoding", "")
    streaming = request.headers.get("x-amz-content-sha256", "").startswith("STREAMING-")
    if "aws-chunked" not in encoding and not streaming:
        async for chunk in request.content.iter_chunked(CHUNK):
            yield chunk
        return
    try:
        while size := int((await request.content.readline()).split(b";")[0].strip(), 16):
            yield await request.content.readexactly(size)
            await request.content.readexactly(2)  # the CRLF after each chunk
    except (ValueError, asyncio.IncompleteReadError):
        raise S3Error(400, "IncompleteBody", "The aws-chunked body is malformed.") from None
    await request.content.read()  # trailing checksum headers


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `Range: bytes=...`; None to send the whole object."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].partition("-")
    try:
        if not first:
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
    except ValueError:
        return None
    if start >= size or start > end:
        raise S3Error(416, "InvalidRange", "The requested range is not satisfiable")
    return start, end


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
