"""Named test events per function (as the console keeps them), and asynchronous invokes."""

from __future__ import annotations

import pytest
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.core.events import InvocationCompleted, InvocationQueued
from workbench.ui.panes.event_pane import EventPane
from workbench.workspace.saved_events import SavedEvents


@pytest.fixture
def pane(qtbot, tmp_path) -> EventPane:
    widget = EventPane()
    qtbot.addWidget(widget)
    widget.set_saved_events(SavedEvents(tmp_path / "events"))
    widget.set_function("orders")
    widget.set_ready(True)
    return widget


def test_saving_loading_and_deleting_from_the_pane(pane, tmp_path):
    """Type a name and Save; choosing it later loads its text; Delete forgets it."""
    pane.editor.setPlainText('{"order": 1}')
    pane.saved.names.setEditText("first-order")
    assert pane.saved.save_current()
    assert pane.status.text() == "✓ Saved test event 'first-order'"
    pane.editor.setPlainText('{"order": 2}')
    pane.saved.save_as("second.order")
    assert [pane.saved.names.itemText(i) for i in range(pane.saved.names.count())] == [
        "first-order",
        "second.order",
    ]
    pane.editor.setPlainText("{}")
    pane.saved.names.setCurrentIndex(0)
    pane.saved.names.activated.emit(0)
    assert pane.editor.toPlainText() == '{"order": 1}'
    # Another function has its own list; coming back shows this one's again.
    pane.set_function("payments")
    assert pane.saved.names.count() == 0
    pane.set_function("orders")
    assert pane.saved.names.count() == 2
    pane.saved.names.setCurrentText("first-order")
    assert pane.saved.delete_current()
    assert list(SavedEvents(tmp_path / "events").load("orders")) == ["second.order"]


def test_a_bad_name_is_explained_in_the_status_line(pane):
    """A refused save says why, in the error state, and stores nothing."""
    pane.saved.names.setEditText("no spaces please")
    assert not pane.saved.save_current()
    assert pane.status.property("state") == "error"
    assert "1 to 25 letters" in pane.status.text()
    assert pane.saved.saved() == {}


def test_saved_events_live_in_the_user_data_dir(window, tmp_path):
    """The window keeps them under its data dir, one file per function."""
    window.event_pane.saved.save_as("from-window")
    assert (tmp_path / "data" / "test-events" / "hello.json").exists()


def test_async_invoke_queues_events_and_they_still_run(window, engine, qloop):
    """Async: 3 events are queued (202, request ids shown) and each completes as "Event"."""
    queued, completed = [], []
    engine.bus.subscribe(lambda e: isinstance(e, InvocationQueued) and queued.append(e))
    engine.bus.subscribe(
        lambda e: (
            isinstance(e, InvocationCompleted)
            and e.invocation_type == "Event"
            and completed.append(e)
        )
    )
    pane = window.event_pane
    pane.invocation_type.setCurrentIndex(1)
    pane.times.setValue(3)
    pane.invoke_button.click()
    run(qloop, spawned_tasks_done())
    status = window.result_pane.status.text()
    assert status.startswith("✓ Queued 3 events (HTTP 202)")
    ids = window.result_pane.response.toPlainText().split("Request ids:\n")[1].splitlines()
    assert sorted(ids) == sorted(e.request_id for e in queued)
    run(qloop, wait_for(lambda: len(completed) == 3, 20))
    assert sorted(e.request_id for e in completed) == sorted(ids)
    marks = window.timeline_pane.model.marks
    assert [m.kind for m in marks].count("queued") == 3
