"""EventBus → Qt signals: the only seam between the core and the UI."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.core.events import Event, EventBus, LogLine

LOG_BATCH_MS = 40  # coalesce log floods into ~25 UI updates a second at most


class EventBridge(QObject):
    """Re-emits bus events as Qt signals on the GUI thread, batching log lines.

    The bus publishes on the asyncio loop, which qasync runs on the Qt thread, so no
    thread hop is needed; only the rate of log lines has to be tamed.
    """

    sig_event = Signal(object)
    """Every event except LogLine, one at a time, in publication order."""

    sig_logs = Signal(object)
    """A tuple of LogLine events, at most once per LOG_BATCH_MS."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[LogLine] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOG_BATCH_MS)
        self._timer.timeout.connect(self.flush_logs)
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, bus: EventBus) -> None:
        """Start observing bus (detaching from any previous one)."""
        self.detach()
        self._unsubscribe = bus.subscribe(self.on_event)

    def detach(self) -> None:
        """Stop observing; pending log lines are delivered first."""
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        self.flush_logs()

    def on_event(self, event: Event) -> None:
        """Bus subscriber: must be quick and must not raise."""
        if isinstance(event, LogLine):
            self._pending.append(event)
            if not self._timer.isActive():
                self._timer.start()
            return
        # Deliver earlier log lines first so that panes see events in their real order.
        self.flush_logs()
        self.sig_event.emit(event)

    def flush_logs(self) -> None:
        """Emit the pending log lines now, as one batch."""
        self._timer.stop()
        if self._pending:
            batch, self._pending = tuple(self._pending), []
            self.sig_logs.emit(batch)
