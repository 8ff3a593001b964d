"""The bridge delivers bus events as Qt signals, batching log floods, in publication order."""

from __future__ import annotations

from workbench.core.events import EnvironmentFrozen, EventBus, LogLine
from workbench.ui.bridge import EventBridge


def test_log_flood_is_batched_and_order_is_kept(qtbot):
    """10,000 log lines arrive as one batch; a later event arrives after them."""
    bus = EventBus()
    bridge = EventBridge()
    bridge.attach(bus)
    received: list[object] = []
    bridge.sig_logs.connect(lambda batch: received.append(("logs", len(batch))))
    bridge.sig_event.connect(lambda event: received.append(("event", type(event).__name__)))
    for n in range(10_000):
        bus.publish(LogLine(at=float(n), function="f", text=f"line {n}"))
    assert received == []  # nothing yet: the batch waits for its timer
    qtbot.waitUntil(lambda: bool(received), timeout=1000)
    assert received == [("logs", 10_000)]
    bus.publish(LogLine(at=1.0, function="f", text="last"))
    bus.publish(EnvironmentFrozen(at=2.0, function="f", env_id="f-1"))
    assert received[1:] == [("logs", 1), ("event", "EnvironmentFrozen")]


def test_detach_stops_delivery(qtbot):
    """After detach the bus no longer reaches the bridge."""
    bus = EventBus()
    bridge = EventBridge()
    bridge.attach(bus)
    bridge.detach()
    seen: list[object] = []
    bridge.sig_event.connect(seen.append)
    bus.publish(EnvironmentFrozen(at=2.0, function="f", env_id="f-1"))
    assert seen == []
