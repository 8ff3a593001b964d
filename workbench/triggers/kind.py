"""What a trigger kind is, as every part of the workbench sees it: a TriggerKind.

Each kind declares one in its module under workbench.triggers.kinds, and the registry
(workbench.triggers.registry) finds them there. A declaration is plain text and names: the CLI's
`--help` reads every kind's, so it must not import the kind's implementation (its spec
dataclass, its runner, its engine), which loads the first time one of those parts is asked for.
"""

from __future__ import annotations

import importlib

# typing.TYPE_CHECKING without importing typing, which costs more than the rest of --help
# (mypy and ruff treat any constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from workbench.triggers.running import SamEvent, SpecDefaults, Trigger


class TriggerKind:
    """A kind of trigger: how it is listed and named, and where its parts are.

    `name` is its specs' and runners' `kind`, and names its UI module
    (workbench/ui/triggers/<name>_form.py). `command` is its CLI sub-command, whose module is
    workbench/commands/<command>.py, and `command_help` the line `--help` lists for it.
    `spec`, `runner`, `default_spec` and `sam_event` are attribute names in the
    `implementation` module (or the objects themselves); `sam_event=None` when SAM cannot
    express the kind.
    """

    def __init__(
        self,
        *,
        name: str,
        title: str,
        summary: str,
        order: int,
        implementation: str = "",
        spec: str | type[Any],
        runner: str | type[Trigger],
        default_spec: str | Callable[[SpecDefaults], Any] = "default_spec",
        sam_event: str | Callable[[Any, str], SamEvent] | None = "sam_events",
        command: str | None = None,
        command_help: str = "",
        samples: tuple[str, ...] = (),
        icon_svg: str = "",
        one_per_function: str | None = None,
    ) -> None:
        self.name = name
        self.title = title  # "API Gateway"
        self.summary = summary  # one line: what invokes the function, and how
        self.order = order  # where it is listed (the Add trigger dialog, --help)
        self.implementation = implementation  # the module of its spec, runner, SAM events
        self.command = command
        self.command_help = command_help
        self.samples = samples  # catalogue keys of the events it sends
        self.icon_svg = icon_svg  # the body of a 24×24 SVG
        self.one_per_function = one_per_function  # why a second one is refused; None: no limit
        self._parts: dict[str, Any] = {
            "spec": spec,
            "runner": runner,
            "default_spec": default_spec,
            "sam_event": sam_event,
        }

    def __repr__(self) -> str:
        return f"TriggerKind({self.name!r}, implementation={self.implementation!r})"

    def _part(self, part: str) -> Any:
        value = self._parts[part]
        if isinstance(value, str):
            if not self.implementation:
                raise LookupError(f"trigger kind {self.name!r} names its {part} but no module")
            value = getattr(importlib.import_module(self.implementation), value)
            self._parts[part] = value
        return value

    @property
    def spec(self) -> type[Any]:
        """The spec dataclass (imports the implementation)."""
        return self._part("spec")  # type: ignore[no-any-return]

    @property
    def runner(self) -> type[Trigger]:
        """The Trigger subclass that runs a spec (imports the implementation)."""
        return self._part("runner")  # type: ignore[no-any-return]

    @property
    def default_spec(self) -> Callable[[SpecDefaults], Any]:
        """What an intent starts when the function has no such trigger."""
        return self._part("default_spec")  # type: ignore[no-any-return]

    @property
    def sam_event(self) -> Callable[[Any, str], SamEvent] | None:
        """(spec, logical id prefix) → its SAM events and resources; None if SAM has none."""
        return self._part("sam_event")  # type: ignore[no-any-return]
