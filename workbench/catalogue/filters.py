"""The filters of the sample-event template language (``{{source|filter:arg}}``), by name in
``FILTERS``: encodings, empty values, times, HTTP shapes and service shapes."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from workbench.catalogue.values import OMIT, Context, TemplateError, as_text

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return as_text(value).encode("utf-8")


def _param(ctx: Context, name: str) -> Any:
    if name not in ctx.params:
        raise TemplateError(f"a filter refers to {name!r}, which is not a parameter")
    return ctx.params[name]


def _empty(value: Any) -> bool:
    return value is None or value is OMIT or value in ("", b"") or value == {} or value == []


def _time(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TemplateError("a time filter needs $now")
    return value


def _iso(value: Any, arg: str, ctx: Context) -> str:
    """ISO 8601 in UTC with a Z; milliseconds unless `iso:s` (EventBridge's `time` has none)."""
    moment = _time(value)
    if arg == "s":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _clf(value: Any, arg: str, ctx: Context) -> str:
    """API Gateway's requestTime: 01/May/2024:12:00:00 +0000 (month names not localised)."""
    moment = _time(value)
    return f"{moment:%d}/{_MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S} +0000"


def _query_pairs(value: Any) -> list[tuple[str, str]]:
    return parse_qsl(as_text(value).lstrip("?"), keep_blank_values=True)


def _query_single(value: Any, arg: str, ctx: Context) -> Any:
    """REST API (1.0) queryStringParameters: decoded, the last value wins; null when empty."""
    return dict(_query_pairs(value)) or None


def _query_multi(value: Any, arg: str, ctx: Context) -> Any:
    """REST API (1.0) multiValueQueryStringParameters: every value, in order; null when empty."""
    multi: dict[str, list[str]] = {}
    for name, item in _query_pairs(value):
        multi.setdefault(name, []).append(item)
    return multi or None


def _query_joined(value: Any, arg: str, ctx: Context) -> Any:
    """HTTP API (2.0) queryStringParameters: repeated names joined by commas; absent when empty."""
    joined: dict[str, str] = {}
    for name, item in _query_pairs(value):
        joined[name] = f"{joined[name]},{item}" if name in joined else item
    return joined or OMIT


def _query_alb(value: Any, arg: str, ctx: Context) -> dict[str, str]:
    """ALB's queryStringParameters: passed on as sent, NOT URL-decoded; the last value wins."""
    result: dict[str, str] = {}
    for part in filter(None, as_text(value).lstrip("?").split("&")):
        name, _, item = part.partition("=")
        result[name] = item
    return result


def _path_params(value: Any, arg: str, ctx: Context) -> dict[str, str]:
    """The pathParameters a route ("GET /items/{id}") or resource ("/items/{id}") gives a path."""
    route = as_text(_param(ctx, arg))
    pattern = route.split(" ", 1)[1] if " " in route else route
    if pattern in ("$default", ""):
        return {}
    regex = ""
    for piece in re.split(r"(\{[^{}]+\})", pattern):
        if piece.startswith("{") and piece.endswith("}"):
            regex += "(.+)" if piece.endswith("+}") else "([^/]+)"
        else:
            regex += re.escape(piece)
    names = re.findall(r"\{([^{}]+?)\+?\}", pattern)
    match = re.fullmatch(regex, as_text(value))
    if not match:
        raise TemplateError(f"the path {as_text(value)!r} does not match {arg} {route!r}")
    return dict(zip(names, match.groups(), strict=True))


def _multi(value: Any, arg: str, ctx: Context) -> dict[str, list[str]]:
    return {name: [as_text(item)] for name, item in dict(value or {}).items()}


def _lower_keys(value: Any, arg: str, ctx: Context) -> dict[str, Any]:
    return {str(name).lower(): item for name, item in dict(value or {}).items()}


def _cf_headers(value: Any, arg: str, ctx: Context) -> dict[str, list[dict[str, str]]]:
    """CloudFront's headers: lower-case names, each a list of {"key": Name, "value": ...}."""
    return {
        str(name).lower(): [{"key": str(name), "value": as_text(item)}]
        for name, item in dict(value or {}).items()
    }


def _cookies(value: Any, arg: str, ctx: Context) -> Any:
    cookies = [part.strip() for part in as_text(value).split(";") if part.strip()]
    return cookies or OMIT


def _dynamodb(value: Any, arg: str, ctx: Context) -> Any:
    """Plain JSON to DynamoDB's typed attribute values: {"S": "x"}, {"N": "1"}, {"M": ...}."""
    if isinstance(value, dict):
        return {str(name): _typed(item) for name, item in value.items()}
    return _typed(value)


def _typed(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return {"L": [_typed(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {str(name): _typed(item) for name, item in value.items()}}
    raise TemplateError(f"cannot store {value!r} in DynamoDB")


def _merge(value: Any, arg: str, ctx: Context) -> dict[str, Any]:
    """This object with parameter `arg`'s object laid over it."""
    return {**dict(value or {}), **dict(_param(ctx, arg) or {})}


def _with_keys(value: Any, arg: str, ctx: Context) -> dict[str, Any]:
    """An item image: the key attributes (parameter `arg`) first, then the other attributes."""
    keys = dict(_param(ctx, arg) or {})
    return {**keys, **{name: item for name, item in dict(value or {}).items() if name not in keys}}


def _stringify(value: Any, arg: str, ctx: Context) -> Any:
    """Every scalar as a string, as CloudFormation passes custom resource properties."""
    if isinstance(value, dict):
        return {name: _stringify(item, arg, ctx) for name, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item, arg, ctx) for item in value]
    return as_text(value)


def _sns_attributes(value: Any, arg: str, ctx: Context) -> dict[str, Any]:
    return {
        name: {"Type": "Number" if _is_number(item) else "String", "Value": as_text(item)}
        for name, item in dict(value or {}).items()
    }


def _sqs_attributes(value: Any, arg: str, ctx: Context) -> dict[str, Any]:
    return {
        name: {
            "stringValue": as_text(item),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number" if _is_number(item) else "String",
        }
        for name, item in dict(value or {}).items()
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _md5_fit(value: Any, arg: str, ctx: Context) -> str:
    """The MD5 of an object of `arg` bytes: this content, repeated or cut to that size."""
    content, size = _bytes(value) or b"\0", int(_param(ctx, arg))
    digest = hashlib.md5(usedforsecurity=False)
    chunk = content * max(1, (1 << 20) // len(content))
    remaining = size
    while remaining > 0:
        piece = chunk[:remaining]
        digest.update(piece)
        remaining -= len(piece)
    return digest.hexdigest()


def _add(value: Any, arg: str, ctx: Context) -> Any:
    try:
        return value + int(arg)
    except (TypeError, ValueError):
        raise TemplateError(f"cannot add {arg!r} to {value!r}") from None


def _base64_if(value: Any, arg: str, ctx: Context) -> Any:
    if _param(ctx, arg) and not _empty(value):
        return base64.b64encode(_bytes(value)).decode()
    return value


def _json(value: Any, arg: str, ctx: Context) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# email.utils (with socket, calendar, locale) is imported by the two filters that use it:
# loading the catalogue is part of every `lessons list`, which must start fast.
def _address(value: Any, arg: str, ctx: Context) -> str:
    import email.utils

    return email.utils.parseaddr(as_text(value))[1]


def _rfc2822(value: Any, arg: str, ctx: Context) -> str:
    import email.utils

    return email.utils.format_datetime(_time(value))


Filter = Callable[[Any, str, Context], Any]

FILTERS: dict[str, Filter] = {
    # encodings
    "url": lambda v, a, c: quote_plus(as_text(v), safe="/"),  # S3's key encoding: ' ' → '+'
    "base64": lambda v, a, c: base64.b64encode(_bytes(v)).decode(),
    "base64_if": _base64_if,
    "json": _json,
    "gzip": lambda v, a, c: gzip.compress(_bytes(v), mtime=0),
    "md5": lambda v, a, c: hashlib.md5(_bytes(v), usedforsecurity=False).hexdigest(),
    "md5_fit": _md5_fit,
    "len": lambda v, a, c: len(_bytes(v)),
    "str": lambda v, a, c: as_text(v),
    "lower": lambda v, a, c: as_text(v).lower(),
    "nodash": lambda v, a, c: as_text(v).replace("-", ""),
    "add": _add,
    "address": _address,
    # empty values
    "or_null": lambda v, a, c: None if _empty(v) else v,
    "or_omit": lambda v, a, c: OMIT if _empty(v) else v,
    # times, from $now
    "iso": _iso,
    "clf": _clf,
    "epoch": lambda v, a, c: int(_time(v).timestamp()),
    "epoch_ms": lambda v, a, c: int(_time(v).timestamp() * 1000),
    "epoch_float": lambda v, a, c: round(_time(v).timestamp(), 3),
    "epoch_hex": lambda v, a, c: f"{int(_time(v).timestamp()):08x}",
    "rfc2822": _rfc2822,
    "ymd": lambda v, a, c: _time(v).strftime("%Y/%m/%d"),
    "yyyymmdd": lambda v, a, c: _time(v).strftime("%Y%m%d"),
    "amz_date": lambda v, a, c: _time(v).strftime("%Y%m%dT%H%M%SZ"),
    # HTTP shapes
    "query_single": _query_single,
    "query_multi": _query_multi,
    "query_joined": _query_joined,
    "query_alb": _query_alb,
    "path_params": _path_params,
    "multi": _multi,
    "lower_keys": _lower_keys,
    "cf_headers": _cf_headers,
    "cookies": _cookies,
    # service shapes
    "dynamodb": _dynamodb,
    "merge": _merge,
    "with_keys": _with_keys,
    "stringify": _stringify,
    "sns_attributes": _sns_attributes,
    "sqs_attributes": _sqs_attributes,
}
