"""The event pane validates JSON live and only lets valid events be invoked."""

from __future__ import annotations

import pytest

from workbench.ui.panes.event_pane import EventPane, json_problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', None),
        ("", None),
        ('{\n  "a": 1\n  "b": 2\n}', (3, 3, "Expecting ',' delimiter")),
        ('{\n  "a": tru\n}', (2, 8, "Expecting value")),
    ],
)
def test_json_problem_gives_line_and_column(text, expected):
    """json_problem reports 1-based line and column, or None for valid (or blank) JSON."""
    assert json_problem(text) == expected


@pytest.fixture
def pane(qtbot) -> EventPane:
    widget = EventPane()
    qtbot.addWidget(widget)
    widget.set_ready(True)
    return widget


def test_invalid_json_shows_line_column_and_disables_invoke(pane):
    """The message reads "Line L, column C: message", in the error state, and Invoke is off."""
    pane.editor.setPlainText('{\n  "name": "x",\n}')
    assert (
        pane.status.text() == "Line 3, column 1: Expecting property name enclosed in double quotes"
    )
    assert pane.status.property("state") == "error"
    assert not pane.invoke_button.isEnabled()
    assert pane.editor.error_line == 3
    pane.editor.setPlainText('{"name": "x"}')
    assert pane.status.property("state") == "ok"
    assert pane.invoke_button.isEnabled()
    assert pane.editor.error_line == 0


def test_invoke_waits_for_the_engine_and_for_running_invocations(pane, qtbot):
    """Invoke is disabled until the engine is ready and while invocations run."""
    pane.set_ready(False)
    assert not pane.invoke_button.isEnabled()
    pane.set_ready(True)
    pane.set_busy(True)
    assert not pane.invoke_button.isEnabled() and pane.invoke_button.text() == "Invoking…"
    pane.set_busy(False)
    pane.times.setValue(3)
    with qtbot.waitSignal(pane.sig_invoke) as signal:
        pane.request_invoke()
    assert signal.args == [pane.payload, 3, False, False]
    pane.invocation_type.setCurrentIndex(1)
    assert not pane.mode.isEnabled()  # queued events have no "in a row"
    with qtbot.waitSignal(pane.sig_invoke) as signal:
        pane.request_invoke()
    assert signal.args == [pane.payload, 3, False, True]


def test_samples_load_into_the_editor(pane):
    """Choosing a sample event replaces the editor's text with its pretty-printed JSON."""
    pane.set_samples({"hello": {"name": "sample"}})
    pane.samples.setCurrentIndex(1)
    pane.samples.activated.emit(1)
    assert pane.editor.toPlainText() == '{\n    "name": "sample"\n}\n'


def test_format_pretty_prints_valid_json_only(pane):
    """Format indents valid JSON and leaves broken JSON untouched."""
    pane.editor.setPlainText('{"a":[1,2]}')
    pane.format_json()
    assert pane.editor.toPlainText() == '{\n    "a": [\n        1,\n        2\n    ]\n}\n'
    pane.editor.setPlainText("{oops")
    pane.format_json()
    assert pane.editor.toPlainText() == "{oops"
