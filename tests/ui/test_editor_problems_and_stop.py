"""The editor catches beginners' mistakes as they type, and Stop ends a running invocation.

Typing goes through QTest key presses, Stop through a real mouse click; the engine is the
process backend.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.core.failed_invocations import STOPPED_ERROR_TYPE
from workbench.ui.panes.editor_pane import SYNTAX_CHECK_MS, EditorPane, syntax_problem
from workbench.ui.widgets.log_view import stack_location
from workbench.workspace.recovery import RecoveryStore

GOOD = textwrap.dedent(
    """\
    def lambda_handler(event, context):
        name = event["name"]
        return {"message": f"Hello, {name}!"}
    """
)
SLOW = textwrap.dedent(
    """\
    import time


    def lambda_handler(event, context):
        time.sleep(event.get("sleep", 30))
        return {"slept": True}
    """
)


def editor_pane(qtbot, tmp_path: Path, name: str, text: str) -> EditorPane:
    path = tmp_path / name
    path.write_text(text)
    pane = EditorPane(RecoveryStore(tmp_path / "recovery"), ask_restore=lambda *_: False)
    qtbot.addWidget(pane)
    pane.resize(600, 300)
    pane.show()
    qtbot.waitExposed(pane)
    pane.open_file(path)
    return pane


def type_at_end_of_line(qtbot, pane: EditorPane, line: int, keys: str) -> None:
    """Put the cursor at the end of a 1-based line (a click would do) and type keys."""
    editor = pane.editor
    cursor = QTextCursor(editor.document().findBlockByNumber(line - 1))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClicks(editor, keys)


def test_typing_a_syntax_error_marks_its_line_after_a_pause(qtbot, tmp_path):
    """Deleting the closing brace on line 3 marks line 3 once typing pauses; fixing clears it."""
    pane = editor_pane(qtbot, tmp_path, "lambda_function.py", GOOD)
    assert pane.editor.syntax_error_line == 0 and pane.problem.isHidden()
    type_at_end_of_line(qtbot, pane, 3, "")
    qtbot.keyClick(pane.editor, Qt.Key.Key_Backspace)  # removes the final "}"
    assert pane.editor.syntax_error_line == 0  # not while typing: after the debounce
    qtbot.waitUntil(lambda: pane.editor.syntax_error_line == 3, timeout=SYNTAX_CHECK_MS * 5)
    assert "line 3" in pane.problem.text() and "'{' was never closed" in pane.problem.text()
    assert pane.problem.isVisible()
    pane.editor.moveCursor(QTextCursor.MoveOperation.Start)
    pane.problem.linkActivated.emit("line")  # what a click on "line 3" emits
    assert pane.editor.textCursor().blockNumber() + 1 == 3
    type_at_end_of_line(qtbot, pane, 3, "}")
    qtbot.waitUntil(lambda: pane.editor.syntax_error_line == 0, timeout=SYNTAX_CHECK_MS * 5)
    assert pane.problem.isHidden()


def test_an_unclosed_call_is_marked_where_python_reports_it(qtbot, tmp_path):
    """print(f"..." without ")" — the beginner's mistake of the screenshot — marks line 3."""
    pane = editor_pane(qtbot, tmp_path, "lambda_function.py", GOOD)
    type_at_end_of_line(qtbot, pane, 2, "")
    qtbot.keyClick(pane.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(pane.editor, 'print(f"Greeting {name}"')
    qtbot.waitUntil(lambda: pane.editor.syntax_error_line == 3, timeout=SYNTAX_CHECK_MS * 5)
    assert "'(' was never closed" in pane.editor.syntax_error_message


def test_files_that_are_not_python_are_not_checked(qtbot, tmp_path):
    """The runtime catalogue says .js is not Python: no mark, whatever the text."""
    pane = editor_pane(qtbot, tmp_path, "index.js", "export const handler = async (e) => {\n")
    qtbot.keyClicks(pane.editor, "(((")
    qtbot.wait(SYNTAX_CHECK_MS * 2)
    assert pane.editor.syntax_error_line == 0 and pane.problem.isHidden()


def test_syntax_problem_and_both_traceback_line_forms():
    """compile() finds the line; links read `", line 3` and the runtime's `" Line 3`."""
    assert syntax_problem(GOOD, "x.py") is None
    assert syntax_problem("def f(:\n", "x.py")[0] == 1
    assert stack_location('  File "/var/task/lambda_function.py", line 3, in f') == (
        "/var/task/lambda_function.py",
        3,
    )
    assert stack_location('  File "/var/task/lambda_function.py" Line 3') == (
        "/var/task/lambda_function.py",
        3,
    )


def test_the_runtimes_user_code_syntax_error_marks_the_line(window, engine, qloop):
    """Invoking code that does not compile: Runtime.UserCodeSyntaxError marks line 3."""
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText(
        'def lambda_handler(event, context):\n    name = event["name"]\n'
        '    print(f"Greeting {name}"\n    return {"message": name}\n'
    )
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())
    assert "Runtime.UserCodeSyntaxError" in window.result_pane.status.text()
    assert editor.error_line == 3


def test_stop_ends_a_slow_invocation_and_the_next_one_is_cold(window, engine, qloop, qtbot):
    """Stop is enabled only while an invocation runs; it ends it, the REPORT says so, and the
    next invocation starts cold and works."""
    result = window.result_pane
    assert not result.stop_button.isEnabled()
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText(SLOW)
    window.event_pane.editor.setPlainText('{"sleep": 30}')
    # The default timeout (3 s) would end it first: raise it.
    window.controller.apply_settings(replace(window.controller.config, timeout_s=60))
    window.event_pane.invoke_button.click()
    run(qloop, wait_for(result.stop_button.isEnabled, 15))
    qtbot.mouseClick(result.stop_button, Qt.MouseButton.LeftButton)
    run(qloop, spawned_tasks_done(15))
    assert STOPPED_ERROR_TYPE in result.status.text()
    assert "You pressed Stop" in result.response.toPlainText()
    run(qloop, wait_for(lambda: f"Error Type: {STOPPED_ERROR_TYPE}" in result.log_text(), 5))
    assert "Task stopped by the learner" in result.log_text()
    assert not result.stop_button.isEnabled()
    window.event_pane.editor.setPlainText('{"sleep": 0}')
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())
    assert result.status.text().startswith("✓ Succeeded") and "cold start" in result.status.text()


