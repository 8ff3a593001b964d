"""The timeline view: labels by zoom, throttle marks, provisioned lanes, zoom, pan, click."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentFrozen,
    InitCompleted,
    InitStarted,
    InvocationCompleted,
    InvocationDropped,
    InvocationQueued,
    InvocationStarted,
    InvocationThrottled,
    LogLine,
    Report,
)
from workbench.ui.panes.timeline_canvas import WHEEL_ZOOM
from workbench.ui.panes.timeline_paint import REQUESTS_ROW, label_text
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.panes.timeline_text import describe_row
from workbench.ui.timeline_model import Phase, Span, TimelineModel

RID = "3f2a91c0-1111-4222-8333-444455556666"


def served(env: str, rid: str, start: float, seconds: float, cold: bool = False) -> list:
    """InvocationStarted/Completed of one invocation billed like AWS (rounded up to 1 ms)."""
    report = Report(rid, seconds * 1000, int(seconds * 1000) + 1, 128, 30)
    return [
        InvocationStarted(at=start, function="f", request_id=rid, env_id=env, cold=cold),
        InvocationCompleted(
            at=start + seconds, function="f", request_id=rid, env_id=env, report=report
        ),
        EnvironmentFrozen(at=start + seconds, function="f", env_id=env),
    ]


def started(env: str, at: float, kind: str = "on-demand") -> list:
    return [
        EnvironmentCreated(
            at=at, function="f", env_id=env, backend="process", initialization_type=kind
        ),
        InitStarted(at=at, function="f", env_id=env),
        InitCompleted(at=at + 0.1, function="f", env_id=env, init_duration_ms=100),
    ]


@pytest.fixture
def pane(qtbot) -> TimelinePane:
    widget = TimelinePane(now=lambda: 12.0)
    qtbot.addWidget(widget)
    widget.resize(900, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def feed(pane: TimelinePane, events: list) -> None:
    for event in events:
        pane.on_event(event)


def test_labels_grow_with_the_zoom():
    """A 300 ms bar says nothing when tiny, its billed ms when medium, and its id when wide."""
    span = Span(Phase.INVOKE, 10.0, 10.3, request_id=RID, billed_ms=301)
    assert label_text(span, 20) == ""
    assert label_text(span, 60) == "301 ms"
    assert label_text(span, 200) == "3f2a91c0 · 301 ms"
    assert label_text(Span(Phase.FROZEN, 10.0, 12.0), 500) == ""


def test_zooming_in_makes_the_canvas_label_an_invocation(pane):
    """At 15 s a 300 ms invocation is too narrow to label; at 1 s it carries id and billed ms."""
    feed(pane, started("f-1", 10.0) + served("f-1", RID, 10.2, 0.3, cold=True))
    canvas, lane = pane.canvas, pane.model.lanes["f-1"]
    invoke = next(s for s in lane.spans if s.phase is Phase.INVOKE)
    pane.set_zoom("15 s")
    assert label_text(invoke, canvas.span_rect(0, invoke, 12.0).width()) == ""
    pane.set_zoom("1 s")
    pane.canvas.set_view_end(11.0)
    assert label_text(invoke, canvas.span_rect(0, invoke, 12.0).width()) == "3f2a91c0 · 301 ms"


def test_throttles_queue_and_drops_are_marks_on_a_requests_row(pane):
    """Events without an environment land on a "Requests" row that hover explains."""
    marks = [
        InvocationQueued(at=10.5, function="f", request_id="q-1"),
        InvocationThrottled(
            at=11.0, function="f", request_id="t-1", reason="ReservedFunctionConcurrency"
        ),
        InvocationDropped(
            at=11.5, function="f", request_id="q-1", reason="retries exhausted", attempts=3
        ),
    ]
    feed(pane, [*started("f-1", 10.0), *marks])
    kinds = [(m.kind, m.request_id) for m in pane.model.marks]
    assert kinds == [
        ("queued", "q-1"),
        ("throttled", "t-1"),
        ("dropped", "q-1"),
    ]
    canvas = pane.canvas
    assert canvas.rows()[0] == REQUESTS_ROW
    pane.set_zoom("5 s")
    x = canvas.x_of(11.0)
    hit = canvas.hit_at(x, 22 + 15)
    assert hit is not None and hit.mark is not None and hit.mark.request_id == "t-1"
    tip = canvas.tooltip_at(x, 22 + 15)
    assert "throttled" in tip and "ReservedFunctionConcurrency" in tip
    assert "dropped" in canvas.tooltip_at(canvas.x_of(11.5), 37)


def test_provisioned_environments_are_marked(pane):
    """initialization_type provisioned-concurrency makes a PC lane; on-demand ones are not."""
    feed(pane, started("f-1", 10.0, "provisioned-concurrency") + started("f-2", 10.5))
    lanes = pane.model.lanes
    assert lanes["f-1"].provisioned and not lanes["f-2"].provisioned
    assert "provisioned concurrency" in describe_row(lanes["f-1"])
    assert "on-demand" in describe_row(lanes["f-2"])
    assert "provisioned" in pane.canvas.tooltip_at(20, 22 + 15)


def test_visible_spans_are_found_by_bisection():
    """Lane.visible returns exactly the spans overlapping the window, as a full scan would."""
    model = TimelineModel()
    events = started("f-1", 0.0)
    for n in range(400):
        events += served("f-1", f"r{n}", 1.0 + n, 0.2)
    for event in events:
        model.apply(event)
    lane = model.lanes["f-1"]
    for start, end in ((0.0, 0.05), (100.1, 100.5), (250.0, 260.0), (398.0, 999.0)):
        overlapping = [s for s in lane.spans if s.start < end and s.end_or(999.0) > start]
        found = lane.visible(start, end)
        assert set(map(id, overlapping)) <= set(map(id, found))
        assert len(found) <= len(overlapping) + 2  # plus spans that only touch an edge
        assert len(found) < 40  # and never a scan of the whole lane


def wheel(canvas, x: float, notches: float, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Send a mouse-wheel event at x (one notch is 120 units)."""
    point = QPointF(x, 60)
    event = QWheelEvent(
        point,
        canvas.mapToGlobal(point),
        QPoint(0, 0),
        QPoint(0, int(120 * notches)),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.wheelEvent(event)


def test_ctrl_wheel_zooms_around_the_mouse_and_wheel_pans(pane):
    """Ctrl+wheel keeps the time under the mouse; the wheel pans and stops following."""
    feed(pane, started("f-1", 10.0) + served("f-1", RID, 10.2, 0.3))
    canvas = pane.canvas
    pane.set_zoom("5 s")
    pane.follow.setChecked(False)
    anchor_x = canvas.x_of(10.3)
    wheel(canvas, anchor_x, 1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.window_s == pytest.approx(5 / WHEEL_ZOOM)
    assert canvas.x_of(10.3) == pytest.approx(anchor_x, abs=0.5)
    assert pane.zoom.currentIndex() == -1 and pane.zoom.placeholderText() == "4 s"
    end = canvas.current_end()
    wheel(canvas, anchor_x, 1)  # wheel up: back in time
    assert canvas.current_end() < end
    assert not pane.follow.isChecked()
    pane.follow_now()
    assert canvas.view_end is None and pane.follow.isChecked()


def test_dragging_pans_and_following_resumes_at_now(pane, qtbot):
    """A drag to the right shows earlier time; Follow now jumps back to the present."""
    feed(pane, started("f-1", 10.0) + served("f-1", RID, 10.2, 0.3))
    canvas = pane.canvas
    pane.set_zoom("5 s")
    end = canvas.current_end()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(600, 60))
    qtbot.mouseMove(canvas, QPoint(700, 60))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(700, 60))
    px_per_s = canvas.scale().px_per_s
    assert canvas.current_end() == pytest.approx(end - 100 / px_per_s, abs=0.01)
    assert not pane.follow.isChecked()
    pane.follow.setChecked(True)
    assert canvas.view_end is None


