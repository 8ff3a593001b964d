"""What a trigger kind is: its description (TriggerKind) and the base of its runner (Trigger).

Each kind declares one TriggerKind in its module under workbench.triggers.kinds; the registry
(workbench.triggers.registry) finds them there. Everything here imports cheaply, because the
CLI's `--help` lists the kinds' commands: a kind's engine (aiohttp, the service) is imported
only when its runner starts.
"""

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


@dataclass(frozen=True)
class TriggerKind:
    """A kind of trigger, as every part of the workbench sees it.

    `name` is the spec's and runner's `kind`, and names the kind's UI module
    (workbench/ui/triggers/<name>_form.py). `command` is its CLI sub-command, whose module is
    workbench/commands/<command>.py; `command_help` is the line `--help` lists for it.
    """

    name: str
    title: str  # "API Gateway"
    summary: str  # one line: what invokes the function, and how
    order: int  # where it is listed (the Add trigger dialog, --help)
    spec: type[Any]
    runner: type[Trigger]
    default_spec: Callable[[SpecDefaults], Any]  # what an intent starts when none runs
    command: str | None
    command_help: str
    sam_event: Callable[[Any, str], SamEvent] | None  # (spec, logical id prefix) → SAM
    samples: tuple[str, ...]  # catalogue keys of the events it sends
    icon_svg: str  # the body of a 24×24 SVG
    one_per_function: str | None = None  # why a second one is refused; None: no limit
