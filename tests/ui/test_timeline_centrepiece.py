"""The timeline as a learner meets it: real hover events, activity kept in view, folded lanes,
readable names, minimum widths, and a legend generated from the one style table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from test_timeline_view import RID, served, started

from workbench.core.events import EnvironmentReaped
from workbench.ui.panes.timeline_bars import MIN_SPAN_PX
from workbench.ui.panes.timeline_paint import AXIS_HEIGHT, LANE_HEIGHT
from workbench.ui.panes.timeline_pane import FIT, TimelinePane
from workbench.ui.panes.timeline_style import STYLES
from workbench.ui.timeline_model import Phase


class Clock:
    """A settable "now" for the pane."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(12.0)


@pytest.fixture
def pane(qtbot, clock) -> TimelinePane:
    widget = TimelinePane(now=clock)
    qtbot.addWidget(widget)
    widget.resize(760, 300)  # the offscreen screen is 800 px wide: tooltips stay on it
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def feed(pane: TimelinePane, events: list) -> None:
    for event in events:
        pane.on_event(event)


def hover(widget, point: QPoint) -> str:
    """Send the QHelpEvent Qt sends when the mouse rests at point; the tooltip shown."""
    event = QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
    QApplication.sendEvent(widget, event)
    return QToolTip.text() if QToolTip.isVisible() else ""


def row_middle(row: int) -> int:
    return AXIS_HEIGHT + row * LANE_HEIGHT + LANE_HEIGHT // 2


def test_hovering_a_span_shows_its_details_through_a_real_tooltip_event(pane):
    """A QHelpEvent over an invocation shows its request and billed ms; no error, no dialog."""
    feed(pane, started("hello-1", 10.0) + served("hello-1", RID, 10.2, 0.3, cold=True))
    pane.set_zoom("2 s")
    span = next(s for s in pane.model.lanes["hello-1"].spans if s.request_id == RID)
    rect = pane.canvas.span_rect(0, span, 12.0)
    text = hover(pane.canvas, rect.center().toPoint())
    assert "invoke" in text and RID in text and "billed 301 ms" in text and "cold start" in text
    assert QApplication.activeModalWidget() is None
    label = hover(pane.canvas, QPoint(20, row_middle(0)))
    assert "f · env 1" in label and "on-demand" in label


def test_a_cold_start_stays_in_view_while_the_learner_reads(pane, clock):
    """Following keeps the last activity in view: a minute later the cold start is still shown."""
    feed(pane, started("hello-1", 10.0) + served("hello-1", RID, 10.2, 0.3, cold=True))
    pane.set_zoom("5 s")
    for later in (15.0, 60.0, 600.0):
        clock.at = later
        pane.refresh()
        assert pane.canvas.view_start() <= 10.2 <= pane.canvas.current_end()
        assert pane.follow.isChecked()
    span = next(s for s in pane.model.lanes["hello-1"].spans if s.request_id == RID)
    text = hover(pane.canvas, pane.canvas.span_rect(0, span, clock.at).center().toPoint())
    assert RID in text


def test_fit_widens_the_view_to_the_whole_latest_activity(pane, clock):
    """Fit (the default) shows a 20 s stretch of invocations whole, without a pause before it."""
    assert pane.zoom.currentText() == FIT
    events = started("hello-1", 100.0)
    for n in range(10):
        events += served("hello-1", f"r-{n}", 101.0 + 2 * n, 0.1)
    clock.at = 121.0
    feed(pane, events)
    assert pane.canvas.view_start() <= 100.0 and pane.canvas.current_end() >= 119.1
    assert pane.canvas.window_s < 40  # not stretched to an earlier session
    assert pane.zoom.currentText() == FIT


def test_ended_lanes_fold_away_and_show_ended_brings_them_back(pane, clock, qtbot):
    """A lane reaped before the view folds; ticking "Show ended (1)" shows it again."""
    feed(pane, started("hello-1", 10.0) + served("hello-1", "a", 10.2, 0.1))
    feed(pane, [EnvironmentReaped(at=11.0, function="f", env_id="hello-1", reason="idle")])
    feed(pane, started("hello-2", 100.0) + served("hello-2", "b", 100.2, 0.1))
    clock.at = 101.0
    pane.set_zoom("5 s")
    assert [lane.env_id for lane in pane.canvas.rows()] == ["hello-2"]
    assert pane.show_ended.text() == "Show ended (1)"
    qtbot.mouseClick(pane.show_ended, Qt.MouseButton.LeftButton)
    assert [lane.env_id for lane in pane.canvas.rows()] == ["hello-1", "hello-2"]
    assert "✕" not in pane.model.lanes["hello-2"].title
    label = hover(pane.canvas, QPoint(20, row_middle(0)))
    assert "ended (idle)" in label


