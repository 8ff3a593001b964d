"""Starts and stops the open function's triggers on the app's loop and logs their activity."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.core.events import LogLine
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.triggers.bucket_trigger import BucketTrigger
from workbench.triggers.registry import kind_of
from workbench.triggers.running import Trigger, TriggerSpec
from workbench.ui.tasks import spawn

LOG_BATCH_MS = 40  # like the bridge: a burst of requests becomes one log-view update


class TriggerError(Exception):
    """A trigger could not be added; the message is for the learner."""


class FunctionHost(Protocol):
    """What the manager needs from the controller: the ready function and deploy extras."""

    extra_environment: dict[str, str]
    config: FunctionConfig | None  # the open function's applied settings

    def ready_function(self) -> tuple[LambdaService, FunctionConfig] | str: ...


class TriggerManager(QObject):
    """The active triggers of the open function; stops them all on quit or function switch."""

    sig_changed = Signal()
    """A trigger was added or removed, or its status changed."""

    sig_bucket_changed = Signal()
    """A trigger's contents changed outside its log (a bucket fired or warned: its folder)."""

    sig_message = Signal(str)
    """A short status-bar message."""

    def __init__(
        self,
        host: FunctionHost,
        add_logs: Callable[[Iterable[LogLine]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.triggers: list[Trigger] = []
        self._add_logs = add_logs
        self._owner: tuple[str, object] | None = None  # (name, code folder) they belong to
        self._pending: list[LogLine] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(LOG_BATCH_MS)
        self._flush_timer.timeout.connect(self.flush_logs)

    # ----- adding and stopping ---------------------------------------------------------
    def _build(self, spec: TriggerSpec, function: str) -> Trigger:
        runner = kind_of(spec).runner
        return runner(function, self._log_for(function), spec, self.sig_bucket_changed.emit)

    async def add(self, spec: TriggerSpec) -> Trigger:
        """Start a trigger for the open function (saving and deploying its code first).

        Raises TriggerError (or the trigger's own ValueError/OSError) when it cannot start.
        """
        ready = self.host.ready_function()
        if isinstance(ready, str):
            raise TriggerError(f"cannot add a trigger: {ready}")
        service, config = ready
        kind = kind_of(spec)
        if kind.one_per_function and any(t.kind == kind.name for t in self.triggers):
            raise TriggerError(kind.one_per_function)
        trigger = self._build(spec, config.name)
        try:
            await trigger.start(service, service.function(config.name))
        except BaseException:
            await trigger.stop()
            raise
        # Later redeploys (Apply, saved code) must keep what it needs (a bucket's endpoint).
        self.host.extra_environment.update(trigger.environment)
        self._owner = (config.name, config.code_dir)
        self.triggers.append(trigger)
        self.sig_changed.emit()
        return trigger

    async def stop(self, trigger: Trigger) -> None:
        """Stop one trigger and forget it."""
        if trigger in self.triggers:
            self.triggers.remove(trigger)
        for key in trigger.environment:
            self.host.extra_environment.pop(key, None)
        self.sig_changed.emit()
        try:
            await trigger.stop()
        finally:
            trigger.log("stopped")
            self.flush_logs()
            self.sig_changed.emit()

    async def stop_all(self) -> None:
        """Stop every trigger (on quit, or when another function is opened)."""
        for trigger in list(self.triggers):
            await self.stop(trigger)

    def config_changed(self, config: FunctionConfig) -> None:
        """Another function was opened: stop the old one's triggers; Apply keeps them."""
        if not self.triggers or self._owner == (config.name, config.code_dir):
            return
        for trigger in self.triggers:
            for key in trigger.environment:  # before the new function's first deploy
                self.host.extra_environment.pop(key, None)
        count = len(self.triggers)
        spawn(self.stop_all())
        self.sig_message.emit(f"Stopped {count} trigger(s) of the function you closed.")

    def buckets(self) -> list[BucketTrigger]:
        """The running bucket triggers."""
        return [t for t in self.triggers if isinstance(t, BucketTrigger)]

    # ----- logging ---------------------------------------------------------------------
    def _log_for(self, function: str) -> Callable[[str, str, str | None], None]:
        def log(tag: str, text: str, request_id: str | None) -> None:
            line = LogLine(
                at=time.time(), function=function, text=f"[{tag}] {text}", request_id=request_id
            )
            self._pending.append(line)
            if not self._flush_timer.isActive():
                self._flush_timer.start()

        return log

    def flush_logs(self) -> None:
        """Show the pending trigger lines now, as one batch."""
        self._flush_timer.stop()
        if self._pending:
            batch, self._pending = self._pending, []
            self._add_logs(batch)
