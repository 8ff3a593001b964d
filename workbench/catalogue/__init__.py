"""Sample events: an index plus one JSON template per event, rendered fresh on every call.

`events/index.json` lists each event (key, display name, service, title, a description for
learners, the "surprise" in its shape, its parameters and where they land);
`events/<key>.json` is the body, a template in the language of `workbench.catalogue.template`.
`generate(key, **params)` gives a new event each time: fresh ids and timestamps in the
service's own formats, ARNs in the workbench's region and account, and the parameters filled
in and encoded as the service does. (The index sits beside the bodies so that the package
data `events/*.json` ships it.)
"""

from __future__ import annotations

import copy
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from workbench.catalogue.template import render
from workbench.catalogue.values import Context, TemplateError
from workbench.core.model import ACCOUNT_ID, REGION

EVENTS_DIR = Path(__file__).resolve().parent / "events"
INDEX_PATH = EVENTS_DIR / "index.json"
PARAM_TYPES = ("string", "bytes", "integer", "boolean", "json")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")

__all__ = [
    "EVENTS_DIR",
    "CatalogueError",
    "describe",
    "generate",
    "load_sample",
    "sample_keys",
    "sample_name",
]


class CatalogueError(LookupError):
    """An unknown sample key or parameter, a bad parameter value, or a broken catalogue file."""


def sample_keys() -> list[str]:
    """The catalogue's event keys, in the index's order (grouped by service)."""
    return [entry["key"] for entry in _index()]


def sample_name(key: str) -> str:
    """The event's name as a learner says it: "S3 object created" (the key is s3-put)."""
    return str(_entry(key)["display_name"])


def load_sample(key: str) -> Any:
    """A freshly generated sample event with every parameter at its default."""
    return generate(key)


def describe(key: str) -> dict[str, Any]:
    """An event's metadata: key, service, title, description, surprise, shape and params.

    Each param has name, type, default, example, encoding, paths (where it lands in the event,
    e.g. ``Records[0].s3.object.key``) and help; some have choices. A default written as a
    placeholder (``{{content|len}}``) is computed at generation (``derived`` is then true).
    """
    info = copy.deepcopy(_entry(key))
    for spec in info["params"]:
        spec["derived"] = "{{" in json.dumps(spec.get("default"))
    return info


def generate(key: str, /, *, now: datetime | None = None, **params: Any) -> Any:
    """A new sample event: fresh ids and timestamps, with these parameters filled in.

    Parameter names are the index's (``detail-type``); ``detail_type`` is accepted too.
    Values may be text (as typed after ``--set name=``) or already typed (an int, a dict).
    `now` fixes the event's instant (a fake clock); by default it is the current time, and two
    generations in one process never share a millisecond.
    """
    if now is not None and not isinstance(now, datetime):  # `--set now=...`: not a parameter
        params, now = {**params, "now": now}, None
    entry = _entry(key)
    template = _template(key)
    moment = _fresh_now() if now is None else _as_utc(now)
    ctx = Context(params={}, now=moment, region=REGION, account=ACCOUNT_ID)
    try:
        _resolve_params(entry, params, ctx)
        return render(template, ctx)
    except TemplateError as exc:
        raise CatalogueError(f"sample event {key!r}: {exc}") from None


# --- parameters -----------------------------------------------------------------------------


def _resolve_params(entry: dict[str, Any], given: dict[str, Any], ctx: Context) -> None:
    specs = {spec["name"]: spec for spec in entry["params"]}
    values: dict[str, Any] = {}
    for raw_name, value in given.items():
        name = raw_name if raw_name in specs else raw_name.replace("_", "-")
        if name not in specs:
            valid = ", ".join(specs) or "none"
            raise CatalogueError(
                f"sample event {entry['key']!r} has no parameter {raw_name!r}; "
                f"its parameters: {valid}"
            )
        values[name] = value
    for name, spec in specs.items():
        try:
            if name in values:
                value = _coerce(spec, values[name])
                if spec.get("merge") and isinstance(value, dict):
                    value = _merge_over(_coerce(spec, render(spec.get("default"), ctx)), value)
            else:
                value = _coerce(spec, render(spec.get("default"), ctx))
            _check(spec, value)
        except CatalogueError as exc:
            raise CatalogueError(f"sample event {entry['key']!r}: {exc}") from None
        ctx.params[name] = value