def test_lane_names_are_readable_and_keep_the_env_number_when_elided(pane):
    """Lanes read "function · env N"; a long function name is shortened, never the number."""
    long_name = "a-very-long-function-name-from-a-lesson-check"
    feed(pane, started("hello-7", 10.0))
    assert pane.model.lanes["hello-7"].title == "f · env 1"
    from PySide6.QtGui import QFontMetricsF

    from workbench.ui.panes.timeline_paint import elide_name

    metrics = QFontMetricsF(pane.canvas.font())
    advance, elided = metrics.horizontalAdvance, metrics.elidedText
    shown = elide_name(f"{long_name} · env 12 ✕", 120, advance, elided)
    assert shown.endswith(" · env 12 ✕") and "…" in shown
    assert metrics.horizontalAdvance(shown) <= 121


def test_a_two_millisecond_invocation_keeps_a_visible_hoverable_width(pane, clock):
    """At a one-hour zoom a 2 ms invocation is still MIN_SPAN_PX wide and answers hover."""
    feed(pane, started("hello-1", 10.0) + served("hello-1", RID, 10.2, 0.002))
    pane.set_zoom("1 h")
    span = next(s for s in pane.model.lanes["hello-1"].spans if s.request_id == RID)
    rect = pane.canvas.span_rect(0, span, clock.at)
    assert rect.width() >= MIN_SPAN_PX
    assert RID in hover(pane.canvas, rect.center().toPoint())


def test_the_legend_is_generated_from_the_style_table(pane):
    """Every style entry appears in the legend (name) and its tooltip (meaning); the painter's
    phase colours are the table's."""
    text, tip = pane.legend.text(), pane.legend.toolTip()
    for entry in STYLES:
        assert entry.name in text and entry.meaning in tip
        assert entry.light in text  # light palette
    assert {entry.key for entry in STYLES} >= set(Phase)  # every phase is drawn from an entry


def test_bar_labels_shorten_by_whole_words_never_cut_numbers():
    """A label that does not fit drops the request id, then "ms"; a number is never cut."""
    from workbench.ui.panes.timeline_paint import label_choices

    assert label_choices("3f2a91c0 · 1,141 ms") == ["3f2a91c0 · 1,141 ms", "1,141 ms", "1,141"]
    assert label_choices("running…") == ["running…"]


def test_a_reap_much_later_keeps_the_cold_start_in_the_fitted_view(pane, clock):
    """Ten minutes idle, then the reap: Fit widens to show both the cold start and the ✕."""
    feed(pane, started("hello-1", 10.0) + served("hello-1", RID, 10.2, 0.3, cold=True))
    clock.at = 612.0
    feed(pane, [EnvironmentReaped(at=610.5, function="f", env_id="hello-1", reason="idle")])
    assert pane.zoom.currentText() == FIT
    canvas = pane.canvas
    assert canvas.view_start() <= 10.0 and canvas.current_end() >= 610.5
    assert [lane.env_id for lane in canvas.rows()] == ["hello-1"]  # ended in view: shown
    feed(pane, started("hello-2", 700.0) + served("hello-2", "r2", 700.2, 0.1, cold=True))
    clock.at = 701.0
    pane.refresh()
    assert canvas.view_start() > 610.5  # new activity after a pause: Fit shows it alone


def test_hovering_a_throttle_mark_explains_it(pane):
    """A real tooltip event over a ▼ on the Requests row says it was throttled, and why."""
    from workbench.core.events import InvocationThrottled

    throttled = InvocationThrottled(
        at=10.6, function="f", request_id="t-1", reason="ReservedFunctionConcurrency"
    )
    feed(pane, [*started("hello-1", 10.0), throttled])
    pane.set_zoom("2 s")
    x = round(pane.canvas.x_of(10.6))
    text = hover(pane.canvas, QPoint(x, row_middle(0)))
    assert "throttled" in text and "ReservedFunctionConcurrency" in text and "t-1" in text
