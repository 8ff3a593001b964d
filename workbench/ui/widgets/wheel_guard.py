"""Keeps the mouse wheel from changing fields the learner is only scrolling past.

Qt gives wheel events to whatever spin box, combo box or slider is under the pointer, so
scrolling a long form changes the values it passes over (ephemeral storage went to 0 MB
that way). Guarded fields take focus only by click or Tab (Qt.StrongFocus) and pass the
wheel to the scroll area until they have focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class WheelGuard(QObject):
    """An event filter: the wheel over an unfocused field scrolls `scroll` instead."""

    def __init__(self, scroll: QAbstractScrollArea | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scroll = scroll

    def guard(self, root: QWidget) -> list[QWidget]:
        """Guard every spin box, combo box and slider under root; returns them."""
        fields: list[QWidget] = []
        for kind in GUARDED:
            fields += [w for w in root.findChildren(kind) if w not in fields]
        for field in fields:
            if isinstance(field, QScrollBar):
                continue  # a scroll area's own scroll bar: wheeling it is the point
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            field.installEventFilter(self)
        return fields

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False  # a field the learner chose: the wheel changes it, as usual
        if self.scroll is not None:
            QApplication.sendEvent(self.scroll.viewport(), event)
        return True  # swallowed by the field either way: its value never changes
