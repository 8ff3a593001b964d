"""A function's result as the HTTP response API Gateway makes of it, and the gateway's errors.

Payload 2.0 (HTTP API, http-api-develop-integrations-lambda): a result with `statusCode`
is a response (`headers`, `cookies` -> one Set-Cookie each, `body`, `isBase64Encoded`,
unknown keys ignored); any other JSON value is a 200 application/json response whose body
is the value (a JSON string gives its text, anything else its JSON). A body flagged
`isBase64Encoded` is always decoded.

Payload 1.0 (REST API, set-up-lambda-proxy-integrations): the result must be an object with
only `statusCode`, `headers`, `multiValueHeaders`, `body`, `isBase64Encoded`; anything else
is a malformed Lambda proxy response. `headers` and `multiValueHeaders` are merged into one
list, a pair given in both appearing once. A base64 body is decoded only when the request's
Accept header matches one of the API's binaryMediaTypes; otherwise the client gets the
base64 text (ministackorg/ministack PR #767, checked against AWS).

Gateway errors: the bodies are `{"message":...}` as API Gateway's default gateway responses
render them. See GATEWAY_ERRORS for the statuses and what each is sourced from.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.triggers.api_gateway_events import matches_media_types

JSON = "application/json"
REST_RESPONSE_KEYS = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
)
# Headers that belong to the connection, not the function: the gateway sets its own.
_DROPPED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"}
)

# (HTTP API payload 2.0 status and message, REST API payload 1.0 status and message)
GATEWAY_ERRORS: dict[str, tuple[tuple[int, str], tuple[int, str]]] = {
    # The function ran and failed (an exception, a Lambda timeout, a crash). REST: 502
    # "Internal server error" (lambda/services-apigateway-errors). HTTP API: "Internal
    # Server Error" (http-api-troubleshooting-lambda); its status 500 is from HTTP API
    # access logs, not a documented table.
    "function_error": ((500, "Internal Server Error"), (502, "Internal server error")),
    # The result is not a proxy response (REST: 502, set-up-lambda-proxy-integrations).
    "malformed": ((500, "Internal Server Error"), (502, "Internal server error")),
    # Lambda refused the invocation (throttled, payload too large, service error):
    # "If the Lambda API rejects the invocation request, API Gateway returns a 500 error
    # code" (lambda/services-apigateway-errors).
    "rejected": ((500, "Internal Server Error"), (500, "Internal server error")),
    # No answer within the integration timeout (29 s REST, 30 s HTTP API): INTEGRATION_TIMEOUT
    # 504 (supported-gateway-response-types). The HTTP API body is UNVERIFIED.
    "timeout": ((504, "Endpoint request timed out"), (504, "Endpoint request timed out")),
    # No route: HTTP API 404 "Not Found" (http-api-develop-routes); REST 403 "Missing
    # Authentication Token" (MISSING_AUTHENTICATION_TOKEN, which covers unsupported
    # methods and resources).
    "no_route": ((404, "Not Found"), (403, "Missing Authentication Token")),
    # A request above the 10 MB payload quota. The message text is UNVERIFIED.
    "too_large": ((413, "Request Entity Too Large"), (413, "Request Entity Too Large")),
}
# x-amzn-ErrorType on REST API errors (UNVERIFIED but commonly seen).
_REST_ERROR_TYPES = {
    403: "MissingAuthenticationTokenException",
    500: "InternalServerErrorException",
    502: "InternalServerErrorException",
}


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 field-name


class MalformedResponse(ValueError):
    """The function's result is not something API Gateway can turn into HTTP."""


@dataclass
class GatewayReply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def gateway_error(kind: str, payload_version: str) -> GatewayReply:
    http_api, rest_api = GATEWAY_ERRORS[kind]
    status, message = http_api if payload_version == "2.0" else rest_api
    headers = [("Content-Type", JSON)]
    if payload_version == "1.0" and status in _REST_ERROR_TYPES:
        headers.append(("x-amzn-ErrorType", _REST_ERROR_TYPES[status]))
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return GatewayReply(status, headers, body)


