"""The saved test events row: pick one to load it, type a name and Save, or Delete."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from workbench.workspace.saved_events import MAX_EVENTS, SavedEventError, SavedEvents


class SavedEventsBar(QWidget):
    """Saves and loads the open function's named test events."""

    sig_load = Signal(str)
    """The JSON text of the saved event the learner chose."""

    sig_message = Signal(str, bool)
    """(text, is_error): what happened, for the event pane's status line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: SavedEvents | None = None
        self.function: str | None = None
        self.names = QComboBox()
        self.names.setEditable(True)
        self.names.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.names.setMinimumContentsLength(10)
        self.names.lineEdit().setPlaceholderText("Name a test event…")
        self.names.setToolTip(
            f"Saved test events of this function (up to {MAX_EVENTS}). Choose one to load it, "
            "or type a name and press Save."
        )
        self.names.activated.connect(self._chosen)
        self.names.lineEdit().returnPressed.connect(self.save_current)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the event under the name typed on the left")
        self.save_button.clicked.connect(self.save_current)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the saved event named on the left")
        self.delete_button.clicked.connect(self.delete_current)
        self._text_provider = lambda: ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Saved:")
        label.setToolTip("Named test events, kept per function as the Lambda console does")
        layout.addWidget(label)
        layout.addWidget(self.names, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)
        self._update_buttons()

    def attach(self, store: SavedEvents, text_provider) -> None:
        """Keep events in store; text_provider() returns the event text to save."""
        self.store = store
        self._text_provider = text_provider

    def set_function(self, name: str) -> None:
        """Show the saved events of this function."""
        self.function = name
        self._reload()

    def saved(self) -> dict[str, str]:
        """The open function's saved events (name → JSON text)."""
        if self.store is None or self.function is None:
            return {}
        return self.store.load(self.function)

    def save_current(self) -> bool:
        """Save the event text under the typed name; says why not when it cannot."""
        return self.save_as(self.names.currentText())

    def save_as(self, name: str) -> bool:
        """Save the event text under name."""
        if self.store is None or self.function is None:
            self.sig_message.emit("Open a function first", True)
            return False
        try:
            name = self.store.save(self.function, name, self._text_provider())
        except (SavedEventError, OSError) as exc:
            self.sig_message.emit(str(exc), True)
            return False
        self._reload(select=name)
        self.sig_message.emit(f"Saved test event {name!r}", False)
        return True

    def delete_current(self) -> bool:
        """Delete the saved event named in the chooser."""
        name = self.names.currentText().strip()
        if self.store is None or self.function is None or not name:
            return False
        try:
            deleted = self.store.delete(self.function, name)
        except OSError as exc:
            self.sig_message.emit(f"Could not delete {name!r}: {exc}", True)
            return False
        if deleted:
            self._reload()
            self.sig_message.emit(f"Deleted test event {name!r}", False)
        return deleted

    def _chosen(self, index: int) -> None:
        text = self.saved().get(self.names.itemText(index))
        if text is not None:
            self.sig_load.emit(text)

    def _reload(self, select: str | None = None) -> None:
        names = list(self.saved())
        self.names.blockSignals(True)
        self.names.clear()
        self.names.addItems(names)
        if select in names:
            self.names.setCurrentText(select)
        else:
            self.names.setCurrentIndex(-1)
            self.names.setEditText("")
        self.names.blockSignals(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_store = self.store is not None and self.function is not None
        self.save_button.setEnabled(has_store)
        self.delete_button.setEnabled(has_store and self.names.count() > 0)
