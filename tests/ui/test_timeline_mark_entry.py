"""A timeline mark is one style-table entry: declared there for an existing core event, it is
painted on the Requests row, named in the legend and explained by a real tooltip event,
with no other edit to the model, painter, legend or tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip
from test_timeline_view import started

from workbench.core.events import DestinationDelivered, Event
from workbench.ui.panes import timeline_style
from workbench.ui.panes.timeline_paint import AXIS_HEIGHT, LANE_HEIGHT
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.panes.timeline_style import MarkStyle

PROBE = "#00d8c4"  # a colour no other entry uses, so a pixel of it can only be the new mark


def _where(event: Event) -> str:
    return f"to {event.destination}" if isinstance(event, DestinationDelivered) else ""


@pytest.fixture
def delivered_mark(monkeypatch) -> MarkStyle:
    """A throwaway entry: a destination delivery (a core event no timeline row shows today)."""
    entry = MarkStyle(
        "delivered", PROBE, PROBE, "▼", "delivered",
        "delivered (▼ on the Requests row): an asynchronous result sent to its destination",
        DestinationDelivered, "delivered to its on-success destination", _where,
    )  # fmt: skip
    monkeypatch.setattr(timeline_style, "STYLES", (*timeline_style.STYLES, entry))
    return entry


@pytest.fixture
def pane(qtbot, delivered_mark) -> TimelinePane:
    widget = TimelinePane(now=lambda: 12.0)
    qtbot.addWidget(widget)
    widget.resize(760, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def probe_pixels(image: QImage, x: int, y: int, radius: int = 6) -> set[str]:
    """The colours drawn around (x, y)."""
    return {
        image.pixelColor(px, py).name()
        for px in range(max(0, x - radius), min(image.width(), x + radius + 1))
        for py in range(max(0, y - radius), min(image.height(), y + radius + 1))
    }


def test_a_new_style_entry_is_painted_in_the_legend_and_explained_on_hover(pane, delivered_mark):
    """The delivery lands on the Requests row in the entry's colour, the legend names it, and
    a QHelpEvent over it shows the entry's wording and the event's detail."""
    delivery = DestinationDelivered(
        at=10.6, function="f", request_id="d-1", destination="arn:aws:sqs:q", condition="success"
    )
    for event in [*started("hello-1", 10.0), delivery]:
        pane.on_event(event)
    assert [(m.kind, m.request_id) for m in pane.model.marks] == [("delivered", "d-1")]
    pane.set_zoom("2 s")
    canvas = pane.canvas
    x, y = round(canvas.x_of(10.6)), AXIS_HEIGHT + LANE_HEIGHT // 2

    image = canvas.grab().toImage()
    ratio = image.devicePixelRatio()
    near = probe_pixels(image, round(x * ratio), round(y * ratio))
    assert QColor(PROBE).name() in near
    far = probe_pixels(image, round((x + 120) * ratio), round(y * ratio))
    assert QColor(PROBE).name() not in far  # the colour is the mark's, not the row's

    assert "delivered" in pane.legend.text() and PROBE in pane.legend.text()
    assert delivered_mark.meaning in pane.legend.toolTip()

    point = QPoint(x, y)
    QApplication.sendEvent(
        canvas, QHelpEvent(QEvent.Type.ToolTip, point, canvas.mapToGlobal(point))
    )
    tip = QToolTip.text() if QToolTip.isVisible() else ""
    assert "delivered to its on-success destination" in tip
    assert "d-1" in tip and "to arn:aws:sqs:q" in tip
    assert "delivered (▼)" in canvas.tooltip_at(10, y)  # the Requests row's label names it


def test_without_the_entry_the_event_marks_nothing():
    """The same event is no mark when the table does not declare it (the fixture's entry is
    what made the difference)."""
    from workbench.ui.timeline_model import TimelineModel

    model = TimelineModel()
    delivery = DestinationDelivered(
        at=1.0, function="f", request_id="d-1", destination="q", condition="success"
    )
    assert model.apply(delivery) is False and model.marks == []
