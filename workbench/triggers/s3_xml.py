"""The XML bodies of the S3 API: errors, ListObjectsV2 and ListBuckets (AmazonS3.xsd shapes)."""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
OWNER_ID = "a2b7c0ffee0workbench0local0owner0000000000000000000000000000000"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
MAX_KEYS = 1000  # ListObjectsV2 returns at most 1,000 keys per page


def iso_time(epoch_s: float) -> str:
    """S3's timestamp in XML bodies: 2024-05-01T12:00:00.000Z."""
    when = datetime.fromtimestamp(epoch_s, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _document(root: ET.Element) -> bytes:
    return _DECLARATION + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _add(parent: ET.Element, tag: str, text: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def error_body(code: str, message: str, request_id: str, host_id: str, **extra: str) -> bytes:
    """<Error> as S3 sends it; extra fields such as Key or BucketName go in too."""
    root = ET.Element("Error")
    _add(root, "Code", code)
    _add(root, "Message", message)
    for tag, value in extra.items():
        _add(root, tag, value)
    _add(root, "RequestId", request_id)
    _add(root, "HostId", host_id)
    return _document(root)


def encode_token(marker: str) -> str:
    """A continuation token: the last key or common prefix returned, made opaque."""
    return base64.urlsafe_b64encode(marker.encode()).decode()


def decode_token(token: str) -> str:
    """The marker inside a continuation token; ValueError if it is not one of ours."""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("The continuation token provided is incorrect") from None


def page(
    keys: Iterable[str], *, prefix: str, delimiter: str, marker: str, max_keys: int
) -> tuple[list[tuple[str, str]], str | None]:
    """One page of sorted keys as ("key"|"prefix", name) entries, and the next marker if any."""
    entries: list[tuple[str, str]] = []
    for key in keys:
        if not key.startswith(prefix):
            continue
        if marker and (key <= marker or (delimiter and marker.endswith(delimiter)
                                         and key.startswith(marker))):  # fmt: skip
            continue
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        if cut >= 0:
            common = key[: cut + len(delimiter)]
            if entries and entries[-1] == ("prefix", common):
                continue
            entries.append(("prefix", common))
        else:
            entries.append(("key", key))
        if len(entries) > max_keys:
            break
    if len(entries) > max_keys:
        entries = entries[:max_keys]
        return entries, entries[-1][1] if entries else None
    return entries, None


def list_objects_v2(
    bucket: str,
    entries: list[tuple[str, str]],
    details: dict[str, tuple[int, float, str]],
    *,
    prefix: str,
    delimiter: str,
    max_keys: int,
    url_encode: bool,
    continuation_token: str | None,
    start_after: str,
    next_token: str | None,
) -> bytes:
    """<ListBucketResult>; details maps a key to (size, mtime, etag)."""

    def text(value: str) -> str:
        return quote(value, safe="/") if url_encode else value

    root = ET.Element("ListBucketResult", xmlns=NAMESPACE)
    _add(root, "Name", bucket)
    _add(root, "Prefix", text(prefix))
    if delimiter:
        _add(root, "Delimiter", text(delimiter))
    _add(root, "MaxKeys", max_keys)
    if url_encode:
        _add(root, "EncodingType", "url")
    _add(root, "KeyCount", len(entries))
    _add(root, "IsTruncated", "true" if next_token else "false")
    if continuation_token:
        _add(root, "ContinuationToken", continuation_token)
    if next_token:
        _add(root, "NextContinuationToken", next_token)
    if start_after:
        _add(root, "StartAfter", text(start_after))
    for kind, name in entries:
        if kind == "prefix":
            _add(ET.SubElement(root, "CommonPrefixes"), "Prefix", text(name))
            continue
        size, mtime, etag = details[name]
        contents = ET.SubElement(root, "Contents")
        _add(contents, "Key", text(name))
        _add(contents, "LastModified", iso_time(mtime))
        _add(contents, "ETag", f'"{etag}"')
        _add(contents, "Size", size)
        _add(contents, "StorageClass", "STANDARD")
    return _document(root)


def location_constraint() -> bytes:
    """GetBucketLocation's answer for us-east-1: an empty LocationConstraint."""
    return _document(ET.Element("LocationConstraint", xmlns=NAMESPACE))


def list_buckets(bucket: str, created: float) -> bytes:
    """<ListAllMyBucketsResult> with the one bucket this folder is."""
    root = ET.Element("ListAllMyBucketsResult", xmlns=NAMESPACE)
    owner = ET.SubElement(root, "Owner")
    _add(owner, "ID", OWNER_ID)
    _add(owner, "DisplayName", "workbench")
    entry = ET.SubElement(ET.SubElement(root, "Buckets"), "Bucket")
    _add(entry, "Name", bucket)
    _add(entry, "CreationDate", iso_time(created))
    return _document(root)
