"""S3's object operations on a folder bucket: Get/Head, Put, Copy, Delete, and the listings.

Each function checks the caller's role first (as S3 authorises before it looks for the
object), then acts on the folder and tells the bucket's triggers about complete writes.
"""

from __future__ import annotations

import asyncio
import email.utils
import mimetypes
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from workbench.triggers import s3_xml, s3_xml_ops
from workbench.triggers.bucket_folder import Version, key_path, scan
from workbench.triggers.s3_access import Access, bucket_arn, object_arn
from workbench.triggers.s3_http import CHUNK, S3Error, byte_range, read_body
from workbench.triggers.s3_store import FolderBucket, Write, object_headers

Buckets = Mapping[str, FolderBucket]
XML = "application/xml"


def source_ip(request: web.Request) -> str:
    return request.remote or "127.0.0.1"


def traced(request: web.Request) -> bool:
    # Inside Lambda, the AWS SDKs send the invocation's trace header (recursion detection).
    return "X-Amzn-Trace-Id" in request.headers


def writer(request: web.Request, key: str, version: Version, etag: str, how: str) -> Write:
    return Write(key, version, etag, source_ip(request), traced(request), how)


async def read_file(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    file = await asyncio.to_thread(path.open, "rb")
    with file:
        await asyncio.to_thread(file.seek, start)
        while length > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK * 16, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


# ----- conditional requests -------------------------------------------------------------
def precondition_failed() -> S3Error:
    return S3Error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        Condition="If-Match",
    )


def _etags(header: str) -> set[str]:
    return {tag.strip().strip('"') for tag in header.split(",")}


def failed_precondition(headers: Mapping[str, str], etag: str, version: Version) -> int:
    """A GET/HEAD's conditions: 0 if they hold, else 412 (Precondition Failed) or 304.

    As S3 (and RFC 9110) orders them: If-Match, If-Unmodified-Since, If-None-Match, then
    If-Modified-Since.
    """
    modified = version.mtime_ns // 1_000_000_000

    def date(name: str) -> float | None:
        try:
            return email.utils.parsedate_to_datetime(headers[name]).timestamp()
        except (KeyError, TypeError, ValueError):
            return None

    if "If-Match" in headers and not ({etag, "*"} & _etags(headers["If-Match"])):
        return 412
    unmodified_since = date("If-Unmodified-Since")
    if "If-Match" not in headers and unmodified_since is not None and modified > unmodified_since:
        return 412
    if "If-None-Match" in headers:
        return 304 if {etag, "*"} & _etags(headers["If-None-Match"]) else 0
    modified_since = date("If-Modified-Since")
    if modified_since is not None and modified <= modified_since:
        return 304
    return 0


async def check_write_conditions(bucket: FolderBucket, request: web.Request, key: str) -> None:
    """PutObject's If-None-Match: * (only if absent) and If-Match (only that version)."""
    headers = request.headers
    if "If-None-Match" not in headers and "If-Match" not in headers:
        return
    try:
        path, version = await asyncio.to_thread(bucket.stat, key)
        etag = await asyncio.to_thread(bucket.md5.etag, path, version)
    except (S3Error, OSError):
        if "If-Match" in headers:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key) from None
        return
    if "If-None-Match" in headers:
        raise precondition_failed()
    if etag not in _etags(headers["If-Match"]):
        raise precondition_failed()


# ----- reading --------------------------------------------------------------------------
async def get_object(
    bucket: FolderBucket, request: web.Request, key: str, access: Access, head: bool
) -> web.StreamResponse:
    access.require("s3:GetObject", object_arn(bucket.name, key))
    try:
        path, version = await asyncio.to_thread(bucket.stat, key)
        etag = await asyncio.to_thread(bucket.md5.etag, path, version)
    except (S3Error, OSError):
        # S3's rule: without s3:ListBucket a missing key is AccessDenied, not NoSuchKey, so
        # that a caller cannot learn which keys exist (GetObject API reference).
        access.require("s3:ListBucket", bucket_arn(bucket.name))
        raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key) from None
    status = failed_precondition(request.headers, etag, version)
    if status == 304:
        return web.Response(status=304, headers={"ETag": f'"{etag}"'})
    if status:
        raise precondition_failed()
    size = version.size
    start, end = 0, size - 1
    response = web.StreamResponse(status=200)
    span = None if head else byte_range(request.headers.get("Range"), size)
    if span is not None:
        start, end = span
        response.set_status(206)
        response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    stored = bucket.metadata(key, version)
    response.headers.update(
        {
            "ETag": f'"{etag}"',
            "Last-Modified": email.utils.formatdate(version.mtime_ns / 1e9, usegmt=True),
            "Accept-Ranges": "bytes",
            "Content-Type": mimetypes.guess_type(key)[0] or "binary/octet-stream",
            **stored,
        }
    )
    response.content_length = max(end - start + 1, 0)
    await response.prepare(request)
    try:
        if not head:
            async for chunk in read_file(path, start, end - start + 1):
                await response.write(chunk)
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client hung up (a download cancelled); nothing was changed
    return response


