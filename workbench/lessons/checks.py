"""Check kinds: the named, coded behaviours a lesson's checks.toml may ask for.

A lesson never carries code; each `[[checks]]` names a kind and gives its parameters. A kind
is declared (`declare`: its name, parameters, template fields, extra validation) apart from
its runner, which runs the learner's function through the real engine (a LambdaService on
any backend) and returns an Outcome with specific feedback. Loading and validating a lesson
needs only declarations; a runner's module, with the engine, aiohttp or the triggers it
uses, is imported when one of its checks runs. The kinds live in workbench.lessons.check_kinds.

This module stays light: it imports no engine, so `lessons list` starts fast.
"""

from __future__ import annotations

import importlib
import json
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.lessons.model import CheckSpec, Lesson
from workbench.lessons.schema import Field, Schema

if TYPE_CHECKING:  # the engine is the runners' business: loading a lesson must not import it
    from workbench.core.model import FunctionConfig
    from workbench.core.outcomes import Served
    from workbench.core.service import LambdaService

INVOKE_MARGIN_S = 15.0  # on top of the function's timeout: a cold container can be slow
EVENT_PARAMS: Schema = {
    "event": Field("string", "the name of one of the lesson's events (default: {})"),
    "payload": Field("any", "the event written inline, as a TOML table (instead of event)"),
}


@dataclass(frozen=True)
class Outcome:
    """What one check found: passed or not, the feedback, and values for message templates."""

    passed: bool
    detail: str
    fields: Mapping[str, Any] = field(default_factory=dict)


def passed(detail: str, **fields: Any) -> Outcome:
    return Outcome(True, detail, fields)


def failed(detail: str, **fields: Any) -> Outcome:
    return Outcome(False, detail, fields)


@dataclass
class CheckContext:
    """What a kind works with: the service, the deployed function, the lesson and the code."""

    service: LambdaService
    config: FunctionConfig
    lesson: Lesson
    code_dir: Path
    fresh: Mapping[str, str] = field(default_factory=dict)  # this run's ${…} values
    qualifier: str | None = None  # invoke this version or alias instead of $LATEST

    @property
    def name(self) -> str:
        return self.config.name

    def payload(self, params: Mapping[str, Any], key: str = "event") -> bytes:
        """The event bytes a check names (params[key]), or its inline payload, or {}."""
        if params.get(key):
            return self.lesson.event(str(params[key])).payload(self.fresh or None)
        if key == "event" and "payload" in params:
            return json.dumps(params["payload"]).encode()
        return b"{}"

    async def invoke(self, payload: bytes) -> Served:
        """Invoke the function synchronously, bounded by its timeout plus a margin."""
        import asyncio  # here, not at the top: loading lessons (lessons list) never needs it

        limit = self.config.timeout_s + INVOKE_MARGIN_S
        invoked = self.service.invoke(self.name, payload, qualifier=self.qualifier)
        return await asyncio.wait_for(invoked, limit)


KindRunner = Callable[[CheckContext, Mapping[str, Any]], Awaitable[Outcome]]
StaticCheck = Callable[[Mapping[str, Any]], list[tuple[tuple[str | int, ...], str]]]


@dataclass(frozen=True)
class CheckKind:
    """A check kind as a lesson sees it: its name, what it checks, its parameters, its
    template fields, and the module whose coroutine of the same name runs it."""

    name: str
    summary: str
    params: Schema
    fields: tuple[str, ...]
    runner: str  # a module path, imported only when a check of this kind runs
    event_keys: tuple[str, ...]  # parameters that name lesson events
    static: StaticCheck | None = None  # extra parameter checks beyond the schema

    def load_runner(self) -> KindRunner:
        """The coroutine function that runs this kind: `name` in the runner module."""
        module = importlib.import_module(self.runner)
        run: KindRunner = getattr(module, self.name)
        return run

    async def run(self, ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
        return await self.load_runner()(ctx, params)


def declare(
    name: str,
    summary: str,
    params: Schema,
    fields: tuple[str, ...] = (),
    *,
    runner: str,
    event_keys: tuple[str, ...] | None = None,
    static: StaticCheck | None = None,
) -> CheckKind:
    """The check kind `name`, run by the coroutine `name` of the module `runner`.

    event_keys: the parameters that name lesson events (default: `event`, if it takes one).
    """
    keys = event_keys if event_keys is not None else tuple(k for k in ("event",) if k in params)
    return CheckKind(name, summary, params, fields, runner, keys, static)


def template_names(template: str) -> list[str]:
    """The placeholder names a message template uses."""
    names = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            names.append(name.split(".")[0].split("[")[0])
    return names


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def feedback(spec: CheckSpec, outcome: Outcome) -> str:
    """The words shown for a check: its template filled in on failure, else the kind's detail."""
    if outcome.passed or not spec.message:
        return outcome.detail
    values = _Fields(outcome.fields, detail=outcome.detail)
    try:
        return spec.message.format_map(values)
    except (ValueError, IndexError, KeyError, AttributeError):
        return f"{spec.message}\n{outcome.detail}"
