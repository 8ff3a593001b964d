"""The environments pane: a live timeline of every environment, fed only by bus events."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.events import Event
from workbench.ui.panes.timeline_canvas import ZOOM_RANGE_S, TimelineCanvas
from workbench.ui.panes.timeline_style import legend_html, legend_tooltip
from workbench.ui.timeline_model import TimelineModel
from workbench.ui.widgets.code_editor import is_dark

FIT = "Fit"  # the zoom choice that sizes the view to the latest activity
ZOOMS_S = {
    "1 s": 1.0,
    "2 s": 2.0,
    "5 s": 5.0,
    "15 s": 15.0,
    "1 min": 60.0,
    "5 min": 300.0,
    "15 min": 900.0,
    "1 h": 3600.0,
}
DEFAULT_ZOOM = FIT  # the learner's latest activity, whole, whatever its length
TICK_MS = 100  # repaint rate while following: open spans grow smoothly enough at 10 fps
SCROLL_UNIT_S = 0.05
MAX_BAR = 2**31 - 1  # a QScrollBar holds a C int: three years of history at SCROLL_UNIT_S
BUTTON_ZOOM = 2.0
NAVIGATION_TIP = (
    "Ctrl+wheel zooms around the mouse; drag or wheel pans in time; "
    "Shift+wheel scrolls environments. Click an invocation to see its logs."
)


def window_text(seconds: float) -> str:
    """A view width as the zoom chooser shows it: 750 ms, 3.5 s, 2.5 min."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.3g} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