async def list_objects(
    bucket: FolderBucket, query: Mapping[str, str], access: Access
) -> web.Response:
    """ListObjectsV2 (list-type=2) or ListObjects (version 1)."""
    access.require("s3:ListBucket", bucket_arn(bucket.name))
    v2 = query.get("list-type") == "2"
    prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
    encoding = query.get("encoding-type")
    if encoding not in (None, "url"):
        raise S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request")
    try:
        max_keys = min(int(query.get("max-keys", s3_xml.MAX_KEYS)), s3_xml.MAX_KEYS)
        if max_keys < 0:
            raise ValueError("Argument maxKeys must be an integer between 0 and 2147483647")
        token = query.get("continuation-token") if v2 else None
        if v2:
            marker = s3_xml.decode_token(token) if token else query.get("start-after", "")
        else:
            marker = query.get("marker", "")
    except ValueError as exc:
        raise S3Error(400, "InvalidArgument", str(exc)) from None
    objects = await asyncio.to_thread(scan, bucket.root)
    entries, next_marker = s3_xml.page(
        sorted(objects), prefix=prefix, delimiter=delimiter, marker=marker, max_keys=max_keys
    )
    details = await asyncio.to_thread(_details, bucket, objects, entries)
    entries = [e for e in entries if e[0] == "prefix" or e[1] in details]
    if v2:
        body = s3_xml.list_objects_v2(
            bucket.name,
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
    else:
        body = s3_xml.list_objects_v1(
            bucket.name,
            entries,
            details,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            url_encode=encoding == "url",
            marker=marker,
            next_marker=next_marker,
        )
    return web.Response(body=body, content_type=XML)


def _details(
    bucket: FolderBucket, objects: dict[str, Version], entries: list[tuple[str, str]]
) -> dict[str, tuple[int, float, str]]:
    """Blocking: (size, mtime, etag) of the listed keys that still exist."""
    found = {}
    for kind, key in entries:
        if kind == "key":
            version = objects[key]
            try:
                etag = bucket.md5.etag(key_path(bucket.root, key), version)
            except OSError:
                continue
            found[key] = (version.size, version.mtime_ns / 1e9, etag)
    return found


# ----- writing --------------------------------------------------------------------------
async def put_object(
    bucket: FolderBucket, request: web.Request, key: str, access: Access
) -> web.Response:
    access.require("s3:PutObject", object_arn(bucket.name, key))
    await check_write_conditions(bucket, request, key)
    headers = object_headers(request.headers.items())
    version, etag = await bucket.store(key, read_body(request), headers)
    await bucket.notify_written(writer(request, key, version, etag, "Put"))
    return web.Response(headers={"ETag": f'"{etag}"'})


def copy_source(header: str) -> tuple[str, str]:
    """(bucket, key) of an x-amz-copy-source header: URL-encoded bucket/key, maybe /-led."""
    path = header.split("?", 1)[0]  # a ?versionId=…; the key's own ? arrives as %3F
    source_bucket, _, source_key = unquote(path).lstrip("/").partition("/")
    if not source_bucket or not source_key:
        raise S3Error(
            400,
            "InvalidArgument",
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        )
    return source_bucket, source_key


async def copy_object(
    buckets: Buckets, bucket: FolderBucket, request: web.Request, key: str, access: Access
) -> web.Response:
    source_name, source_key = copy_source(request.headers["x-amz-copy-source"])
    access.require("s3:GetObject", object_arn(source_name, source_key))
    access.require("s3:PutObject", object_arn(bucket.name, key))
    source = buckets.get(source_name)
    if source is None:
        raise S3Error(
            404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=source_name
        )
    path, version = await asyncio.to_thread(source.stat, source_key)
    directive = request.headers.get("x-amz-metadata-directive", "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise S3Error(400, "InvalidArgument", "Unknown metadata directive.")
    if directive == "COPY" and source is bucket and source_key == key:
        raise S3Error(
            400,
            "InvalidRequest",
            "This copy request is illegal because it is trying to copy an object to itself "
            "without changing the object's metadata, storage class, website redirect location "
            "or encryption attributes.",
        )
    if directive == "COPY":
        headers = source.metadata(source_key, version)
    else:
        headers = object_headers(request.headers.items())
    chunks = read_file(path, 0, version.size)
    new_version, etag = await bucket.store(key, chunks, headers)
    await bucket.notify_written(writer(request, key, new_version, etag, "Copy"))
    body = s3_xml_ops.copy_result(etag, new_version.mtime_ns / 1e9)
    return web.Response(body=body, content_type=XML)


async def delete_object(
    bucket: FolderBucket, request: web.Request, key: str, access: Access
) -> web.Response:
    access.require("s3:DeleteObject", object_arn(bucket.name, key))
    if await bucket.remove(key):
        await bucket.notify_deleted(key, source_ip(request), traced(request))
    return web.Response(status=204)  # whether or not the key existed, as S3 answers


async def delete_objects(
    bucket: FolderBucket, request: web.Request, access: Access
) -> web.Response:
    keys, quiet = s3_xml_ops.parse_delete(await request.read())
    deleted, errors = [], []
    for key in keys:
        refused = access.denied("s3:DeleteObject", object_arn(bucket.name, key))
        if refused is not None:
            errors.append((key, refused.code, refused.message))
            continue
        if await bucket.remove(key):
            await bucket.notify_deleted(key, source_ip(request), traced(request))
        deleted.append(key)
    body = s3_xml_ops.delete_result(deleted, errors, quiet)
    return web.Response(body=body, content_type=XML)
