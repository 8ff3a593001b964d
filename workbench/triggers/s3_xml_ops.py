"""XML of S3's write operations: multipart uploads, CopyObject and DeleteObjects.

Request bodies (CompleteMultipartUpload, Delete) are parsed without regard to namespace,
as clients send them with or without S3's; a DOCTYPE is refused, so no entity expands.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from workbench.triggers.s3_http import S3Error
from workbench.triggers.s3_multipart import Upload
from workbench.triggers.s3_xml import NAMESPACE, OWNER_ID, add, document, iso_time

MAX_DELETE_KEYS = 1000  # DeleteObjects takes at most 1,000 keys per request


def malformed() -> S3Error:
    return S3Error(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )


def _parse(body: bytes, root_tag: str) -> ET.Element:
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise malformed()
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise malformed() from None
    if _local(root.tag) != root_tag:
        raise malformed()
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, tag: str) -> str | None:
    for child in element:
        if _local(child.tag) == tag:
            return child.text or ""
    return None


def parse_complete(body: bytes) -> list[tuple[int, str]]:
    """(part number, eTag) of each <Part> in a CompleteMultipartUpload body."""
    parts = []
    for part in _parse(body, "CompleteMultipartUpload"):
        if _local(part.tag) != "Part":
            continue
        number, etag = _child_text(part, "PartNumber"), _child_text(part, "ETag")
        if number is None or etag is None or not number.strip().isdigit():
            raise malformed()
        parts.append((int(number), etag.strip()))
    return parts


def parse_delete(body: bytes) -> tuple[list[str], bool]:
    """The keys of a DeleteObjects body, and whether it asks for quiet mode."""
    root = _parse(body, "Delete")
    keys = []
    for item in root:
        if _local(item.tag) == "Object":
            key = _child_text(item, "Key")
            if not key:
                raise malformed()
            keys.append(key)
    if not keys or len(keys) > MAX_DELETE_KEYS:
        raise malformed()
    return keys, (_child_text(root, "Quiet") or "").strip().lower() == "true"


def initiate(bucket: str, key: str, upload_id: str) -> bytes:
    root = ET.Element("InitiateMultipartUploadResult", xmlns=NAMESPACE)
    add(root, "Bucket", bucket)
    add(root, "Key", key)
    add(root, "UploadId", upload_id)
    return document(root)


def completed(location: str, bucket: str, key: str, etag: str) -> bytes:
    root = ET.Element("CompleteMultipartUploadResult", xmlns=NAMESPACE)
    add(root, "Location", location)
    add(root, "Bucket", bucket)
    add(root, "Key", key)
    add(root, "ETag", f'"{etag}"')
    return document(root)


def _owner(parent: ET.Element, tag: str) -> None:
    owner = ET.SubElement(parent, tag)
    add(owner, "ID", OWNER_ID)
    add(owner, "DisplayName", "workbench")


def list_parts(upload: Upload, marker: int, max_parts: int) -> bytes:
    """<ListPartsResult>: one page of an upload's parts after part number `marker`."""
    after = [p for p in sorted(upload.parts.values(), key=lambda p: p.number) if p.number > marker]
    shown, truncated = after[:max_parts], len(after) > max_parts
    root = ET.Element("ListPartsResult", xmlns=NAMESPACE)
    add(root, "Bucket", upload.bucket)
    add(root, "Key", upload.key)
    add(root, "UploadId", upload.upload_id)
    _owner(root, "Initiator")
    _owner(root, "Owner")
    add(root, "StorageClass", "STANDARD")
    add(root, "PartNumberMarker", marker)
    add(root, "NextPartNumberMarker", shown[-1].number if shown else marker)
    add(root, "MaxParts", max_parts)
    add(root, "IsTruncated", "true" if truncated else "false")
    for part in shown:
        element = ET.SubElement(root, "Part")
        add(element, "PartNumber", part.number)
        add(element, "LastModified", iso_time(part.modified))
        add(element, "ETag", f'"{part.etag}"')
        add(element, "Size", part.size)
    return document(root)


def list_uploads(bucket: str, uploads: Iterable[Upload]) -> bytes:
    """<ListMultipartUploadsResult> with every upload in progress (no paging)."""
    root = ET.Element("ListMultipartUploadsResult", xmlns=NAMESPACE)
    add(root, "Bucket", bucket)
    add(root, "KeyMarker", "")
    add(root, "UploadIdMarker", "")
    add(root, "MaxUploads", MAX_DELETE_KEYS)
    add(root, "IsTruncated", "false")
    for upload in uploads:
        element = ET.SubElement(root, "Upload")
        add(element, "Key", upload.key)
        add(element, "UploadId", upload.upload_id)
        _owner(element, "Initiator")
        _owner(element, "Owner")
        add(element, "StorageClass", "STANDARD")
        add(element, "Initiated", iso_time(upload.initiated))
    return document(root)


def copy_result(etag: str, modified: float) -> bytes:
    root = ET.Element("CopyObjectResult", xmlns=NAMESPACE)
    add(root, "LastModified", iso_time(modified))
    add(root, "ETag", f'"{etag}"')
    return document(root)


def delete_result(deleted: list[str], errors: list[tuple[str, str, str]], quiet: bool) -> bytes:
    """<DeleteResult>: the deleted keys (left out in quiet mode) and (key, code, message)."""
    root = ET.Element("DeleteResult", xmlns=NAMESPACE)
    if not quiet:
        for key in deleted:
            add(ET.SubElement(root, "Deleted"), "Key", key)
    for key, code, message in errors:
        error = ET.SubElement(root, "Error")
        add(error, "Key", key)
        add(error, "Code", code)
        add(error, "Message", message)
    return document(root)
