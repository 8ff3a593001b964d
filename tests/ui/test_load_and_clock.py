"""The load panel and the teaching clock control, through the real engine (process backend).

Runs that go on in the background are driven inside one coroutine: qasync processes Qt
events once more after its loop stops, and a task waking then finds no running loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.backends.process import ProcessBackend
from workbench.core.clock import TeachingClock
from workbench.core.events import EnvironmentReaped
from workbench.core.service import LambdaService
from workbench.ui.panes.clock_control import SPEEDS, real_seconds_text

CLOSE_LIMIT_S = 15.0


@pytest.fixture
def teaching_engine(window, qloop) -> Iterator[LambdaService]:
    """A started service with a teaching clock (as the app builds it), attached to the window."""
    service = LambdaService(ProcessBackend(reason="tests"), clock=TeachingClock())
    run(qloop, service.start())
    window.attach_service(service, "Local processes — tests")
    yield service
    run(qloop, service.close(), CLOSE_LIMIT_S)


async def snap(widget, path) -> None:
    """Save a screenshot once Qt has applied pending layout changes."""
    await asyncio.sleep(0.05)
    widget.grab().save(str(path))


def test_load_panel_runs_a_short_load(window, teaching_engine, qloop, screenshots):
    """2 s at 20/s: live figures each second, lanes on the timeline, and a summary at the end."""
    pane = window.trigger_ui.load_pane
    window.side_tabs.setCurrentWidget(pane)
    pane.rate.setValue(20)
    pane.duration.setValue(2)
    pane.concurrency.setValue(0)

    async def scenario():
        task = pane.start()
        assert task is not None and not pane.start_button.isEnabled()
        # The first tick (after 1 s) shows live figures; the run goes on for another second.
        await wait_for(lambda: pane.values["sent"].text() not in ("0", "—"), 5)
        assert int(pane.values["sent"].text()) >= 15 and task is pane.task
        await snap(window, screenshots / "load_panel_running_window.png")
        await snap(window.side_tabs, screenshots / "load_panel_running.png")
        return await task

    final = run(qloop, scenario())
    # 40 arrivals are due in 2 s; a busy loop (screenshots, cold starts) sends fewer, in time.
    assert 15 <= final.sent <= 42 and final.completed == final.sent and final.throttled == 0
    done = f"{final.sent} of {final.sent} completed"
    assert pane.summary.text().startswith(f"Finished: {done}")
    assert "cold starts" in pane.summary.text() and "$" in pane.values["cost"].text()
    assert pane.values["done"].text() == str(final.sent)
    assert pane.start_button.isEnabled() and not pane.stop_button.isEnabled()
    lanes = window.timeline_pane.model.lanes
    assert len(lanes) >= 1 and final.environments_created == len(lanes)
    run(qloop, snap(window.side_tabs, screenshots / "load_panel_summary.png"))


def test_load_panel_applies_reserved_concurrency_and_stops_early(window, teaching_engine, qloop):
    """Reserved concurrency 1 is deployed first; Stop ends sending and still gives a summary."""
    pane = window.trigger_ui.load_pane
    pane.rate.setValue(50)
    pane.duration.setValue(20)
    pane.reserved.setValue(1)

    async def scenario():
        task = pane.start()
        assert teaching_engine.function("hello").reserved_concurrency == 1
        assert window.settings_pane.reserved.value() == 1  # the settings form shows it too
        await wait_for(lambda: pane.run is not None and pane.run.snapshot().sent >= 10, 10)
        pane.stop()
        return await task

    final = run(qloop, scenario())
    assert final.sent < 200 and final.completed + final.throttled + final.failed == final.sent
    assert final.throttled > 0  # 50/s against one environment
    assert pane.summary.text().startswith("Stopped early")


def test_clock_control_speeds_idle_time_and_reaps(window, teaching_engine, qloop, screenshots):
    """600× and a 60 s idle timeout: an environment is reaped within a couple of real seconds."""
    clock = window.trigger_ui.clock
    assert clock.isEnabled() and SPEEDS == (1.0, 10.0, 60.0, 600.0)
    assert "real time" in clock.speed.toolTip() and clock.idle.toolTip()
    assert window.timeline_pane.canvas.now == teaching_engine.clock.now
    clock.speed.setCurrentIndex(SPEEDS.index(60.0))
    assert teaching_engine.clock.speed == 60.0
    clock.idle.setValue(60)
    assert teaching_engine.idle_timeout_s == 60.0
    assert clock.real.text() == real_seconds_text(60, 60) == "≈ 1 s real"

    async def scenario():
        window.event_pane.invoke_button.click()
        await spawned_tasks_done()
        assert len(teaching_engine.environments("hello")) == 1
        clock.speed.setCurrentIndex(SPEEDS.index(600.0))
        assert teaching_engine.clock.speed == 600.0
        await wait_for(lambda: not teaching_engine.environments("hello"), 10)
        await snap(window.statusBar(), screenshots / "clock_control.png")

    run(qloop, scenario())
    reaped = [e for e in teaching_engine.bus.history() if isinstance(e, EnvironmentReaped)]
    assert [e.reason for e in reaped] == ["idle"]
    clock.speed.setCurrentIndex(0)
    assert teaching_engine.clock.speed == 1.0


def test_clock_control_is_disabled_without_a_teaching_clock(window, engine):
    """A service on the system clock cannot change speed: the control says so."""
    clock = window.trigger_ui.clock
    assert not clock.isEnabled() and "cannot change speed" in clock.toolTip()
