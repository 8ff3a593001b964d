"""One local S3 endpoint holding several folder-backed buckets (docs/decisions/007).

boto3 and the AWS CLI use it unchanged: path-style (`/<bucket>/<key>`, what botocore uses
for an endpoint given as an address) and virtual-host-style (`<bucket>.localhost`)
addressing, S3's XML bodies and error shapes, aws-chunked uploads, multipart uploads,
CopyObject, DeleteObjects, ListObjects v1 and v2, conditional requests, presigned URLs
(the signature is not checked, the credential is read). Each request is checked by the
guard (loopback Host and Origin only) and by the caller's simulated execution role before
anything is touched.

It only listens where the backend's environments can reach it (loopback, or Docker's
bridge), never on all interfaces.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from workbench.core.model import REGION
from workbench.invoke_api import bound_port
from workbench.triggers import s3_objects, s3_xml, s3_xml_ops
from workbench.triggers.bucket_folder import Md5Cache
from workbench.triggers.s3_access import Access, Identities, bucket_arn, object_arn
from workbench.triggers.s3_guard import access_key, host_name, is_local_name, refusal
from workbench.triggers.s3_http import S3Error, is_ip, not_implemented, read_body
from workbench.triggers.s3_multipart import Uploads, part_number
from workbench.triggers.s3_store import FolderBucket, object_headers

# Subresources this endpoint does not implement: refuse them rather than act on the object.
_UNSUPPORTED = {
    "acl", "attributes", "cors", "encryption", "legal-hold", "lifecycle", "logging",
    "notification", "object-lock", "policy", "replication", "restore", "retention", "select",
    "tagging", "torrent", "versioning", "versions", "website",
}  # fmt: skip
XML = "application/xml"
logger = logging.getLogger(__name__)


class S3Endpoint:
    """An S3 service whose buckets are folders; add buckets, then start it."""

    def __init__(self, identities: Identities | None = None) -> None:
        self.buckets: dict[str, FolderBucket] = {}
        self.uploads = Uploads()
        self._identities = identities
        # Request id → its place in a chain of bucket-triggered invocations running now
        # (bucket.Lineage), shared by the bucket triggers on this endpoint.
        self.chains: dict[str, Any] = {}
        self._runner: web.AppRunner | None = None
        self.host = ""
        self.url = ""

    def add_bucket(self, name: str, root: Path, md5: Md5Cache | None = None) -> FolderBucket:
        """Serve the folder `root` as bucket `name` (the same pair again is the same bucket)."""
        root = Path(root).resolve()
        known = self.buckets.get(name)
        if known is not None:
            if known.root != root:
                raise ValueError(
                    f"the bucket {name!r} is already the folder {known.root}; "
                    f"give {root} another bucket name"
                )
            return known
        if not root.is_dir():
            raise ValueError(f"{root} is not a folder")
        for other in self.buckets.values():
            if root == other.root or other.root in root.parents or root in other.root.parents:
                raise ValueError(
                    f"the folders of s3://{name} ({root}) and s3://{other.name} ({other.root}) "
                    "overlap: each bucket needs a folder of its own, not inside another's"
                )
        bucket = self.buckets[name] = FolderBucket(name, root, md5)
        return bucket

    # ----- serving ---------------------------------------------------------------------
    async def start(self, host: str, port: int = 0) -> str:
        """Serve on host:port; returns the endpoint URL. Refuses all interfaces (no auth)."""
        if not host or (is_ip(host) and ipaddress.ip_address(host.strip("[]")).is_unspecified):
            raise ValueError(f"refusing to serve the S3 endpoint on {host!r}: it has no auth")
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner, self.host = runner, host
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound_port(runner)}"
        return self.url

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        self._runner = None
        self.uploads.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id, host_id = secrets.token_hex(8).upper(), secrets.token_urlsafe(48)
        try:
            refused = refusal(request.headers, self.host)
            if refused:
                raise S3Error(403, "AccessDenied", refused)
            key_id = access_key(request.headers, request.query)
            caller = self._identities(key_id) if key_id and self._identities else None
            response = await self._dispatch(request, Access(caller))
        except S3Error as exc:
            body = s3_xml.error_body(exc.code, exc.message, request_id, host_id, **exc.extra)
            response = web.Response(status=exc.status, body=body, content_type=XML)
        except (web.HTTPException, ConnectionResetError):
            raise  # aiohttp's own answers (a body too large), or the client is gone
        except Exception as exc:  # a bug or a disk problem: S3's shape, and the reason logged
            logger.exception("S3 request %s %s failed", request.method, request.rel_url)
            message = f"The workbench's S3 endpoint failed: {exc!r}"
            body = s3_xml.error_body("InternalError", message, request_id, host_id)
            response = web.Response(status=500, body=body, content_type=XML)
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = host_id
        return response

    def _address(self, request: web.Request) -> tuple[str, str]:
        """(bucket, key) from a path-style or virtual-host-style request."""
        raw = request.rel_url.raw_path.lstrip("/")
        host = host_name(request.host or "")
        for name in self.buckets:
            rest = host.removeprefix(name + ".")
            if rest != host and is_local_name(rest, self.host):
                return name, unquote(raw)
        bucket, _, key = raw.partition("/")
        return unquote(bucket), unquote(key)

    # ----- routing ---------------------------------------------------------------------
    async def _dispatch(self, request: web.Request, access: Access) -> web.StreamResponse:
        name, key = self._address(request)
        method, query = request.method, request.query
        if not name:
            if method != "GET":
                raise S3Error(405, "MethodNotAllowed", f"{method} is not allowed on the service.")
            access.require("s3:ListAllMyBuckets", "*")
            body = s3_xml.list_buckets((b.name, b.created) for b in self.buckets.values())
            return web.Response(body=body, content_type=XML)
        bucket = self.buckets.get(name)
        if bucket is None and method == "PUT" and not key and not query:
            raise not_implemented(
                "CreateBucket: a bucket is a folder you declare (bucket DIR --root FOLDER "
                "--bucket NAME=FOLDER, or the trigger form's Other buckets)"
            )
        if bucket is None:
            raise S3Error(
                404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=name
            )
        unsupported = sorted(_UNSUPPORTED & set(query))
        if unsupported:
            raise not_implemented(f"the '{unsupported[0]}' subresource")
        if not key:
            return await self._bucket_request(bucket, request, access)
        if "uploads" in query or "uploadId" in query or "partNumber" in query:
            return await self._multipart(bucket, request, key, access)
        if method in ("GET", "HEAD"):
            return await s3_objects.get_object(bucket, request, key, access, method == "HEAD")
        if method == "PUT" and "x-amz-copy-source" in request.headers:
            return await s3_objects.copy_object(self.buckets, bucket, request, key, access)
        if method == "PUT":
            return await s3_objects.put_object(bucket, request, key, access)
        if method == "DELETE":
            return await s3_objects.delete_object(bucket, request, key, access)
        raise not_implemented(f"{method} on objects")

    async def _bucket_request(
        self, bucket: FolderBucket, request: web.Request, access: Access
    ) -> web.StreamResponse:
        method, query = request.method, request.query
        if method == "HEAD":
            access.require("s3:ListBucket", bucket_arn(bucket.name))
            return web.Response(headers={"x-amz-bucket-region": REGION})
        if method == "POST" and "delete" in query:
            return await s3_objects.delete_objects(bucket, request, access)
        if method == "PUT" and not query:
            raise S3Error(
                409,
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already "
                "own it.",
                BucketName=bucket.name,
            )
        if method != "GET":
            raise not_implemented(f"{method} on the bucket")
        if "location" in query:
            access.require("s3:GetBucketLocation", bucket_arn(bucket.name))
            body = s3_xml.location_constraint()  # us-east-1 is the empty constraint
            return web.Response(body=body, content_type=XML)
        if "uploads" in query:
            access.require("s3:ListBucketMultipartUploads", bucket_arn(bucket.name))
            body = s3_xml_ops.list_uploads(bucket.name, self.uploads.in_bucket(bucket.name))
            return web.Response(body=body, content_type=XML)
        return await s3_objects.list_objects(bucket, query, access)

    async def _multipart(
        self, bucket: FolderBucket, request: web.Request, key: str, access: Access
    ) -> web.StreamResponse:
        method, query = request.method, request.query
        arn = object_arn(bucket.name, key)
        if method == "POST" and "uploads" in query:
            access.require("s3:PutObject", arn)
            # The key must name a file before any part is sent.
            await asyncio.to_thread(bucket.path_for_writing, key)
            headers = object_headers(request.headers.items())
            upload = self.uploads.create(bucket.name, key, headers)
            body = s3_xml_ops.initiate(bucket.name, key, upload.upload_id)
            return web.Response(body=body, content_type=XML)
        upload_id = query.get("uploadId", "")
        if method == "PUT" and "partNumber" in query:
            if "x-amz-copy-source" in request.headers:
                raise not_implemented("UploadPartCopy; upload the part's bytes instead")
            access.require("s3:PutObject", arn)
            number = part_number(query["partNumber"])
            upload = self.uploads.get(upload_id, bucket.name, key)
            part = await self.uploads.put_part(upload, number, read_body(request))
            return web.Response(headers={"ETag": f'"{part.etag}"'})
        if method == "POST":
            access.require("s3:PutObject", arn)
            upload = self.uploads.get(upload_id, bucket.name, key)
            requested = s3_xml_ops.parse_complete(await request.read())
            parts = self.uploads.chosen_parts(upload, requested)
            etag = self.uploads.joined_etag(parts)
            chunks = self.uploads.read(upload, parts)
            version, etag = await bucket.store(key, chunks, upload.headers, etag)
            self.uploads.finish(upload)
            write = s3_objects.writer(request, key, version, etag, "CompleteMultipartUpload")
            await bucket.notify_written(write)
            location = f"{self.url}/{bucket.name}/{key}"
            body = s3_xml_ops.completed(location, bucket.name, key, etag)
            return web.Response(body=body, content_type=XML)
        if method == "DELETE":
            access.require("s3:AbortMultipartUpload", arn)
            self.uploads.finish(self.uploads.get(upload_id, bucket.name, key))
            return web.Response(status=204)
        if method == "GET":
            access.require("s3:ListMultipartUploadParts", arn)
            upload = self.uploads.get(upload_id, bucket.name, key)
            marker, most = _paging(query)
            body = s3_xml_ops.list_parts(upload, marker, most)
            return web.Response(body=body, content_type=XML)
        raise not_implemented(f"{method} on a multipart upload")


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    try:
        marker = int(query.get("part-number-marker", "0"))
        most = min(int(query.get("max-parts", "1000")), 1000)
    except ValueError:
        raise S3Error(
            400, "InvalidArgument", "max-parts and part-number-marker must be integers"
        ) from None
    return marker, most
