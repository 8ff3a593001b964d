"""The Triggers panel: a card per active trigger (status, details, actions, Stop)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.triggers.registry import kind_titles, listed, trigger_kinds
from workbench.triggers.running import Trigger
from workbench.ui.tasks import spawn
from workbench.ui.triggers.cards import TriggerCard
from workbench.ui.triggers.icons import kind_icon
from workbench.ui.triggers.manager import TriggerManager

REFRESH_MS = 1000  # queue counts and next fire times change by the second at most


def empty_text() -> str:
    """What the panel says with no trigger: the registered kinds and their log prefixes."""
    titles = kind_titles()
    tags = listed([f"[{kind.runner.tag}]" for kind in trigger_kinds()])
    return (
        f"No triggers yet. Add one to invoke the function the way AWS services do — {titles}. "
        f"Their activity shows in the logs with a {tags} prefix, and their invocations on the "
        "timeline."
    )


class TriggersPanel(QWidget):
    """Lists the manager's triggers; Stop on a card stops that trigger."""

    sig_show_bucket = Signal()
    """A bucket card asked for the bucket's objects."""

    def __init__(self, manager: TriggerManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.cards: dict[int, TriggerCard] = {}
        title = QLabel("Triggers")
        title.setObjectName("paneTitle")
        title.setToolTip("Event sources that invoke the open function")
        self.add_button = QPushButton(kind_icon("trigger"), "Add trigger…")
        self.add_button.setToolTip(f"Add a trigger: {kind_titles()}")
        self.stop_all_button = QPushButton("Stop all")
        self.stop_all_button.setToolTip("Stop every trigger of this function")
        self.stop_all_button.clicked.connect(lambda: spawn(self.manager.stop_all()))
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.stop_all_button)
        header.addWidget(self.add_button)
        self.empty = QLabel(empty_text())
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setToolTip("Function → Add trigger… or the toolbar's Add trigger")
        self._list = QWidget()
        self._cards_layout = QVBoxLayout(self._list)
        self._cards_layout.setContentsMargins(0, 0, 4, 0)
        self._cards_layout.setSpacing(6)
        self._cards_layout.addWidget(self.empty)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list)
        scroll.setToolTip("The active triggers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        manager.sig_changed.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        """Add cards for new triggers, drop the stopped ones, refresh the rest."""
        live = {trigger.number: trigger for trigger in self.manager.triggers}
        for number in [n for n in self.cards if n not in live]:
            card = self.cards.pop(number)
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        for number, trigger in live.items():
            if number not in self.cards:
                card = TriggerCard(trigger)
                card.sig_stop.connect(self._stop)
                card.sig_show_objects.connect(lambda _trigger: self.sig_show_bucket.emit())
                self.cards[number] = card
                self._cards_layout.insertWidget(self._cards_layout.count() - 1, card)
        self.empty.setVisible(not live)
        self.stop_all_button.setEnabled(bool(live))
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # the timer skips hidden cards; catch up when the tab is opened

    def refresh(self) -> None:
        """Re-read every card's live details."""
        if not self.isVisible():
            return
        for card in self.cards.values():
            card.refresh()

    def card_for(self, trigger: Trigger) -> TriggerCard:
        """The card that shows a trigger."""
        return self.cards[trigger.number]

    def _stop(self, trigger: Trigger) -> None:
        spawn(self.manager.stop(trigger))
