"""S3 for a folder-backed bucket: GetObject, PutObject, HeadObject, DeleteObject, ListObjectsV2.

Why hand-written rather than moto's server mode (ThreadedMotoServer, evaluated): moto keeps
objects in memory, so the folder would have to be mirrored into moto and moto's state back
onto disk, two copies that drift and race the watcher (double or lost events); the bucket's
causality tracking needs to see each write as it happens, which moto does not offer; and the
server mode needs Flask and werkzeug, which the project does not otherwise carry. These five
operations are small and fully specified, and here the folder is the only copy of the data.

Requests are answered as S3 answers them, so an unmodified boto3 works: path-style
addressing (`/<bucket>/<key>`, what botocore uses for an endpoint given as an IP address; a
`<bucket>.<host>` Host is understood too), ETag headers, `encoding-type=url` listings, and
<Error> bodies such as NoSuchKey with 404. Signatures are not checked: the environments hold
dummy credentials, and the server only listens where the backend's environments can reach
it (loopback, or Docker's bridge), never on all interfaces.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import ipaddress
import mimetypes
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from workbench.core.model import REGION
from workbench.triggers import s3_xml
from workbench.triggers.bucket_folder import TEMP_PREFIX, BadKey, Md5Cache, Version, key_path, scan
from workbench.triggers.s3_http import (
    CHUNK,
    S3Error,
    byte_range,
    is_ip,
    no_such_key,
    not_implemented,
    read_body,
)

# Subresources this bucket does not implement: refuse them rather than act on the object.
_UNSUPPORTED = {
    "acl", "attributes", "cors", "delete", "encryption", "legal-hold", "lifecycle", "logging",
    "notification", "object-lock", "partNumber", "policy", "replication", "restore",
    "retention", "select", "tagging", "torrent", "uploadId", "uploads", "versioning",
    "versions", "website",
}  # fmt: skip

Written = Callable[[str, Version, str, str, bool], Awaitable[None]]
Deleted = Callable[[str, str, bool], Awaitable[None]]


class FolderS3:
    """Answers S3 requests for one bucket whose objects are the files under `root`."""

    def __init__(
        self, name: str, root: Path, md5: Md5Cache, written: Written, deleted: Deleted
    ) -> None:
        self.name, self.root, self.md5 = name, root, md5
        self._written, self._deleted = written, deleted
        self._created = time.time()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id, host_id = secrets.token_hex(8).upper(), secrets.token_urlsafe(48)
        try:
            response = await self._dispatch(request)
        except S3Error as exc:
            body = s3_xml.error_body(exc.code, exc.message, request_id, host_id, **exc.extra)
            response = web.Response(status=exc.status, body=body, content_type="application/xml")
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = host_id
        return response

    def _address(self, request: web.Request) -> tuple[str, str]:
        """(bucket, key) from a path-style or virtual-host-style request."""
        raw = request.rel_url.raw_path.lstrip("/")
        host = (request.host or "").rsplit(":", 1)[0]
        if host.startswith(self.name + ".") and not is_ip(host):
            return self.name, unquote(raw)
        bucket, _, key = raw.partition("/")
        return unquote(bucket), unquote(key)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        bucket, key = self._address(request)
        method, query = request.method, request.query
        if not bucket:
            if method != "GET":
                raise S3Error(405, "MethodNotAllowed", f"{method} is not allowed on the service.")
            body = s3_xml.list_buckets(self.name, self._created)
            return web.Response(body=body, content_type="application/xml")
        if bucket != self.name:
            raise S3Error(
                404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=bucket
            )
        unsupported = sorted(_UNSUPPORTED & set(query))
        if unsupported:
            raise not_implemented(f"the '{unsupported[0]}' subresource")
        if not key:
            return await self._bucket_request(method, query)
        if method in ("GET", "HEAD"):
            return await self._get(request, key, head=method == "HEAD")
        if method == "PUT":
            if "x-amz-copy-source" in request.headers:
                raise not_implemented("CopyObject; GetObject then PutObject instead")
            return await self._put(request, key)
        if method == "DELETE":
            return await self._delete(request, key)
        raise not_implemented(f"{method} on objects (multipart uploads, for example)")

    async def _bucket_request(self, method: str, query: Mapping[str, str]) -> web.StreamResponse:
        if method == "HEAD":
            return web.Response(headers={"x-amz-bucket-region": REGION})
        if method != "GET":
            raise not_implemented(f"{method} on the bucket")
        if "location" in query:
            body = s3_xml.location_constraint()  # us-east-1 is the empty constraint
            return web.Response(body=body, content_type="application/xml")
        if query.get("list-type") != "2":
            raise not_implemented("ListObjects (version 1); use ListObjectsV2 (list_objects_v2)")
        return await self._list(query)

    # ----- objects -------------------------------------------------------------------------
    def _stat(self, key: str) -> tuple[Path, Version]:
        try:
            path = key_path(self.root, key)
            st = path.stat()
        except (BadKey, OSError):
            raise no_such_key(key) from None
        if not path.is_file():
            raise no_such_key(key)
        return path, Version(st.st_size, st.st_mtime_ns, st.st_ino)

    async def _get(self, request: web.Request, key: str, head: bool) -> web.StreamResponse:
        path, version = await asyncio.to_thread(self._stat, key)
        try:
            etag = await asyncio.to_thread(self.md5.etag, path, version)
        except OSError:
            raise no_such_key(key) from None
        size = version.size
        start, end = 0, size - 1
        response = web.StreamResponse(status=200)
        span = None if head else byte_range(request.headers.get("Range"), size)
        if span is not None:
            start, end = span
            response.set_status(206)
            response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        response.headers.update(
            {
                "ETag": f'"{etag}"',
                "Last-Modified": email.utils.formatdate(version.mtime_ns / 1e9, usegmt=True),
                "Accept-Ranges": "bytes",
                "Content-Type": mimetypes.guess_type(key)[0] or "binary/octet-stream",
            }
        )
        response.content_length = max(end - start + 1, 0)
        await response.prepare(request)
        if not head:
            with path.open("rb") as file:
                file.seek(start)
                left = end - start + 1
                while left > 0:
                    chunk = await asyncio.to_thread(file.read, min(CHUNK * 16, left))
                    if not chunk:
                        break
                    left -= len(chunk)
                    await response.write(chunk)
        await response.write_eof()
        return response

    async def _put(self, request: web.Request, key: str) -> web.StreamResponse:
        try:
            path = key_path(self.root, key)
        except BadKey as exc:
            code = "KeyTooLongError" if "bytes long" in str(exc) else "InvalidArgument"
            raise S3Error(400, code, str(exc), Key=key) from None
        try:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        except OSError:
            raise S3Error(
                400, "InvalidArgument", f"a file stands where {key!r} needs a folder", Key=key
            ) from None
        if path.is_dir():
            raise S3Error(400, "InvalidArgument", f"{key!r} is a folder here", Key=key)
        digest = hashlib.md5(usedforsecurity=False)
        temp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}.part"
        try:
            file = await asyncio.to_thread(temp.open, "wb")
            with file:
                async for chunk in read_body(request):
                    digest.update(chunk)
                    await asyncio.to_thread(file.write, chunk)
            # Renamed into place only once complete, so the watcher never sees half a file.
            await asyncio.to_thread(os.replace, temp, path)
            st = await asyncio.to_thread(path.stat)
        except OSError as exc:
            raise S3Error(500, "InternalError", f"could not store {key!r}: {exc}") from None
        finally:
            temp.unlink(missing_ok=True)
        version, etag = Version(st.st_size, st.st_mtime_ns, st.st_ino), digest.hexdigest()
        self.md5.remember(path, version, etag)
        await self._written(key, version, etag, _source_ip(request), _traced(request))
        return web.Response(headers={"ETag": f'"{etag}"'})

    async def _delete(self, request: web.Request, key: str) -> web.StreamResponse:
        try:
            path = key_path(self.root, key)
            await asyncio.to_thread(path.unlink)
        except (BadKey, FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass  # S3 answers 204 whether or not the key existed
        else:
            await self._deleted(key, _source_ip(request), _traced(request))
        return web.Response(status=204)

    async def _list(self, query: Mapping[str, str]) -> web.StreamResponse:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
        encoding = query.get("encoding-type")
        if encoding not in (None, "url"):
            raise S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request")
        try:
            max_keys = min(int(query.get("max-keys", s3_xml.MAX_KEYS)), s3_xml.MAX_KEYS)
            if max_keys < 0:
                raise ValueError("Argument maxKeys must be an integer between 0 and 2147483647")
            token = query.get("continuation-token")
            marker = s3_xml.decode_token(token) if token else query.get("start-after", "")
        except ValueError as exc:
            raise S3Error(400, "InvalidArgument", str(exc)) from None
        objects = await asyncio.to_thread(scan, self.root)
        entries, next_marker = s3_xml.page(
            sorted(objects), prefix=prefix, delimiter=delimiter, marker=marker, max_keys=max_keys
        )
        details = await asyncio.to_thread(self._details, objects, entries)
        entries = [e for e in entries if e[0] == "prefix" or e[1] in details]
        body = s3_xml.list_objects_v2(
            self.name,
            entries,
            details,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            url_encode=encoding == "url",
            continuation_token=token,
            start_after=query.get("start-after", ""),
            next_token=s3_xml.encode_token(next_marker) if next_marker else None,
        )
        return web.Response(body=body, content_type="application/xml")

    def _details(
        self, objects: dict[str, Version], entries: list[tuple[str, str]]
    ) -> dict[str, tuple[int, float, str]]:
        """Blocking: (size, mtime, etag) of the listed keys that still exist."""
        found = {}
        for kind, key in entries:
            if kind == "key":
                version = objects[key]
                try:
                    etag = self.md5.etag(key_path(self.root, key), version)
                except OSError:
                    continue
                found[key] = (version.size, version.mtime_ns / 1e9, etag)
        return found


def _source_ip(request: web.Request) -> str:
    return request.remote or "127.0.0.1"


def _traced(request: web.Request) -> bool:
    # Inside Lambda, the AWS SDKs send the invocation's trace header (recursion detection).
    return "X-Amzn-Trace-Id" in request.headers


async def start_s3_api(api: FolderS3, host: str, port: int = 0) -> web.AppRunner:
    """Serve the bucket's S3 API on host:port; refuses to listen on all interfaces."""
    if not host or (is_ip(host) and ipaddress.ip_address(host.strip("[]")).is_unspecified):
        raise ValueError(f"refusing to serve the bucket's S3 API on {host!r}: it has no auth")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", api.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
