"""Keep web pages away from local endpoints that have no authentication.

Listening on loopback stops other machines, not the learner's own browser: any page it
opens may send a "simple" cross-site request (a POST with `Content-Type: text/plain` needs
no CORS preflight) to 127.0.0.1, or rebind its own DNS name to 127.0.0.1 and then read the
answers (DNS rebinding). Browsers always send the page's `Host`, and send `Origin` on
cross-site POSTs; boto3, the AWS CLI and curl send a loopback `Host` and no `Origin`.

So a request is refused with 403 when its `Host` is not a loopback name or address, or when
it carries an `Origin` that is not a loopback origin. Use `loopback_guard()` as the first
aiohttp middleware of such a server. Routes meant for browsers (the local API Gateway's)
should not use it.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Refusal = Callable[[str], web.StreamResponse]


def is_loopback_name(host: str) -> bool:
    """localhost, *.localhost (RFC 6761), or a loopback IPv4/IPv6 address; no port."""
    name = host.strip().rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_without_port(host_header: str) -> str:
    """The name or address of a Host header value (`[::1]:3001` → `::1`)."""
    value = host_header.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value  # a bare name, or an unbracketed IPv6 address


def is_loopback_origin(origin: str) -> bool:
    """An http(s) origin on a loopback host; `null` and anything else are not."""
    try:
        parts = urlsplit(origin.strip())
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and hostname is not None and is_loopback_name(hostname)


def refusal_reason(host_header: str | None, origin: str | None) -> str | None:
    """Why a request must be refused, or None when it may pass."""
    if host_header is not None and not is_loopback_name(host_without_port(host_header)):
        return (
            f"Host {host_header!r} is not a loopback name or address. This local endpoint has "
            "no authentication and answers only requests addressed to localhost/127.0.0.1 "
            "(a web page rebinding its DNS name to this machine is refused)."
        )
    if origin is not None and not is_loopback_origin(origin):
        return (
            f"Origin {origin!r} is not a loopback origin. This local endpoint has no "
            "authentication, so requests sent by web pages are refused; use boto3, the AWS "
            "CLI or curl."
        )
    return None


def json_refusal(message: str) -> web.Response:
    """403 in the shape AWS's JSON APIs use (botocore reads X-Amzn-ErrorType and message)."""
    return web.Response(
        status=403,
        text=json.dumps({"Type": "User", "message": message}),
        content_type="application/json",
        headers={"X-Amzn-ErrorType": "AccessDeniedException"},
    )


def loopback_guard(refuse: Refusal = json_refusal) -> Callable[..., Awaitable[web.StreamResponse]]:
    """An aiohttp middleware refusing requests from browsers (see the module docstring).

    refuse: builds the 403 response from the message (e.g. an XML error for an S3 server).
    """

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = refusal_reason(request.headers.get("Host"), request.headers.get("Origin"))
        if reason is not None:
            return refuse(reason)
        return await handler(request)

    return guard