def _coerce(spec: dict[str, Any], value: Any) -> Any:
    name, kind = spec["name"], spec.get("type", "string")
    if kind == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CatalogueError(f"{name} must be text, got {value!r}")
        return str(value)
    if kind == "bytes":
        if isinstance(value, bytes | bytearray):
            return bytes(value)
        if isinstance(value, str):
            return value.encode("utf-8")
        raise CatalogueError(f"{name} must be text or bytes, got {value!r}")
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise CatalogueError(f"{name} must be a whole number, got {value!r}")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise CatalogueError(f"{name} must be true or false, got {value!r}")
    if kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise CatalogueError(
                    f"{name} must be JSON ({exc.msg} at column {exc.colno}), got {value!r}"
                ) from None
        if spec.get("object") and not isinstance(value, dict):
            raise CatalogueError(f'{name} must be a JSON object such as {{"id": "1"}}')
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise CatalogueError(f"{name} must be JSON-serialisable, got {value!r}") from None
        return copy.deepcopy(value)
    raise CatalogueError(f"parameter {name} has an unknown type {kind!r}")


def _check(spec: dict[str, Any], value: Any) -> None:
    name = spec["name"]
    choices = spec.get("choices")
    if choices and value not in choices:
        raise CatalogueError(f"{name} must be one of: {', '.join(map(str, choices))}")
    if "minimum" in spec and value < spec["minimum"]:
        raise CatalogueError(f"{name} must be at least {spec['minimum']:,}, got {value:,}")
    if "maximum" in spec and value > spec["maximum"]:
        raise CatalogueError(f"{name} must be at most {spec['maximum']:,}, got {value:,}")
    if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
        hint = spec.get("pattern_hint", f"must match {spec['pattern']}")
        raise CatalogueError(f"{name} {hint}, got {value!r}")


def _merge_over(default: Any, given: dict[str, Any]) -> dict[str, Any]:
    """`given` laid over `default`, names matching case-insensitively (HTTP headers).

    A name in both keeps its place in the default's order, with the given spelling and value.
    """
    if not isinstance(default, dict):
        return given
    pending = {name.lower(): name for name in given}
    merged: dict[str, Any] = {}
    for name, value in default.items():
        if name.lower() in pending:
            name = pending.pop(name.lower())
            value = given[name]
        merged[name] = value
    merged.update({name: given[name] for name in pending.values()})
    return merged


# --- time -----------------------------------------------------------------------------------

_clock_lock = threading.Lock()
_last_now: datetime | None = None


def _fresh_now() -> datetime:
    """The current UTC time to the millisecond, later than any earlier generation's."""
    global _last_now
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    with _clock_lock:
        if _last_now is not None and now <= _last_now:
            now = _last_now + timedelta(milliseconds=1)
        _last_now = now
    return now


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- files ----------------------------------------------------------------------------------


@cache
def _index() -> tuple[dict[str, Any], ...]:
    try:
        data = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
        entries = tuple(data["events"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogueError(f"the sample event index {INDEX_PATH} is broken: {exc}") from None
    for entry in entries:
        _validate_entry(entry)
    keys = [entry["key"] for entry in entries]
    if len(set(keys)) != len(keys):
        raise CatalogueError("the sample event index lists a key twice")
    return entries


def _validate_entry(entry: Any) -> None:
    required = ("key", "display_name", "service", "title", "description", "shape", "params")
    if not isinstance(entry, dict) or any(name not in entry for name in required):
        raise CatalogueError(f"a sample event index entry lacks one of {required}: {entry!r}")
    if entry["key"] == "index" or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", entry["key"]):
        raise CatalogueError(f"bad sample event key {entry['key']!r}")
    names = [spec.get("name") for spec in entry["params"]]
    if len(set(names)) != len(names) or None in names:
        raise CatalogueError(f"sample event {entry['key']!r} has unnamed or repeated parameters")
    for spec in entry["params"]:
        if spec.get("type", "string") not in PARAM_TYPES:
            raise CatalogueError(f"{entry['key']}: parameter {spec['name']} has a bad type")


def _entry(key: str) -> dict[str, Any]:
    for entry in _index():
        if entry["key"] == key:
            return entry
    raise CatalogueError(f"no sample event {key!r}; available: {', '.join(sample_keys())}")


@cache
def _template(key: str) -> Any:
    path = EVENTS_DIR / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"sample event {key!r} has no body: {exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"sample event {key!r} is broken: {exc}") from None
