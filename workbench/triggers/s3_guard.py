"""Who is calling the S3 endpoint: browser protection, and the caller's access key.

The endpoint has no real authentication (signatures are not checked), so a web page must
not be able to use it: a page can make the browser send requests to 127.0.0.1, and with
DNS rebinding even read the answers. Requests are therefore refused (403) when their Origin
is not a loopback origin, when a browser marks them cross-site (Sec-Fetch-Site), or when
their Host is not a loopback name or address (a rebound DNS name keeps its own Host). The
address the endpoint itself listens on (Docker's bridge gateway, for containers) and
host.docker.internal count as local too. boto3, the AWS CLI and curl send a loopback Host
and no Origin, so they are unaffected; virtual-host names such as photos.localhost count.

The caller is named by the access key id the request was signed with: SigV4's
`Credential=AKID/date/...` in the Authorization header or `X-Amz-Credential` in a presigned
query; or SigV2's `AWS AKID:signature` header or `AWSAccessKeyId` query (boto3's presigned
S3 URLs still use SigV2 unless told otherwise).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_SIGV2 = re.compile(r"^AWS ([A-Za-z0-9]+):")
_LOCAL_NAMES = ("localhost", "host.docker.internal")


def host_name(host_header: str) -> str:
    """The name or address in a Host header, without port or IPv6 brackets, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_local_name(name: str, listening: str = "") -> bool:
    """True for loopback addresses, localhost and its sub-names, and our listening address."""
    if not name:
        return False
    if listening and name == host_name(listening):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    return any(name == local or name.endswith("." + local) for local in _LOCAL_NAMES)


def refusal(headers: Mapping[str, str], listening: str = "") -> str | None:
    """Why a request looks like it comes from a web page; None when it may be served."""
    host = headers.get("Host", "")
    if not is_local_name(host_name(host), listening):
        return (
            f"The workbench's S3 endpoint only answers requests addressed to this computer "
            f"(localhost or 127.0.0.1), not to Host {host!r}."
        )
    origin = headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not is_local_name(
            (parts.hostname or "").lower(), listening
        ):
            return f"The workbench's S3 endpoint refuses requests from web pages (Origin {origin})."
    if headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return "The workbench's S3 endpoint refuses cross-site requests from web pages."
    return None


def access_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The access key id a request was signed with (header or presigned query)."""
    authorization = headers.get("Authorization", "")
    found = _CREDENTIAL.search(authorization) or _SIGV2.match(authorization)
    if found:
        return found.group(1)
    credential = query.get("X-Amz-Credential", "")
    return credential.split("/", 1)[0] or query.get("AWSAccessKeyId") or None
