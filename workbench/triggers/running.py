"""What every kind's implementation builds on: its spec's shape, the running Trigger, its log
callback, the defaults a kind's default spec may use, and the SAM events a kind exports to."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService

Log = Callable[[str, str, str | None], None]  # (tag, text, request id)
Changed = Callable[[], None]
STOP_GRACE_S = 2.0  # a queue batch still running when stopped gets this long to finish
_numbers = itertools.count(1)


class TriggerSpec(Protocol):
    """What the learner asked for, as plain values (a frozen dataclass per kind)."""

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class SpecDefaults:
    """What a kind's default spec may depend on: the function, and where buckets live."""

    function: FunctionConfig
    buckets_dir: Path


@dataclass(frozen=True)
class SamEvent:
    """SAM event sources for the function (by logical id), and resources they need beside it."""

    events: dict[str, dict[str, Any]]
    resources: dict[str, dict[str, Any]]


class Trigger:
    """One running trigger: a title, live details, a status, and a clean stop.

    A runner is built as `runner(function, log, spec, changed)`; `changed` is called when
    what it shows changed outside its own log lines (a bucket's objects).
    """

    kind = ""
    tag = ""  # the log prefix, e.g. [api]

    def __init__(self, function: str, log: Log, spec: Any, changed: Changed | None = None) -> None:
        self.number = next(_numbers)
        self.function = function
        self.spec = spec
        self.status = "starting"
        self._log = log
        self._changed = changed or (lambda: None)

    def log(self, text: str, request_id: str | None = None) -> None:
        self._log(self.tag, text, request_id)

    @property
    def title(self) -> str:
        return self.kind

    @property
    def environment(self) -> dict[str, str]:
        """Variables the function's environments need while this trigger runs (none)."""
        return {}

    def details(self) -> list[str]:
        """Lines that describe the trigger now (refreshed while it runs)."""
        return []

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop taking and sending events; safe to call twice."""
        if self.status == "stopped":
            return
        self.status = "stopping"
        try:
            await self._stop()
        finally:
            self.status = "stopped"
