"""The small template language of the sample event bodies.

A body is JSON. Any string may hold placeholders, ``{{source|filter|filter:arg}}``:

* ``source`` is a parameter of the event (``bucket``, ``detail-type``) or a generated value:
  ``$now`` (one UTC instant per generation), ``$region``, ``$account``, ``$uuid``, and random
  strings ``$hexN``, ``$HEXN``, ``$digitsN``, ``$alnumN``, ``$ALNUMN``, ``$b64_N`` (base64 of N
  random bytes), ``$b64url_N``. A ``.label`` suffix names a value: within one generation every
  occurrence of ``$uuid.request`` is the same id, while ``$uuid.message`` is another.
* filters transform the value, left to right (see ``FILTERS``).

A string that is exactly one placeholder takes the value's own type (a number, an object, null);
a placeholder inside a longer string is turned into text. A value that becomes ``OMIT`` removes
its key (or list item), as services leave out empty fields. An object
``{"$filter": "json|gzip|base64", "value": ...}`` renders ``value`` and then applies the filters,
for values that are whole documents (CloudWatch Logs' gzipped payload).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote_plus

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_GENERATED = re.compile(r"^\$(uuid|hex|HEX|digits|alnum|ALNUM|b64_|b64url_)(\d*)(?:\.[\w-]+)?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class TemplateError(ValueError):
    """A template or a parameter value cannot be rendered; the message says why."""


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""A rendered value meaning: leave this key (or list item) out."""


@dataclass
class Context:
    """What one generation renders with: parameter values, the instant, and named random values."""

    params: dict[str, Any]
    now: datetime
    region: str
    account: str
    memo: dict[str, Any] = field(default_factory=dict)


def render(node: Any, ctx: Context) -> Any:
    """A fresh rendered copy of a template node (the template itself is never changed)."""
    if isinstance(node, str):
        return render_string(node, ctx)
    if isinstance(node, list):
        items = (render(item, ctx) for item in node)
        return [item for item in items if item is not OMIT]
    if isinstance(node, dict):
        if "$filter" in node:
            if set(node) != {"$filter", "value"}:
                raise TemplateError('a "$filter" object takes exactly "$filter" and "value"')
            return apply_filters(render(node["value"], ctx), str(node["$filter"]), ctx)
        rendered = {}
        for key, value in node.items():
            value = render(value, ctx)
            if value is not OMIT:
                rendered[key] = value
        return rendered
    return node


def render_string(text: str, ctx: Context) -> Any:
    whole = PLACEHOLDER.fullmatch(text)
    if whole:
        return evaluate(whole.group(1), ctx)
    return PLACEHOLDER.sub(lambda match: as_text(evaluate(match.group(1), ctx)), text)


def evaluate(expression: str, ctx: Context) -> Any:
    source, _, filters = expression.partition("|")
    return apply_filters(source_value(source.strip(), ctx), filters, ctx)


def apply_filters(value: Any, filters: str, ctx: Context) -> Any:
    for step in filter(None, (part.strip() for part in filters.split("|"))):
        name, _, arg = step.partition(":")
        function = FILTERS.get(name)
        if function is None:
            raise TemplateError(f"unknown filter {name!r}")
        value = function(value, arg, ctx)
    return value


def as_text(value: Any) -> str:
    """A value as it reads inside a longer string."""
    if value is None or value is OMIT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --- sources --------------------------------------------------------------------------------


def source_value(source: str, ctx: Context) -> Any:
    if not source.startswith("$"):
        if source not in ctx.params:
            raise TemplateError(f"the template uses {source!r}, which is not a parameter")
        return ctx.params[source]
    if source == "$now":
        return ctx.now
    if source == "$region":
        return ctx.region
    if source == "$account":
        return ctx.account
    match = _GENERATED.match(source)
    if not match:
        raise TemplateError(f"unknown generated value {source!r}")
    if source not in ctx.memo:
        ctx.memo[source] = _random(match.group(1), int(match.group(2) or 0), source)
    return ctx.memo[source]


def _random(kind: str, size: int, source: str) -> str:
    if kind == "uuid":
        return str(uuid.uuid4())
    if size <= 0:
        raise TemplateError(f"{source!r} needs a length, e.g. {source.split('.')[0]}16")
    if kind in ("b64_", "b64url_"):
        raw = secrets.token_bytes(size)
        return (base64.urlsafe_b64encode if kind == "b64url_" else base64.b64encode)(raw).decode()
    alphabet = {
        "hex": "0123456789abcdef",
        "HEX": "0123456789ABCDEF",
        "digits": string.digits,
        "alnum": string.ascii_lowercase + string.digits,
        "ALNUM": string.ascii_uppercase + string.digits,
    }[kind]
    first = alphabet[1:] if kind == "digits" else alphabet  # no leading zero in big numbers
    return secrets.choice(first) + "".join(secrets.choice(alphabet) for _ in range(size - 1))


# --- filters --------------------------------------------------------------------------------


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
