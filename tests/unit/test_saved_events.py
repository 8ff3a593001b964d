"""Saved test events: the console's rules for names and counts, one JSON file per function."""

from __future__ import annotations

import json

import pytest

from workbench.workspace.saved_events import MAX_EVENTS, SavedEventError, SavedEvents


def test_store_keeps_up_to_ten_named_events_per_function(tmp_path):
    """Names follow the console's rule; an eleventh event is refused; functions are apart."""
    store = SavedEvents(tmp_path / "events")
    for n in range(MAX_EVENTS):
        store.save("orders", f"event-{n}", json.dumps({"n": n}))
    with pytest.raises(SavedEventError, match="up to 10"):
        store.save("orders", "one-too-many", "{}")
    store.save("orders", "event-3", '{"n": "replaced"}')  # overwriting is not a new event
    assert json.loads(store.load("orders")["event-3"]) == {"n": "replaced"}
    assert store.load("payments") == {}
    with pytest.raises(SavedEventError, match="1 to 25 letters"):
        store.save("orders", "has spaces", "{}")
    with pytest.raises(SavedEventError, match="not valid JSON"):
        store.save("payments", "broken", "{oops")
    assert store.delete("orders", "event-0") and not store.delete("orders", "event-0")
    assert len(store.load("orders")) == MAX_EVENTS - 1
    assert store.path_for("orders").parent == tmp_path / "events"
