"""Lesson actions: the "Try it" steps a learner can do with one click, as data.

A lesson page links an action the way it links anything else in Markdown:

    [Send five orders at once](action:invoke?times=5&mode=parallel)

This module is the one home of action kinds: what each is called, which parameters it takes and
what they mean. The lesson checker validates every link with `parse_action`; the app reads the
parsed `Action` and carries it out. No Qt and no engine here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEME = "action"


class ActionError(ValueError):
    """A lesson link whose action cannot be carried out; the message says what to fix."""


def _int_range(low: int, high: int) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            value = int(text)
        except ValueError:
            raise ActionError(
                f"expected a whole number from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise ActionError(f"expected a whole number from {low} to {high}, got {value}")
        return value

    return convert


def _float_range(low: float, high: float) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            value = float(text)
        except ValueError:
            raise ActionError(f"expected a number from {low:g} to {high:g}, got {text!r}") from None
        if not low <= value <= high:
            raise ActionError(f"expected a number from {low:g} to {high:g}, got {value:g}")
        return value

    return convert


def _choice(*choices: str) -> Callable[[str], object]:
    def convert(text: str) -> object:
        if text not in choices:
            raise ActionError(f"expected one of {', '.join(choices)}, got {text!r}")
        return text

    return convert


def _text(text: str) -> object:
    return text


def _optional_int(low: int, high: int) -> Callable[[str], object]:
    """An empty value means "remove the setting" (e.g. `reserved_concurrency=`)."""
    whole = _int_range(low, high)
    return lambda text: None if text == "" else whole(text)


@dataclass(frozen=True)
class Param:
    convert: Callable[[str], object]
    help: str
    default: object = None


@dataclass(frozen=True)
class ActionKind:
    name: str
    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)
    open_params: bool = False  # `set` takes any of the settings below


# Function settings an action may change, with their ranges (as function.toml and the console).
SETTINGS: Mapping[str, Param] = {
    "memory": Param(_int_range(128, 10240), "memory in MB"),
    "timeout": Param(_int_range(1, 900), "timeout in seconds"),
    "reserved_concurrency": Param(_optional_int(0, 1000), "reserved concurrency; empty removes it"),
    "provisioned_concurrency": Param(
        _optional_int(0, 1000), "provisioned concurrency; empty removes it"
    ),
    "ephemeral_storage": Param(_int_range(512, 10240), "/tmp size in MB"),
}

KINDS: Mapping[str, ActionKind] = {
    kind.name: kind
    for kind in (
        ActionKind(
            "invoke",
            "invoke the function in the editor",
            {
                "times": Param(_int_range(1, 100), "how many invocations", 1),
                "mode": Param(
                    _choice("serial", "parallel"), "one after another, or all at once", "serial"
                ),
                "type": Param(_choice("sync", "async"), "RequestResponse or Event", "sync"),
                "event": Param(
                    _text, "an event name of the lesson (default: the try-it event)", ""
                ),
            },
        ),
        ActionKind(
            "warm-then-burst",
            "one invocation to warm an environment, then a burst at once",
            {"burst": Param(_int_range(1, 100), "how many at once after the warm-up", 5)},
        ),
        ActionKind("set", "change function settings and apply them", SETTINGS, open_params=True),
        ActionKind(
            "rate",
            "invoke at a steady rate for a few seconds",
            {
                "per_second": Param(_float_range(0.1, 50), "invocations per second", 5.0),
                "seconds": Param(_float_range(1, 60), "for how long", 5.0),
            },
        ),
        ActionKind(
            "bucket-put",
            "drop a file into the local bucket (fires the S3 trigger)",
            {
                "key": Param(_text, "the object key, e.g. photos/cat 1.jpg", "upload.txt"),
                "sample": Param(_text, "a file of the lesson's events/ folder to copy", ""),
            },
        ),
        ActionKind(
            "api-call",
            "send a request to the local API Gateway route",
            {
                "method": Param(
                    _choice("GET", "POST", "PUT", "DELETE", "PATCH"), "HTTP method", "GET"
                ),
                "path": Param(_text, "the path, e.g. /hello?name=Ada", "/"),
                "body": Param(_text, "the request body", ""),
            },
        ),
        ActionKind(
            "queue-send",
            "send messages to the local queue (the event source mapping polls it)",
            {
                "body": Param(_text, "the message body", "{}"),
                "count": Param(_int_range(1, 100), "how many messages", 1),
            },
        ),
        ActionKind(
            "show",
            "bring a pane to the front",
            {
                "pane": Param(
                    _choice("timeline", "logs", "result", "billing", "editor"), "which", "timeline"
                )
            },
        ),
        ActionKind(
            "load",
            "put the lesson's starter or solution in the editor",
            {"code": Param(_choice("starter", "solution"), "which code", "starter")},
        ),
    )
}


@dataclass(frozen=True)
class Action:
    """A parsed action link: its kind and its parameters, converted and with defaults."""

    kind: str
    params: Mapping[str, object]

    def describe(self) -> str:
        """One line for a tooltip: what clicking does."""
        summary = KINDS[self.kind].summary
        shown = ", ".join(f"{k}={v}" for k, v in self.params.items() if v not in ("", None))
        return f"{summary} ({shown})" if shown else summary


def is_action_link(href: str) -> bool:
    return href.startswith(f"{SCHEME}:")


def parse_action(href: str) -> Action:
    """`action:KIND?key=value&…` as an Action; ActionError names what is wrong."""
    parts = urlsplit(href)
    if parts.scheme != SCHEME:
        raise ActionError(f"not an action link: {href!r} (expected {SCHEME}:KIND?…)")
    name = unquote(parts.path)
    kind = KINDS.get(name)
    if kind is None:
        raise ActionError(f"unknown action {name!r}; known: {', '.join(sorted(KINDS))}")
    given = parse_qsl(parts.query, keep_blank_values=True)
    params: dict[str, object] = (
        {} if kind.open_params else {key: p.default for key, p in kind.params.items()}
    )
    for key, text in given:
        param = kind.params.get(key)
        if param is None:
            raise ActionError(
                f"action {name!r} takes no {key!r}; it takes: {', '.join(kind.params) or 'nothing'}"
            )
        try:
            params[key] = param.convert(text)
        except ActionError as exc:
            raise ActionError(f"action {name!r}, {key}: {exc}") from None
    if kind.open_params and not params:
        raise ActionError(f"action {name!r} needs at least one of: {', '.join(kind.params)}")
    return Action(name, params)
