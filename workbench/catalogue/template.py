"""The small template language of the sample event bodies.

A body is JSON. Any string may hold placeholders, ``{{source|filter|filter:arg}}``:

* ``source`` is a parameter of the event (``bucket``, ``detail-type``) or a generated value:
  ``$now`` (one UTC instant per generation), ``$region``, ``$account``, ``$uuid``, and random
  strings ``$hexN``, ``$HEXN``, ``$digitsN``, ``$alnumN``, ``$ALNUMN``, ``$b64_N`` (base64 of N
  random bytes), ``$b64url_N``. A ``.label`` suffix names a value: within one generation every
  occurrence of ``$uuid.request`` is the same id, while ``$uuid.message`` is another.
* filters transform the value, left to right (see ``FILTERS`` in filters.py).

A string that is exactly one placeholder takes the value's own type (a number, an object, null);
a placeholder inside a longer string is turned into text. A value that becomes ``OMIT`` removes
its key (or list item), as services leave out empty fields. An object
``{"$filter": "json|gzip|base64", "value": ...}`` renders ``value`` and then applies the filters,
for values that are whole documents (CloudWatch Logs' gzipped payload).
"""

from __future__ import annotations

import base64
import re
import secrets
import string
import uuid
from typing import Any

from workbench.catalogue.filters import FILTERS
from workbench.catalogue.values import OMIT, Context, TemplateError, as_text

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_GENERATED = re.compile(r"^\$(uuid|hex|HEX|digits|alnum|ALNUM|b64_|b64url_)(\d*)(?:\.[\w-]+)?$")


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