def test_clicking_an_invocation_filters_the_logs_to_it(window, qtbot):
    """A click on an invocation selects its request in the logs; a click on nothing undoes it."""
    now = time.time()
    window.timeline_pane.canvas.now = lambda: now
    other = "9b9b9b9b-0000-4000-8000-000000000000"
    events = started("f-1", now - 2.0) + served("f-1", RID, now - 1.8, 0.4)
    events += served("f-1", other, now - 1.0, 0.4)
    for event in events:
        window.bridge.on_event(event)
    window.bridge.on_event(LogLine(at=now, function="f", text=f"START {RID}", request_id=RID))
    window.bridge.on_event(LogLine(at=now, function="f", text=f"START {other}", request_id=other))
    window.bridge.flush_logs()
    pane, canvas = window.timeline_pane, window.timeline_pane.canvas
    pane.set_zoom("5 s")
    span = next(s for s in pane.model.lanes["f-1"].spans if s.request_id == RID)
    rect = canvas.span_rect(0, span, now)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert canvas.selected == RID
    assert window.result_pane.filter.text() == RID
    assert window.result_pane.log_text() == f"START {RID}"
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() - 20, 200))
    assert canvas.selected is None and window.result_pane.filter.text() == ""


def test_ten_thousand_spans_paint_only_what_is_visible(pane):
    """With 10,000 spans a 5 s view collects a handful per lane, and a repaint is quick."""
    model = pane.model
    for lane in range(50):
        events = started(f"f-{lane}", 0.0)
        for n in range(67):  # 3 spans each: invoke, idle, frozen
            events += served(f"f-{lane}", f"r{lane}-{n}", 1.0 + n * 2, 0.05)
        for event in events:
            model.apply(event)
    assert sum(len(lane.spans) for lane in model.lanes.values()) >= 10_000
    pane.canvas.now = lambda: 135.0
    pane.set_zoom("5 s")
    pane.refresh()
    start, end = pane.canvas.view_start(), pane.canvas.current_end()
    assert max(len(lane.visible(start, end)) for lane in model.lanes.values()) <= 12
    pane.canvas.grab()  # warm up fonts
    began = time.perf_counter()
    pane.canvas.grab()
    assert time.perf_counter() - began < 0.25  # generous: CI machines are shared
    assert pane.rows_bar.isVisible()  # 50 lanes do not fit: the rows scroll