def _status(value: Any) -> int:
    if isinstance(value, bool):
        raise MalformedResponse(f"statusCode {value!r} is not a number")
    try:
        status = int(value)
    except (TypeError, ValueError):
        raise MalformedResponse(f"statusCode {value!r} is not a number") from None
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is not an HTTP status (100-599)")
    return status


def _header_value(name: str, value: Any) -> str:
    if not _TOKEN.fullmatch(name):
        raise MalformedResponse(f"{name!r} is not a valid HTTP header name")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        text = str(value)
        if "\r" in text or "\n" in text:
            raise MalformedResponse(f"header {name!r} has a line break in its value")
        return text
    raise MalformedResponse(f"header {name!r} has a {type(value).__name__} value, not a string")


def _headers(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"{what} is a {type(value).__name__}, not an object")
    return value


def _body(value: Any, encoded: bool) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise MalformedResponse(f"body is a {type(value).__name__}, not a string")
    if not encoded:
        return value.encode("utf-8")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedResponse("isBase64Encoded is true but body is not base64") from None


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise MalformedResponse(f"isBase64Encoded {value!r} is not true or false")


def _finish(status: int, headers: list[tuple[str, str]], body: bytes) -> GatewayReply:
    kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]
    if not any(k.lower() == "content-type" for k, _ in kept):
        kept.insert(0, ("Content-Type", JSON))
    return GatewayReply(status, kept, body)


def http_api_reply(payload: bytes) -> GatewayReply:
    """Payload format 2.0: the HTTP response for a successful invocation's payload."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise MalformedResponse("the result is not JSON") from None
    if not isinstance(result, dict) or "statusCode" not in result:
        # "API Gateway makes the following assumptions if your Lambda function returns
        # valid JSON and doesn't return a statusCode" — 200, application/json, the body.
        text = result if isinstance(result, str) else payload.decode("utf-8")
        return GatewayReply(200, [("Content-Type", JSON)], text.encode("utf-8"))
    status = _status(result["statusCode"])
    headers = [
        (name, _header_value(name, value))
        for name, value in _headers(result.get("headers"), "headers").items()
    ]
    cookies = result.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list):
            raise MalformedResponse(f"cookies is a {type(cookies).__name__}, not a list")
        headers += [("Set-Cookie", _header_value("Set-Cookie", cookie)) for cookie in cookies]
    body = _body(result.get("body"), _flag(result.get("isBase64Encoded")))
    return _finish(status, headers, body)


def rest_api_reply(
    payload: bytes, accept: str | None, binary_media_types: tuple[str, ...]
) -> GatewayReply:
    """Payload format 1.0 (REST API): the HTTP response for a successful invocation."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise MalformedResponse("the result is not JSON") from None
    if not isinstance(result, dict):
        raise MalformedResponse(
            f"the result is a JSON {type(result).__name__}, not an object with statusCode"
        )
    unknown = sorted(set(result) - REST_RESPONSE_KEYS)
    if unknown:
        raise MalformedResponse(
            f"the result has keys a proxy response cannot have: {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(REST_RESPONSE_KEYS))})"
        )
    status = _status(result["statusCode"]) if result.get("statusCode") is not None else 200
    single = _headers(result.get("headers"), "headers")
    multi = _headers(result.get("multiValueHeaders"), "multiValueHeaders")
    headers: list[tuple[str, str]] = []
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders {name!r} is not a list")
        headers += [(name, _header_value(name, v)) for v in values]
    # "If the same key-value pair is specified in both, only the values from
    # multiValueHeaders will appear in the merged list."
    merged = {(name.lower(), value) for name, value in headers}
    for name, value in single.items():
        text = _header_value(name, value)
        if (name.lower(), text) not in merged:
            headers.append((name, text))
    encoded = _flag(result.get("isBase64Encoded"))
    decode = encoded and matches_media_types(accept, binary_media_types)
    body = _body(result.get("body"), decode)
    return _finish(status, headers, body)
