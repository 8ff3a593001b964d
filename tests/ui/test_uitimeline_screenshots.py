"""Screenshots of the screens this work changed, at laptop sizes (saved to tests/ui/screenshots/).

Real engine (process backend): a cold start then warm invokes with ended lanes folded, a
syntax error typed in the editor, Stop during a slow invocation, settings with an invalid
field, and a sweep with failed points.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.core.events import EnvironmentReaped

LAPTOPS = [(1366, 768), (1280, 720)]


def invoke(window, qloop) -> None:
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_screens_at_laptop_sizes(window, engine, qloop, qtbot, screenshots, size):
    """The window after the learner's typical steps, saved for a look at each laptop size."""
    width, height = size
    tag = f"{width}x{height}"
    window.resize(width, height)
    QApplication.processEvents()
    # An older environment that ended long ago folds away; a cold start then a warm invoke.
    window.timeline_pane.on_event(
        EnvironmentReaped(at=time.time() - 600, function="old", env_id="old-1", reason="idle")
    )
    invoke(window, qloop)
    invoke(window, qloop)
    run(qloop, asyncio.sleep(0.3))
    QApplication.processEvents()
    window.grab().save(str(screenshots / f"uitimeline_window_{tag}.png"))
    window.timeline_pane.grab().save(str(screenshots / f"uitimeline_timeline_{tag}.png"))
    # A syntax error typed into the editor.
    editor = window.editor_pane.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    editor.setFocus()
    qtbot.keyClicks(editor, 'print("unclosed"')
    qtbot.waitUntil(lambda: editor.syntax_error_line > 0, timeout=3000)
    window.editor_pane.grab().save(str(screenshots / f"uitimeline_syntax_{tag}.png"))
    editor.selectAll()
    editor.insertPlainText(
        textwrap.dedent(
            """\
            import time


            def lambda_handler(event, context):
                time.sleep(event.get("sleep", 0))
                return {"ok": True}
            """
        )
    )
    # Stop during a slow invocation.
    window.controller.apply_settings(replace(window.controller.config, timeout_s=30))
    window.event_pane.editor.setPlainText('{"sleep": 20}')
    window.event_pane.invoke_button.click()
    run(qloop, wait_for(window.result_pane.stop_button.isEnabled, 15))
    window.result_pane.grab().save(str(screenshots / f"uitimeline_running_{tag}.png"))
    qtbot.mouseClick(window.result_pane.stop_button, Qt.MouseButton.LeftButton)
    run(qloop, spawned_tasks_done())
    window.grab().save(str(screenshots / f"uitimeline_stopped_{tag}.png"))
    # Settings with an invalid field.
    settings = window.settings_pane
    window.side_tabs.setCurrentWidget(settings)
    settings.ephemeral.setFocus()
    settings.ephemeral.selectAll()
    qtbot.keyClicks(settings.ephemeral, "0")
    QApplication.processEvents()
    window.side_tabs.grab().save(str(screenshots / f"uitimeline_settings_{tag}.png"))
    settings.revert()
    # A sweep where the smallest size times out.
    window.event_pane.editor.setPlainText('{"sleep": 0}')
    window.controller.apply_settings(replace(window.controller.config, timeout_s=1))
    editor.selectAll()
    editor.insertPlainText(
        "import time\n\n\ndef lambda_handler(event, context):\n"
        "    if int(context.memory_limit_in_mb) < 256:\n        time.sleep(2)\n"
        "    return {}\n"
    )
    window.editor_pane.save()
    window.side_tabs.setCurrentWidget(window.billing_pane)
    billing = window.billing_pane
    billing.tabs.setCurrentWidget(billing.sweep)
    billing.sweep.sizes.setText("128, 256, 512")
    billing.sweep.warm.setValue(1)
    task = billing.sweep.run()
    run(qloop, wait_for(task.done, 60))
    QApplication.processEvents()
    window.grab().save(str(screenshots / f"uitimeline_sweep_{tag}.png"))
    billing.grab().save(str(screenshots / f"uitimeline_sweep_pane_{tag}.png"))
    assert "128 MB" in billing.sweep.failures.text()
