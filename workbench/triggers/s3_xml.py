"""The XML bodies of the S3 API: errors, listings and ListBuckets (AmazonS3.xsd shapes)."""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
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


def document(root: ET.Element) -> bytes:
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return _DECLARATION + text


def add(parent: ET.Element, tag: str, text: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def error_body(code: str, message: str, request_id: str, host_id: str, **extra: str) -> bytes:
    """<Error> as S3 sends it; extra fields such as Key or BucketName go in too."""
    root = ET.Element("Error")
    add(root, "Code", code)
    add(root, "Message", message)
    for tag, value in extra.items():
        add(root, tag, value)
    add(root, "RequestId", request_id)
    add(root, "HostId", host_id)
    return document(root)


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


def _entries(
    root: ET.Element,
    entries: list[tuple[str, str]],
    details: dict[str, tuple[int, float, str]],
    text: Callable[[str], str],
) -> None:
    for kind, name in entries:
        if kind == "prefix":
            add(ET.SubElement(root, "CommonPrefixes"), "Prefix", text(name))
            continue
        size, mtime, etag = details[name]
        contents = ET.SubElement(root, "Contents")
        add(contents, "Key", text(name))
        add(contents, "LastModified", iso_time(mtime))
        add(contents, "ETag", f'"{etag}"')
        add(contents, "Size", size)
        add(contents, "StorageClass", "STANDARD")


def _encoder(url_encode: bool) -> Callable[[str], str]:
    return (lambda value: quote(value, safe="/")) if url_encode else (lambda value: value)


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
    """<ListBucketResult> of ListObjectsV2; details maps a key to (size, mtime, etag)."""
    text = _encoder(url_encode)
    root = ET.Element("ListBucketResult", xmlns=NAMESPACE)
    add(root, "Name", bucket)
    add(root, "Prefix", text(prefix))
    if delimiter:
        add(root, "Delimiter", text(delimiter))
    add(root, "MaxKeys", max_keys)
    if url_encode:
        add(root, "EncodingType", "url")
    add(root, "KeyCount", len(entries))
    add(root, "IsTruncated", "true" if next_token else "false")
    if continuation_token:
        add(root, "ContinuationToken", continuation_token)
    if next_token:
        add(root, "NextContinuationToken", next_token)
    if start_after:
        add(root, "StartAfter", text(start_after))
    _entries(root, entries, details, text)
    return document(root)


def list_objects_v1(
    bucket: str,
    entries: list[tuple[str, str]],
    details: dict[str, tuple[int, float, str]],
    *,
    prefix: str,
    delimiter: str,
    max_keys: int,
    url_encode: bool,
    marker: str,
    next_marker: str | None,
) -> bytes:
    """<ListBucketResult> of ListObjects (version 1): Marker, and NextMarker with a delimiter."""
    text = _encoder(url_encode)
    root = ET.Element("ListBucketResult", xmlns=NAMESPACE)
    add(root, "Name", bucket)
    add(root, "Prefix", text(prefix))
    add(root, "Marker", text(marker))
    if next_marker and delimiter:  # S3 sends NextMarker only when a delimiter is given
        add(root, "NextMarker", text(next_marker))
    add(root, "MaxKeys", max_keys)
    if delimiter:
        add(root, "Delimiter", text(delimiter))
    if url_encode:
        add(root, "EncodingType", "url")
    add(root, "IsTruncated", "true" if next_marker else "false")
    _entries(root, entries, details, text)
    return document(root)


def location_constraint() -> bytes:
    """GetBucketLocation's answer for us-east-1: an empty LocationConstraint."""
    return document(ET.Element("LocationConstraint", xmlns=NAMESPACE))


def list_buckets(buckets: Iterable[tuple[str, float]]) -> bytes:
    """<ListAllMyBucketsResult>: every bucket (name, creation time) of the endpoint."""
    root = ET.Element("ListAllMyBucketsResult", xmlns=NAMESPACE)
    owner = ET.SubElement(root, "Owner")
    add(owner, "ID", OWNER_ID)
    add(owner, "DisplayName", "workbench")
    listed = ET.SubElement(root, "Buckets")
    for name, created in sorted(buckets):
        entry = ET.SubElement(listed, "Bucket")
        add(entry, "Name", name)
        add(entry, "CreationDate", iso_time(created))
    return document(root)