def test_stop_during_a_run_in_a_row_ends_the_run(window, engine, qloop, qtbot):
    """With "3 × in a row", Stop ends the running invocation and the other two never start."""
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText(SLOW)
    window.event_pane.editor.setPlainText('{"sleep": 30}')
    window.controller.apply_settings(replace(window.controller.config, timeout_s=60))
    started = []
    engine.bus.subscribe(lambda e: type(e).__name__ == "InvocationStarted" and started.append(e))
    window.event_pane.times.setValue(3)
    window.event_pane.invoke_button.click()
    run(qloop, wait_for(window.result_pane.stop_button.isEnabled, 15))
    qtbot.mouseClick(window.result_pane.stop_button, Qt.MouseButton.LeftButton)
    run(qloop, spawned_tasks_done(15))
    assert len(started) == 1
    assert STOPPED_ERROR_TYPE in window.result_pane.status.text()


def test_timeouts_say_what_to_try():
    """A timeout's result names both remedies; a Stop explains the reset; others say nothing."""
    from workbench.ui.panes.result_pane import TIMEOUT_ERROR_TYPE, what_to_try

    advice = what_to_try(TIMEOUT_ERROR_TYPE)
    assert "raise Timeout in Function settings" in advice and "find the slow call" in advice
    assert "next invocation starts cold" in what_to_try(STOPPED_ERROR_TYPE)
    assert what_to_try("KeyError") == ""


def test_awslambdaric_syntax_error_frames_are_links(tmp_path, monkeypatch):
    """AWS's runtime client, unchanged, reports a SyntaxError frame as `File "…" Line N`:
    the link pattern reads it and finds the right line."""
    from awslambdaric import bootstrap
    from awslambdaric.lambda_runtime_exception import FaultException

    (tmp_path / "broken_handler_mod.py").write_text("def handler(event, context):\n    x = (\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FaultException) as raised:
        bootstrap._get_handler("broken_handler_mod.handler")
    assert raised.value.exception_type == "Runtime.UserCodeSyntaxError"
    (frame,) = raised.value.trace
    assert stack_location(frame) == (str(tmp_path / "broken_handler_mod.py"), 2)
