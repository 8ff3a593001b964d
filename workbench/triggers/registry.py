"""The trigger kinds: found in workbench.triggers.kinds, one module each, never listed by hand.

The Add trigger dialog, the cards, the manager, the lesson intents, the CLI's command table and
the SAM export all ask here. A module of the kinds package declares `KIND = TriggerKind(...)`;
`register()` adds one more at run time (tests do, with a throwaway kind).
"""

from __future__ import annotations

import importlib
import os
from functools import cache

from workbench.triggers import kinds as kinds_package
from workbench.triggers.kind import TYPE_CHECKING, TriggerKind

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

_registered: dict[str, TriggerKind] = {}


class UnknownTriggerKind(LookupError):
    """No trigger kind has this name (the message lists the known ones)."""


@cache
def _discovered() -> tuple[TriggerKind, ...]:
    # A directory listing, not pkgutil: the CLI's --help comes here, and pkgutil's imports
    # alone cost more than the rest of --help.
    names = sorted(
        entry.name[:-3]
        for folder in kinds_package.__path__
        for entry in os.scandir(folder)
        if entry.name.endswith(".py") and not entry.name.startswith("_")
    )
    found = []
    for name in names:
        module = importlib.import_module(f"{kinds_package.__name__}.{name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, TriggerKind):
            found.append(kind)
    return tuple(found)


def trigger_kinds() -> list[TriggerKind]:
    """Every kind, in listing order."""
    every = {kind.name: kind for kind in _discovered()} | _registered
    return sorted(every.values(), key=lambda kind: (kind.order, kind.name))


def trigger_kind(name: str) -> TriggerKind:
    """The kind with this name; UnknownTriggerKind names the known ones."""
    for kind in trigger_kinds():
        if kind.name == name:
            return kind
    known = ", ".join(kind.name for kind in trigger_kinds())
    raise UnknownTriggerKind(f"unknown trigger kind {name!r}; known: {known}")


def kind_of(item: Any) -> TriggerKind:
    """The kind of a spec or a runner (instance or class), by its `kind` name."""
    return trigger_kind(str(getattr(item, "kind", "")))


def listed(words: list[str]) -> str:
    """Words as a sentence lists them: "a, b or c"."""
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)


def kind_titles() -> str:
    """The kinds' titles in a sentence: "API Gateway, S3 bucket, … or SQS queue"."""
    return listed([kind.title for kind in trigger_kinds()])


class registered:
    """Add a kind for the duration of a with-block (a plug-in, or a test's throwaway kind)."""

    def __init__(self, kind: TriggerKind) -> None:
        self.kind = kind

    def __enter__(self) -> TriggerKind:
        if self.kind.name in {k.name for k in trigger_kinds()}:
            raise ValueError(f"a trigger kind named {self.kind.name!r} is already registered")
        _registered[self.kind.name] = self.kind
        return self.kind

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _registered.pop(self.kind.name, None)
