"""One card per active trigger: what it is, its live details and status, its actions, Stop."""

from __future__ import annotations

from string import Template

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.triggers.registry import kind_of
from workbench.triggers.running import Trigger
from workbench.ui.triggers.form_base import kind_ui
from workbench.ui.triggers.icons import kind_icon
from workbench.ui.widgets.code_editor import is_dark

_CARD_STYLE = """
QFrame#triggerCard { border: 1px solid palette(mid); border-radius: 5px;
                     background: palette(base); }
QLabel#cardTitle { font-weight: 600; }
QLabel#status { border-radius: 8px; padding: 1px 8px; font-size: 8.5pt; font-weight: 600; }
QLabel#status[state="running"] { color: $ok; background: rgba(46, 160, 67, 0.15); }
QLabel#status[state="busy"] { color: $busy; background: rgba(187, 128, 9, 0.15); }
QLabel#status[state="failed"] { color: $error; background: rgba(248, 81, 73, 0.15); }
"""
# Chip text colours readable on the light and on the dark base colour.
_CHIP_COLOURS = {
    False: {"ok": "#1a7f37", "busy": "#9a6700", "error": "#cf222e"},
    True: {"ok": "#3fb950", "busy": "#d29922", "error": "#ff7b72"},
}


def card_style(dark: bool) -> str:
    """The card's style sheet for a light or dark palette."""
    return Template(_CARD_STYLE).substitute(_CHIP_COLOURS[dark])


def status_state(status: str) -> str:
    """How a status is coloured: running, busy (starting/stopping) or failed."""
    if status == "running":
        return "running"
    if status.startswith(("failed", "finished", "stopped")):
        return "failed"
    return "busy"


class TriggerCard(QFrame):
    """A trigger's summary and controls; `refresh()` re-reads its live details."""

    sig_stop = Signal(object)
    """The learner pressed Stop on this trigger."""

    sig_show_objects = Signal(object)
    """The learner wants to see a bucket trigger's objects."""

    def __init__(self, trigger: Trigger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trigger = trigger
        self.controls: dict[str, QWidget] = {}  # the kind's own buttons and fields, by name
        self.setObjectName("triggerCard")
        self._dark: bool | None = None
        self._apply_style()
        icon = QLabel()
        icon.setPixmap(kind_icon(trigger.kind).pixmap(24, 24))
        icon.setToolTip(f"A {trigger.kind} trigger")
        self.title = QLabel(trigger.title)
        self.title.setObjectName("cardTitle")
        self.title.setToolTip(f"Invokes {trigger.function}")
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setToolTip("Whether the trigger is taking events")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop this trigger (queued invocations still run)")
        self.stop_button.clicked.connect(lambda: self.sig_stop.emit(self.trigger))
        header = QHBoxLayout()
        header.addWidget(icon)
        header.addWidget(self.title, 1)
        header.addWidget(self.status)
        header.addWidget(self.stop_button)
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setToolTip("Live details: address, settings and counts")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setToolTip("The outcome of the last action on this trigger")
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 8)
        layout.setSpacing(3)
        layout.addLayout(header)
        layout.addWidget(self.details)
        actions = self._actions()
        if actions is not None:
            layout.addLayout(actions)
        layout.addWidget(self.note)
        self.refresh()

    def _actions(self) -> QHBoxLayout | None:
        """The kind's own buttons (its UI module's card_actions), if it has any."""
        ui = kind_ui(kind_of(self.trigger))
        actions = getattr(ui, "card_actions", None)
        return actions(self) if actions is not None else None

    def refresh(self) -> None:
        """Re-read the trigger's details and status."""
        self._apply_style()
        self.title.setText(self.trigger.title)
        self.details.setText("\n".join(self.trigger.details()))
        status = self.trigger.status
        self.status.setText(status.split(":")[0])
        self.status.setToolTip(f"Whether the trigger is taking events: {status}")
        self.status.setProperty("state", status_state(status))
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.stop_button.setEnabled(status not in ("stopping", "stopped"))

    def _apply_style(self) -> None:
        """Chip colours for the current theme (re-checked on each refresh, after a switch)."""
        dark = is_dark(QApplication.palette())
        if dark != self._dark:
            self._dark = dark
            self.setStyleSheet(card_style(dark))

    def show_note(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #cf222e;" if error else "")
        self.note.show()
