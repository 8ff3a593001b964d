"""Comparing a JSON value with what a check expects: `type`, `types`, `expect`, `contains`.

Shared by the kinds that look at a response (returns and its relatives): the parameters'
declaration and validation for loading, and the comparison for running. Pure, so light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.lessons import jsonpath
from workbench.lessons.checks import Outcome, failed
from workbench.lessons.feedback import describe_value, short
from workbench.lessons.schema import Field

JSON_TYPES = ("dict", "list", "string", "integer", "number", "boolean", "null")

_TYPE_TESTS = {
    "dict": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_type_ok(value: Any, wanted: str) -> bool:
    """Whether a JSON value is of a type named as in JSON_TYPES."""
    return bool(_TYPE_TESTS[wanted](value))


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def compare(value: Any, params: Mapping[str, Any], what: str = "the response") -> Outcome | None:
    """Check `type`, `types`, `expect` and `contains` against a value; None when all hold."""
    root = params.get("type")
    if root and not json_type_ok(value, root):
        return failed(
            f"{what} is {describe_value(value)}; expected a {root}",
            got=short(value),
            expected=root,
            path="",
        )
    for path, wanted in dict(params.get("types", {})).items():
        found = jsonpath.lookup(value, path)
        if found is jsonpath.MISSING or not json_type_ok(found, wanted):
            shown = "missing" if found is jsonpath.MISSING else describe_value(found)
            return failed(
                f"`{path}` in {what} is {shown}; expected a {wanted}",
                got=shown,
                expected=wanted,
                path=path,
            )
    for path, expected in dict(params.get("expect", {})).items():
        found = jsonpath.lookup(value, path)
        if found is jsonpath.MISSING:
            have = jsonpath.missing_step(value, path)
            where = f"has `{have}` but no `{path}`" if have else f"has no `{path}`"
            return failed(
                f"{what} {where}; it is {describe_value(value)}",
                got="missing",
                expected=short(expected),
                path=path,
            )
        if not _same(found, expected):
            return failed(
                f"`{path}` in {what} is {short(found)}; expected {short(expected)}",
                got=short(found),
                expected=short(expected),
                path=path,
            )
    for path, text in dict(params.get("contains", {})).items():
        found = jsonpath.lookup(value, path)
        if not isinstance(found, str) or text not in found:
            shown = "missing" if found is jsonpath.MISSING else short(found)
            return failed(
                f"`{path}` in {what} is {shown}; expected text containing {short(text)}",
                got=shown,
                expected=short(text),
                path=path,
            )
    return None


COMPARE_PARAMS = {
    "type": Field("string", "the type of the whole value", choices=JSON_TYPES),
    "types": Field("table", "JSON path → expected type name, e.g. statusCode = 'integer'"),
    "expect": Field("table", "JSON path → expected value, e.g. statusCode = 200"),
    "contains": Field("table", "JSON path → text the string there must contain"),
}


def static_compare(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("types", "expect", "contains"):
        for path, value in dict(params.get(key, {})).items():
            try:
                jsonpath.parse(path)
            except jsonpath.PathError as exc:
                found.append(((key, path), str(exc)))
            if key == "types" and value not in JSON_TYPES:
                found.append(((key, path), f"{value!r} is not one of {', '.join(JSON_TYPES)}"))
    return found
