"""An HTTP request as the Lambda event API Gateway builds from it: payload 2.0 or 1.0.

Shapes follow http-api-develop-integrations-lambda (2.0, HTTP APIs) and
set-up-lambda-proxy-integrations (1.0, REST APIs with a Lambda proxy integration):
- 2.0: lower-case header names, repeated headers and query parameters joined with commas,
  cookies moved out of the headers into `cookies`, fields without a value left out.
- 1.0: header names as sent, `headers`/`queryStringParameters` hold the last value and
  `multiValue...` every value; fields without a value are null.
- Bodies: an HTTP API passes text as text only for text/*, application/json,
  application/xml and application/javascript, and base64-encodes everything else (even a
  missing Content-Type or form data); a REST API base64-encodes only the content types in
  its binaryMediaTypes (checked against AWS by ministackorg/ministack PRs #766 and #767).
"""

from __future__ import annotations

import base64
import secrets
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from workbench.core.model import ACCOUNT_ID
from workbench.triggers.api_gateway_routes import Route

HTTP_API_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class IncomingRequest:
    """What the gateway saw on the wire."""

    method: str
    raw_path: str  # percent-encoded, as sent
    raw_query: str
    headers: list[tuple[str, str]]  # names as sent, in order, repeats kept
    body: bytes
    source_ip: str
    protocol: str  # "HTTP/1.1"
    host: str  # the Host header's host name, without the port
    port: int


@dataclass
class ApiIdentity:
    """The per-API values events carry: ids, stage, stage variables."""

    stage: str
    stage_variables: dict[str, str] = field(default_factory=dict)
    api_id: str = field(default_factory=lambda: random_id(10))
    _resource_ids: dict[str, str] = field(default_factory=dict)

    def resource_id(self, route: Route) -> str:
        return self._resource_ids.setdefault(route.key, random_id(6))


def random_id(length: int) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def http_api_request_id() -> str:
    """An HTTP API request id: 16 characters of base64, as in `apigw-requestid`."""
    return base64.b64encode(secrets.token_bytes(10)).decode("ascii")


def rest_api_request_id() -> str:
    return str(uuid.uuid4())


def clf_time(epoch_s: float) -> str:
    """ "12/Mar/2020:19:03:58 +0000", the format of requestContext.time / requestTime."""
    t = time.gmtime(epoch_s)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_http_api_text(content_type: str | None) -> bool:
    base = media_type(content_type)
    return base.startswith("text/") or base in HTTP_API_TEXT_TYPES


# What our REST API treats as binary, as if its binaryMediaTypes were set to these.
DEFAULT_BINARY_MEDIA_TYPES = ("application/octet-stream", "image/*")


def matches_media_types(content_type: str | None, media_types: tuple[str, ...]) -> bool:
    """Whether a Content-Type (or each type of an Accept list) matches binaryMediaTypes."""
    for candidate in (content_type or "").split(","):
        base = media_type(candidate)
        if not base:
            continue
        major = base.split("/", 1)[0]
        for wanted in media_types:
            wanted = wanted.strip().lower()
            if wanted in ("*/*", base) or wanted == f"{major}/*":
                return True
    return False


def header(request: IncomingRequest, name: str) -> str | None:
    """The last value of a header (case-insensitive), or None."""
    values = [v for k, v in request.headers if k.lower() == name.lower()]
    return values[-1] if values else None


def _forwarding_headers(request: IncomingRequest) -> list[tuple[str, str]]:
    """The headers API Gateway adds on its way to the function (unless the client sent them)."""
    added = [
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", str(request.port)),
        ("X-Forwarded-Proto", "http"),
        ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"),
    ]
    sent = {k.lower() for k, _ in request.headers}
    return [(k, v) for k, v in added if k.lower() not in sent]


def _query(request: IncomingRequest) -> list[tuple[str, str]]:
    return parse_qsl(request.raw_query, keep_blank_values=True)


def _domain_prefix(host: str) -> str:
    return host.split(".", 1)[0]


def http_api_event(
    request: IncomingRequest,
    route: Route,
    path_parameters: dict[str, str],
    api: ApiIdentity,
    request_id: str,
    now_s: float,
) -> dict[str, Any]:
    """The payload format 2.0 event of an HTTP API."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in [*request.headers, *_forwarding_headers(request)]:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    query: dict[str, str] = {}
    for name, value in _query(request):
        query[name] = f"{query[name]},{value}" if name in query else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": api.api_id,
        "domainName": request.host,
        "domainPrefix": _domain_prefix(request.host),
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": header(request, "user-agent") or "",
        },
        "requestId": request_id,
        "routeKey": route.key,
        "stage": api.stage,
        "time": clf_time(now_s),
        "timeEpoch": int(now_s * 1000),
    }
    if request.body:
        if is_http_api_text(header(request, "content-type")):
            try:
                event["body"], event["isBase64Encoded"] = request.body.decode("utf-8"), False
            except UnicodeDecodeError:  # declared as text but is not: keep every byte
                event["body"] = base64.b64encode(request.body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    if path_parameters:
        event["pathParameters"] = path_parameters
    event.setdefault("isBase64Encoded", False)
    if api.stage_variables:
        event["stageVariables"] = dict(api.stage_variables)
    return event


def rest_api_event(
    request: IncomingRequest,
    route: Route,
    path_parameters: dict[str, str],
    api: ApiIdentity,
    request_id: str,
    now_s: float,
    binary_media_types: tuple[str, ...],
) -> dict[str, Any]:
    """The payload format 1.0 event of a REST API's Lambda proxy integration."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in [*request.headers, *_forwarding_headers(request)]:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in _query(request):
        query[name] = value
        multi_query.setdefault(name, []).append(value)
    body: str | None = None
    encoded = False
    if request.body:
        if matches_media_types(header(request, "content-type"), binary_media_types):
            body, encoded = base64.b64encode(request.body).decode("ascii"), True
        else:
            body = request.body.decode("utf-8", "replace")
    path = unquote(request.raw_path)
    user_agent = header(request, "user-agent")
    identity: dict[str, Any] = {
        key: None
        for key in (
            "accessKey",
            "accountId",
            "caller",
            "cognitoAuthenticationProvider",
            "cognitoAuthenticationType",
            "cognitoIdentityId",
            "cognitoIdentityPoolId",
            "principalOrgId",
        )
    }
    identity.update({"sourceIp": request.source_ip, "user": None, "userAgent": user_agent})
    identity["userArn"] = None
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": dict(api.stage_variables) or None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": api.api_id,
            "domainName": request.host,
            "domainPrefix": _domain_prefix(request.host),
            "extendedRequestId": http_api_request_id(),
            "httpMethod": request.method,
            "identity": identity,
            "path": f"/{api.stage}{path}",
            "protocol": request.protocol,
            "requestId": request_id,
            "requestTime": clf_time(now_s),
            "requestTimeEpoch": int(now_s * 1000),
            "resourceId": api.resource_id(route),
            "resourcePath": route.path,
            "stage": api.stage,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