class TimelinePane(QWidget):
    """Lanes of spans with a legend, zoom, pan and "Follow now"."""

    sig_request_selected = Signal(str)
    """A request id the learner clicked on the timeline ("" clears)."""

    def __init__(self, now: Callable[[], float] = time.time, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TimelineModel()
        self.canvas = TimelineCanvas(self.model, now)
        self.canvas.sig_view_changed.connect(self.refresh)
        self.canvas.sig_request_selected.connect(self.sig_request_selected)
        self.legend = QLabel()
        self.legend.setObjectName("legend")
        self.legend.setWordWrap(True)  # a narrow pane wraps the legend rather than widening
        small = self.legend.font()  # a notch smaller: on a laptop every lane row counts
        small.setPointSizeF(small.pointSizeF() * 0.85)
        self.legend.setFont(small)
        self.legend.setToolTip(legend_tooltip())
        self.zoom = QComboBox()
        self.zoom.addItems([FIT, *ZOOMS_S])
        self.zoom.setItemData(
            0, "Show the whole latest stretch of activity", Qt.ItemDataRole.ToolTipRole
        )
        self.zoom.setToolTip(
            "How much time the view shows; Fit shows your latest activity whole. " + NAVIGATION_TIP
        )
        self.zoom.textActivated.connect(self.set_zoom)
        self.zoom_out_button = self._tool_button("−", "Show more time (Ctrl+−)", self.zoom_out)
        self.zoom_in_button = self._tool_button(
            "+", "Show less time, in more detail (Ctrl+=)", self.zoom_in
        )
        self.follow = QCheckBox("Follow now")
        self.follow.setChecked(True)
        self.follow.setToolTip(
            "Keep your latest activity in view: the view ends at the last thing that happened, "
            "so a cold start stays on screen while you read it (Ctrl+0)"
        )
        self.follow.toggled.connect(self._follow_toggled)
        self.show_ended = QCheckBox("Show ended")
        self.show_ended.setToolTip(
            "Environments that were reaped or failed before the view fold away; tick to show them"
        )
        self.show_ended.toggled.connect(self._show_ended_toggled)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.setToolTip("Scroll back in time (turns Follow now off)")
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.rows_bar = QScrollBar(Qt.Orientation.Vertical)
        self.rows_bar.setToolTip("Scroll through the environments (Shift+wheel)")
        self.rows_bar.valueChanged.connect(self._rows_scrolled)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.refresh)
        self._build_layout()
        self.set_zoom(DEFAULT_ZOOM)
        self._update_legend()

    def _tool_button(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        title = QLabel("Environments")
        title.setObjectName("paneTitle")
        title.setToolTip(NAVIGATION_TIP)
        # A laptop's right column is narrow: the title gives way (hidden, never cut) so the
        # controls fit and the editor beside keeps its 72 columns (see resizeEvent).
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title = title
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.zoom_out_button)
        header.addWidget(self.zoom)
        header.addWidget(self.zoom_in_button)
        header.addSpacing(6)
        header.addWidget(self.follow)
        header.addWidget(self.show_ended)
        grid = QGridLayout()
        grid.setSpacing(0)
        grid.addWidget(self.canvas, 0, 0)
        grid.addWidget(self.rows_bar, 0, 1)
        grid.addWidget(self.scrollbar, 1, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.legend)
        layout.addLayout(grid, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        controls = (self.zoom_out_button, self.zoom, self.zoom_in_button, self.follow)
        needed = sum(w.sizeHint().width() for w in (*controls, self.show_ended)) + 60
        self.title.setVisible(self.width() >= needed + self.title.sizeHint().width())

    # ----- feeding -----------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        """Fold an event in and repaint (connected to the bridge's sig_event)."""
        if self.model.apply(event):
            self.refresh()

    # ----- view --------------------------------------------------------------------------
    def set_zoom(self, label: str) -> None:
        """Show this much time (a key of ZOOMS_S), or FIT: the latest activity, whole."""
        self.canvas.fit = label == FIT
        if label == FIT:
            self.follow_now()
        else:
            self.canvas.window_s = ZOOMS_S.get(label, ZOOMS_S["5 s"])
        self.canvas.refit()
        self.canvas.update()
        self.refresh()

    def zoom_in(self) -> None:
        """Show half as much time, keeping the view's middle (or now, when following)."""
        self.canvas.zoom_by(BUTTON_ZOOM, self.canvas.width() / 2)

    def zoom_out(self) -> None:
        """Show twice as much time."""
        self.canvas.zoom_by(1 / BUTTON_ZOOM, self.canvas.width() / 2)

    def follow_now(self) -> None:
        """Jump to the present and keep following it."""
        self.follow.setChecked(True)

    def select_request(self, request_id: str | None) -> None:
        """Outline a request on the timeline, scrolling to it when it is out of view."""
        self.canvas.select(request_id)
        found = self.model.find_request(request_id) if request_id else None
        if found is None:
            return
        lane, span = found
        start, end = self.canvas.view_start(), self.canvas.current_end()
        if not start <= span.start <= end:
            self.canvas.set_view_end(span.start + self.canvas.window_s / 2)
        rows = self.canvas.rows()
        index = rows.index(lane)
        visible = self.canvas.visible_row_count()
        if not self.canvas.first_row <= index < self.canvas.first_row + visible:
            self.canvas.scroll_rows(index - self.canvas.first_row)

    def refresh(self) -> None:
        """Repaint, keep scrollbars and controls in step, and tick only while something runs."""
        self.canvas.refit()
        self._sync_controls()
        self.canvas.update()
        moving = self.canvas.view_end is None and self.model.busy()
        if moving and not self._tick.isActive():
            self._tick.start()
        elif not moving:
            self._tick.stop()

    def _sync_controls(self) -> None:
        canvas = self.canvas
        following = canvas.view_end is None
        if self.follow.isChecked() != following:
            self.follow.blockSignals(True)
            self.follow.setChecked(following)
            self.follow.blockSignals(False)
        label = next((k for k, v in ZOOMS_S.items() if abs(v - canvas.window_s) < 1e-9), None)
        if canvas.fit and following:
            label = FIT
        self.zoom.blockSignals(True)
        if label is None:
            self.zoom.setCurrentIndex(-1)
            self.zoom.setPlaceholderText(window_text(canvas.window_s))
        else:
            self.zoom.setCurrentText(label)
        self.zoom.blockSignals(False)
        low, high = ZOOM_RANGE_S
        self.zoom_in_button.setEnabled(canvas.window_s > low * 1.0001)
        self.zoom_out_button.setEnabled(canvas.window_s < high * 0.9999)
        folded = canvas.folded_count()
        self.show_ended.setText(f"Show ended ({folded})" if folded else "Show ended")
        self._sync_time_bar()
        self._sync_rows_bar()

    def _sync_time_bar(self) -> None:
        # Value v shows the view ending at first_at + v units + one window.
        canvas, bar = self.canvas, self.scrollbar
        origin = self.model.first_at
        latest_end = canvas.follow_end()
        span = 0.0 if origin is None else max(0.0, latest_end - canvas.window_s - origin)
        bar.blockSignals(True)
        bar.setRange(0, min(MAX_BAR, int(span / SCROLL_UNIT_S)))
        bar.setPageStep(max(1, int(canvas.window_s / SCROLL_UNIT_S)))
        bar.setSingleStep(max(1, int(canvas.window_s / 10 / SCROLL_UNIT_S)))
        bar.setEnabled(span > 0)
        if canvas.view_end is None or origin is None:
            bar.setValue(bar.maximum())
        else:
            value = (canvas.view_end - canvas.window_s - origin) / SCROLL_UNIT_S
            bar.setValue(max(0, min(MAX_BAR, int(value))))
        bar.blockSignals(False)

    def _sync_rows_bar(self) -> None:
        canvas, bar = self.canvas, self.rows_bar
        hidden = max(0, len(canvas.rows()) - canvas.visible_row_count())
        bar.blockSignals(True)
        bar.setRange(0, hidden)
        bar.setPageStep(canvas.visible_row_count())
        bar.setValue(canvas.first_row)
        bar.blockSignals(False)
        bar.setVisible(hidden > 0)

    def _scrolled(self, value: int) -> None:
        if self.model.first_at is None:
            return
        end = self.model.first_at + value * SCROLL_UNIT_S + self.canvas.window_s
        self.canvas.set_view_end(None if value >= self.scrollbar.maximum() else end)

    def _rows_scrolled(self, value: int) -> None:
        self.canvas.scroll_rows(value - self.canvas.first_row)

    def _show_ended_toggled(self, on: bool) -> None:
        self.canvas.show_ended = on
        self.canvas.scroll_rows(0)
        self.refresh()

    def _follow_toggled(self, on: bool) -> None:
        if on:
            self.canvas.set_view_end(None)
        elif self.canvas.view_end is None:
            # Freeze the view where it is now; slightly before now so it does not snap back.
            self.canvas.view_end = self.canvas.current_end() - 1e-6
        self.refresh()

    # ----- legend ------------------------------------------------------------------------
    def _update_legend(self) -> None:
        self.legend.setText(legend_html(is_dark(self.palette())))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._update_legend()
