"""The environments pane: a live timeline of every environment, fed only by bus events."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QVBoxLayout,
    QWidget,
)

from workbench.core.events import Event
from workbench.ui.panes.timeline_canvas import (
    COLD_COLOUR,
    ERROR_COLOUR,
    NOW_MARGIN,
    PHASE_COLOURS,
    TimelineCanvas,
)
from workbench.ui.timeline_model import Phase, TimelineModel
from workbench.ui.widgets.code_editor import is_dark

ZOOMS_S = {"2 s": 2.0, "5 s": 5.0, "15 s": 15.0, "1 min": 60.0, "5 min": 300.0, "15 min": 900.0}
DEFAULT_ZOOM = "5 s"  # a 100 ms cold start is ~15 px wide: visible without zooming
TICK_MS = 100  # repaint rate while following: open spans grow smoothly enough at 10 fps
SCROLL_UNIT_S = 0.1


class TimelinePane(QWidget):
    """Lanes of spans with a legend, zoom, and "Follow now"."""

    def __init__(self, now: Callable[[], float] = time.time, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TimelineModel()
        self.canvas = TimelineCanvas(self.model, now)
        self.canvas.setToolTip("")  # per-span tooltips come from the canvas itself
        self.legend = QLabel()
        self.legend.setToolTip("Span colours: what each environment was doing")
        self.zoom = QComboBox()
        self.zoom.addItems(list(ZOOMS_S))
        self.zoom.setCurrentText(DEFAULT_ZOOM)
        self.zoom.setToolTip("How much time the view shows")
        self.zoom.currentTextChanged.connect(self._zoom_changed)
        self.follow = QCheckBox("Follow now")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the view scrolled to the present moment")
        self.follow.toggled.connect(self._follow_toggled)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.setToolTip("Scroll back in time (turns Follow now off)")
        self.scrollbar.sliderMoved.connect(self._scrolled)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.refresh)
        header = QHBoxLayout()
        title = QLabel("Environments")
        title.setObjectName("paneTitle")
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.legend, 1)
        header.addWidget(QLabel("Show:"))
        header.addWidget(self.zoom)
        header.addWidget(self.follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.scrollbar)
        self._zoom_changed(DEFAULT_ZOOM)
        self._update_legend()

    def on_event(self, event: Event) -> None:
        """Fold an event in and repaint (connected to the bridge's sig_event)."""
        if self.model.apply(event):
            self.canvas.updateGeometry()
            self.refresh()

    def set_zoom(self, label: str) -> None:
        """Show this much time (a key of ZOOMS_S)."""
        self.zoom.setCurrentText(label)

    def refresh(self) -> None:
        """Repaint, keep the scrollbar in step, and tick only while something can move."""
        self._sync_scrollbar()
        self.canvas.update()
        moving = self.follow.isChecked() and bool(self.model.alive_lanes())
        if moving and not self._tick.isActive():
            self._tick.start()
        elif not moving:
            self._tick.stop()

    def _sync_scrollbar(self) -> None:
        # Scrollbar value v shows the lanes from first_at + v units on.
        origin = self.model.first_at
        shown = self.canvas.window_s * (1 - NOW_MARGIN)
        latest = max(self.canvas.now(), self.model.last_at or 0.0)
        span = 0.0 if origin is None else max(0.0, latest - shown - origin)
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, int(span / SCROLL_UNIT_S))
        self.scrollbar.setPageStep(int(self.canvas.window_s / SCROLL_UNIT_S))
        self.scrollbar.setEnabled(span > 0)
        if self.canvas.view_end is None:
            self.scrollbar.setValue(self.scrollbar.maximum())
        self.scrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        if self.model.first_at is None:
            return
        self.follow.setChecked(False)
        shown = self.canvas.window_s * (1 - NOW_MARGIN)
        self.canvas.view_end = self.model.first_at + value * SCROLL_UNIT_S + shown
        self.canvas.update()

    def _follow_toggled(self, on: bool) -> None:
        if on:
            self.canvas.view_end = None
        elif self.canvas.view_end is None:
            self.canvas.view_end = self.canvas.current_end()
        self.refresh()

    def _zoom_changed(self, label: str) -> None:
        self.canvas.window_s = ZOOMS_S.get(label, ZOOMS_S[DEFAULT_ZOOM])
        self.refresh()

    def _update_legend(self) -> None:
        dark = is_dark(self.palette())
        names = {
            Phase.INIT: "init",
            Phase.INVOKE: "invoke",
            Phase.IDLE: "idle",
            Phase.FROZEN: "frozen",
        }
        items = [
            f'<span style="color:{PHASE_COLOURS[p][dark]}">■</span>&nbsp;{n}'
            for p, n in names.items()
        ]
        items.append(f'<span style="color:{ERROR_COLOUR}">■</span>&nbsp;error')
        items.append(f'<span style="color:{COLD_COLOUR}">▼</span>&nbsp;cold start')
        items.append(
            f'<span style="color:{PHASE_COLOURS[Phase.REAPED][dark]}">✕</span>&nbsp;reaped'
        )
        self.legend.setText("&nbsp;&nbsp; ".join(items))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._update_legend()
