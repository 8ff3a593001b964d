"""Tiny paths into JSON values, as the catalogue writes them: Records[0].s3.object.key."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"""\[(\d+)\]|\["([^"]*)"\]|\.?([^.\[\]]+)""")
MISSING = object()


class PathError(ValueError):
    """A path that is not written as name.name[0]["odd.name"]."""


def parse(path: str) -> list[str | int]:
    """The steps of a path; '' is the value itself."""
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match or match.end() == position:
            raise PathError(f"cannot read the path {path!r} at position {position}")
        index, quoted, name = match.groups()
        steps.append(int(index) if index is not None else quoted if quoted is not None else name)
        position = match.end()
    return steps


def lookup(value: Any, path: str) -> Any:
    """The value at path, or MISSING when some step does not exist."""
    for step in parse(path):
        in_list = isinstance(step, int) and isinstance(value, list) and step < len(value)
        in_dict = isinstance(step, str) and isinstance(value, dict) and step in value
        if not (in_list or in_dict):
            return MISSING
        value = value[step]
    return value


def missing_step(value: Any, path: str) -> str:
    """The longest prefix of path that exists, for "the response has X but no Y" feedback."""
    found = ""
    for step in parse(path):
        nxt = lookup(value, found + (f"[{step}]" if isinstance(step, int) else f".{step}"))
        if nxt is MISSING:
            break
        found += f"[{step}]" if isinstance(step, int) else f".{step}"
    return found.lstrip(".")
