"""What the sample-event templates render with and to: the context of one generation, the
OMIT marker, the template error, and how a value reads inside a longer string."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
