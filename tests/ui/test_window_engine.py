"""The window against the real engine (process backend): invoke, errors, burst, screenshots."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import textwrap
import time

from PySide6.QtCore import Qt, QTimer
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.app import settle_heap
from workbench.ui.timeline_model import Phase

FAILING_HANDLER = textwrap.dedent(
    """\
    import json


    def lookup(event):
        # The key is misspelt on purpose: this line raises KeyError.
        return event["nmae"]


    def lambda_handler(event, context):
        print("looking up the name")
        name = lookup(event)
        return {"message": f"Hello, {name}!"}
    """
)
FAILING_LINE = 6  # return event["nmae"]


def click_invoke(window, qloop, times: int = 1) -> None:
    """Press Invoke as the learner does and wait for the invocations to finish."""
    window.event_pane.times.setValue(times)
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())


def test_first_start_screenshot(window, engine, qloop, screenshots):
    """The window at first start: sample code, default event, empty timeline."""
    run(qloop, wait_for(lambda: window.event_pane.invoke_button.isEnabled()))
    assert window.windowTitle() == "hello — Lambda Workbench"
    assert "lambda_handler" in window.editor_pane.editor.toPlainText()
    window.grab().save(str(screenshots / "first_start.png"))


def test_invoke_shows_response_and_platform_log_lines(window, engine, qloop, screenshots):
    """A real invoke shows the pretty-printed response and START/END/REPORT in the logs."""
    click_invoke(window, qloop)
    run(qloop, wait_for(lambda: "REPORT RequestId" in window.result_pane.log_text()))
    response = json.loads(window.result_pane.response.toPlainText())
    assert response["message"] == "Hello, Lambda learner!"
    status = window.result_pane.status.text()
    assert status.startswith("✓ Succeeded") and "cold start" in status
    logs = window.result_pane.log_text()
    for marker in ("INIT_START", "START RequestId", "END RequestId", "REPORT RequestId"):
        assert marker in logs
    assert window.billing_pane.values["requests"].text() == "1"
    assert "1 environment warm" in window.warm_label.text()
    window.grab().save(str(screenshots / "invoke_success.png"))


def test_failing_handler_marks_its_error_line(window, engine, qloop, screenshots):
    """An unhandled exception shows the error and marks the deepest frame in the editor."""
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText(FAILING_HANDLER)  # typed, unsaved: Invoke must save it first
    assert window.editor_pane.modified
    click_invoke(window, qloop)
    assert not window.editor_pane.modified
    assert editor.error_line == FAILING_LINE
    status = window.result_pane.status.text()
    assert status.startswith("✗ Unhandled: KeyError")
    assert "Traceback (most recent call last):" in window.result_pane.response.toPlainText()
    run(qloop, wait_for(lambda: "REPORT RequestId" in window.result_pane.log_text()))
    window.grab().save(str(screenshots / "invoke_failure.png"))

    # Following the outer frame from the log stream moves the mark to that line.
    window.controller.go_to_source(str(window.editor_pane.path), 11)
    assert editor.error_line == 11


def test_edited_code_is_deployed_before_the_next_invoke(window, engine, qloop):
    """After an edit, Invoke saves and redeploys: the new code runs, in a new environment."""
    click_invoke(window, qloop)
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText("def lambda_handler(event, context):\n    return 'version 2'\n")
    click_invoke(window, qloop)
    assert window.result_pane.response.toPlainText() == '"version 2"'
    assert "cold start" in window.result_pane.status.text()
    click_invoke(window, qloop)
    assert "warm start" in window.result_pane.status.text()


def test_invalid_payload_shows_the_service_error(window, engine, qloop):
    """An InvokeError (here: a payload that is not JSON) is shown, not raised."""
    run(qloop, window.controller.invoke(b"{not json"))
    assert window.result_pane.status.text().startswith("✗ InvalidRequestContentException")
    assert "Could not parse request body" in window.result_pane.response.toPlainText()


def test_apply_settings_redeploys(window, engine, qloop):
    """Apply redeploys: the next invoke is cold and reports the new memory size."""
    click_invoke(window, qloop)
    window.settings_pane.memory.setValue(512)
    window.settings_pane.apply_button.click()
    assert engine.function("hello").memory_mb == 512
    click_invoke(window, qloop)
    status = window.result_pane.status.text()
    assert "cold start" in status and "of 512 MB" in status


def test_fifty_invocation_burst_keeps_the_loop_responsive(
    window, engine, qloop, capsys, screenshots
):
    """50 invocations through the real process backend; a 5 ms QTimer measures loop stalls.

    Like the app (workbench.app.settle_heap), the test freezes what exists before the burst,
    so full garbage collections do not rescan pytest's and earlier tests' objects.
    """
    settle_heap()
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()
    click_invoke(window, qloop, times=50)
    elapsed = time.perf_counter() - started
    timer.stop()
    gc.unfreeze()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    worst_ms = max(gaps) * 1000
    with capsys.disabled():
        print(
            f"\n[burst] 50 invocations in {elapsed:.2f} s; "
            f"max loop stall {worst_ms:.1f} ms over {len(ticks)} ticks"
        )
    assert window.billing_pane.values["requests"].text() == "50"
    window.side_tabs.setCurrentWidget(window.billing_pane)
    window.grab().save(str(screenshots / "burst_billing.png"))
    assert "(50 of 50)" in window.result_pane.status.text()
    assert worst_ms <= 100, f"the Qt loop stalled {worst_ms:.1f} ms"


def test_cold_then_warm_timeline_with_a_reaped_environment(window, qloop, screenshots, qtbot):
    """Real events draw: a cold start, warm reuse, a concurrent second environment, a reap."""
    from workbench.backends.process import ProcessBackend
    from workbench.core.service import LambdaService

    service = LambdaService(ProcessBackend(reason="tests"), idle_timeout_s=1.5)
    run(qloop, service.start())
    window.attach_service(service, "Local processes — tests")
    try:
        window.timeline_pane.set_zoom("5 s")
        click_invoke(window, qloop)  # cold
        run(qloop, _sleep(0.4))
        click_invoke(window, qloop)  # warm (thawed)
        window.event_pane.mode.setCurrentIndex(1)
        click_invoke(window, qloop, times=2)  # at once: one warm, one cold in a new lane
        model = window.timeline_pane.model
        run(qloop, wait_for(lambda: any(not lane.alive for lane in model.lanes.values()), 10))
        lanes = list(model.lanes.values())
        first = lanes[0]
        invokes = [s for s in first.spans if s.phase is Phase.INVOKE]
        assert invokes[0].cold and not invokes[1].cold
        assert any(s.phase is Phase.FROZEN for s in first.spans)
        assert len(lanes) == 2
        run(qloop, _sleep(0.2))
        window.timeline_pane.grab().save(str(screenshots / "timeline_cold_warm_reaped.png"))
    finally:
        run(qloop, service.close(), 15)


def test_dark_theme_screenshot(window, engine, qloop, screenshots):
    """The dark palette applies to every pane (checked by eye in the PNG)."""
    window.set_theme("dark")
    click_invoke(window, qloop)
    run(qloop, wait_for(lambda: "REPORT RequestId" in window.result_pane.log_text()))
    assert window.palette().color(window.palette().ColorRole.Base).lightness() < 128
    window.grab().save(str(screenshots / "dark_theme.png"))
    window.set_theme("light")


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def test_ctrl_enter_invokes_from_either_editor(window, engine, qloop, qtbot):
    """Ctrl+Enter (main or keypad Enter) invokes, whichever editor has the focus."""
    code, event = window.editor_pane.editor, window.event_pane.editor
    code.setFocus()
    before = code.toPlainText()
    qtbot.keyClick(code, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    run(qloop, spawned_tasks_done())
    assert window.billing_pane.values["requests"].text() == "1"
    assert code.toPlainText() == before  # the shortcut typed nothing into the code
    event.setFocus()
    keypad = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier
    qtbot.keyClick(event, Qt.Key.Key_Enter, keypad)
    run(qloop, spawned_tasks_done())
    assert window.billing_pane.values["requests"].text() == "2"