def test_timeline_screenshot_with_labels_throttles_and_a_provisioned_lane(
    window, qloop, screenshots, tmp_path
):
    """Real engine: a provisioned lane, a reservation that throttles, labels at 2 s zoom."""
    from workbench.backends.process import ProcessBackend
    from workbench.core.service import LambdaService

    code = tmp_path / "slow"
    code.mkdir()
    (code / "lambda_function.py").write_text(
        "import time\n\n\ndef lambda_handler(event, context):\n"
        "    time.sleep(0.45)\n    return {'slept': 0.45}\n"
    )
    (code / "function.toml").write_text("reserved_concurrency = 2\nprovisioned_concurrency = 1\n")
    service = LambdaService(ProcessBackend(reason="tests"))
    run(qloop, service.start())
    try:
        window.open_function(code)
        window.attach_service(service, "Local processes — tests")
        model = window.timeline_pane.model
        run(qloop, wait_for(lambda: any(lane.spans for lane in model.lanes.values()), 10))
        run(qloop, _sleep(0.5))  # the provisioned environment finishes its init
        pane = window.event_pane
        pane.mode.setCurrentIndex(1)
        pane.times.setValue(4)  # 2 run (reservation), 2 are throttled
        pane.invoke_button.click()
        run(qloop, spawned_tasks_done())
        pane.invocation_type.setCurrentIndex(1)  # then one queued (async) event
        pane.times.setValue(1)
        pane.invoke_button.click()
        run(qloop, spawned_tasks_done())
        run(qloop, wait_for(lambda: sum(lane.invocations for lane in model.lanes.values()) == 3))
        kinds = [m.kind for m in model.marks]
        assert kinds.count("throttled") == 2 and kinds.count("queued") == 1
        assert any(lane.provisioned for lane in model.lanes.values())
        run(qloop, _sleep(0.6))
        window.timeline_pane.set_zoom("2 s")
        window.timeline_pane.grab().save(str(screenshots / "timeline_labels_throttles.png"))
    finally:
        run(qloop, service.close(), 15)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
