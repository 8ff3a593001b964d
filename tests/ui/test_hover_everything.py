"""Hover every visible widget of the main window with real events; nothing may raise.

Mouse moves and QHelpEvent tooltips reach each widget (a grid of points over the big ones,
so the timeline's bars are hovered too), in both layouts, after real invocations. A
sys.excepthook and a Qt message handler catch what would otherwise only be printed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from ui_helpers import run, spawned_tasks_done

from workbench.ui.main_window import MainWindow

GRID = 6  # points per side on widgets larger than a button


class Caught:
    """Everything raised in a handler, and every Qt critical or fatal message."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def excepthook(self, kind, value, trace) -> None:
        self.errors.append(f"{kind.__name__}: {value}")

    def qt_message(self, kind: QtMsgType, _context, text: str) -> None:
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            self.errors.append(f"Qt: {text}")


@pytest.fixture
def caught() -> Iterator[Caught]:
    catcher = Caught()
    old_hook = sys.excepthook
    sys.excepthook = catcher.excepthook
    old_handler = qInstallMessageHandler(catcher.qt_message)
    yield catcher
    qInstallMessageHandler(old_handler)
    sys.excepthook = old_hook


def _points(widget: QWidget) -> list[QPoint]:
    w, h = widget.width(), widget.height()
    if w < 120 and h < 60:
        return [QPoint(w // 2, h // 2)]
    return [
        QPoint(int(w * (i + 0.5) / GRID), int(h * (j + 0.5) / GRID))
        for i in range(GRID)
        for j in range(GRID)
    ]


def hover_all(window: MainWindow) -> int:
    """Move the mouse over, and ask a tooltip of, every visible widget; how many."""
    count = 0
    widgets = [window, *window.findChildren(QWidget)]
    for widget in widgets:
        # A hover may replace widgets (a tooltip, a rebuilt row): skip those already gone.
        if not shiboken6.isValid(widget):
            continue
        if not widget.isVisible() or widget.window() is not window:
            continue
        for point in _points(widget):
            if not shiboken6.isValid(widget):
                break
            QTest.mouseMove(widget, point)
            event = QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
            QApplication.sendEvent(widget, event)
        QApplication.processEvents()
        count += 1
    return count


@pytest.mark.parametrize("layout", ["lesson", "explore"])
def test_hovering_every_widget_raises_nothing(window: MainWindow, engine, qloop, caught, layout):
    window.set_layout(layout)
    window.resize(1280, 720)
    window.lessons.ensure_loaded()
    # Something on the timeline, in the logs and in the billing: hover over real bars.
    window.event_pane.times.setValue(3)
    window.event_pane.mode.setCurrentIndex(1)  # at once: three lanes
    QTest.mouseClick(window.event_pane.invoke_button, Qt.MouseButton.LeftButton)
    run(qloop, spawned_tasks_done(30), 35)
    for index in range(window.side_tabs.count()):
        window.side_tabs.setCurrentIndex(index)  # every tab's page is hovered too
        hovered = hover_all(window)
        assert hovered > 50
    assert caught.errors == []
