"""What a learner can see of each pane: editor columns, event/response lines, timeline lanes,
and which buttons are clipped (shown but cut by their parent's edge)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QPlainTextEdit, QPushButton, QWidget

from workbench.ui.panes.timeline_bars import LANE_HEIGHT
from workbench.ui.panes.timeline_paint import AXIS_HEIGHT


def columns(editor: QPlainTextEdit) -> int:
    """Whole characters that fit across the text area (monospace)."""
    width = editor.viewport().width() - 2 * editor.document().documentMargin()
    return int(width // editor.fontMetrics().horizontalAdvance("M"))


def lines(editor: QPlainTextEdit) -> int:
    """Whole lines that fit in the text area."""
    height = editor.viewport().height() - 2 * editor.document().documentMargin()
    return int(height // editor.fontMetrics().lineSpacing())


def lanes(window) -> int:
    """Timeline lanes that fit below the time axis."""
    canvas = window.timeline_pane.canvas
    return int((canvas.height() - AXIS_HEIGHT) // LANE_HEIGHT)


def clipped(root: QWidget) -> list[str]:
    """Visible buttons not wholly inside every ancestor up to root (cut off on screen)."""
    found = []
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(root) or button.width() <= 0:
            continue
        if isinstance(button, QPushButton) and button.width() < button.minimumSizeHint().width():
            found.append(f"{button.text() or button.objectName()} (label cut)")
            continue
        rect = QRect(button.mapTo(root, button.rect().topLeft()), button.size())
        parent = button.parentWidget()
        while parent is not None and parent is not root:
            scrolled = parent.objectName() == "qt_scrollarea_viewport"
            if scrolled or parent.inherits("QAbstractScrollArea") or parent.inherits("QTabBar"):
                break  # scrolled content is meant to extend past the visible area
            area = QRect(parent.mapTo(root, parent.rect().topLeft()), parent.size())
            if not area.contains(rect):
                found.append(f"{button.objectName() or button.text() or type(button).__name__}")
                break
            parent = parent.parentWidget()
    return found


def metrics(window) -> dict[str, object]:
    """The figures the laptop-size requirements name."""
    return {
        "editor_columns": columns(window.editor_pane.editor),
        "editor_lines": lines(window.editor_pane.editor),
        "event_lines": lines(window.event_pane.editor),
        "response_lines": lines(window.result_pane.response),
        "log_lines": lines(window.result_pane.logs),
        "timeline_lanes": lanes(window),
        "clipped": clipped(window),
    }
