"""The keyboard shortcuts, as data, and the Help → Keyboard shortcuts dialog that lists them.

The window binds its actions from this table, so the dialog cannot drift from the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Shortcut:
    """One key binding: an id the window looks up, its keys, and what it does."""

    id: str
    keys: tuple[str, ...]
    action: str
    group: str


SHORTCUTS = (
    Shortcut("invoke", ("Ctrl+Return", "Ctrl+Enter"), "Save and invoke the function", "Function"),
    Shortcut("save", ("Ctrl+S",), "Save the handler file", "File"),
    Shortcut("open", ("Ctrl+O",), "Open another function folder", "File"),
    Shortcut("quit", ("Ctrl+Q",), "Quit and remove every environment", "File"),
    Shortcut("find", ("Ctrl+F",), "Find in the code", "Editor"),
    Shortcut("find_next", ("F3",), "Next match (Enter in the find bar)", "Editor"),
    Shortcut("find_previous", ("Shift+F3",), "Previous match (Shift+Enter)", "Editor"),
    Shortcut("comment", ("Ctrl+/",), "Comment or uncomment the selected lines", "Editor"),
    Shortcut("indent", ("Tab", "Shift+Tab"), "Indent or dedent the selected lines", "Editor"),
    Shortcut("format_event", ("Ctrl+Shift+F",), "Format the event JSON", "Event"),
    Shortcut("focus_code", ("Ctrl+1",), "Focus the code editor", "Focus"),
    Shortcut("focus_event", ("Ctrl+2",), "Focus the event editor", "Focus"),
    Shortcut("focus_logs", ("Ctrl+L",), "Filter the logs by request id", "Focus"),
    Shortcut("zoom_in", ("Ctrl+=", "Ctrl++"), "Zoom the timeline in", "Timeline"),
    Shortcut("zoom_out", ("Ctrl+-",), "Zoom the timeline out", "Timeline"),
    Shortcut("follow", ("Ctrl+0",), "Follow now on the timeline", "Timeline"),
    Shortcut("shortcuts", ("F1",), "Show this list", "Help"),
)
MOUSE = (
    ("Ctrl+wheel", "Zoom around the mouse", "Timeline"),
    ("Drag / wheel", "Pan back and forth in time", "Timeline"),
    ("Shift+wheel", "Scroll through the environments", "Timeline"),
    ("Click a bar", "Show that invocation's log lines", "Timeline"),
    ("Click a File line", "Go to that traceback line in the editor", "Logs"),
)


def keys_of(shortcut_id: str) -> list[QKeySequence]:
    """The key sequences bound to a shortcut id."""
    found = next(s for s in SHORTCUTS if s.id == shortcut_id)
    return [QKeySequence(keys) for keys in found.keys]


def shown_keys(shortcut: Shortcut) -> str:
    """The keys as this platform writes them (Ctrl+Return and Ctrl+Enter read as one)."""
    texts: list[str] = []
    for keys in shortcut.keys:
        text = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        text = text.replace("Return", "Enter")
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


class ShortcutsDialog(QDialog):
    """A table of every shortcut and mouse gesture, grouped by where it works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(shown_keys(s), s.action, s.group) for s in SHORTCUTS] + list(MOUSE)
        rows.sort(key=lambda row: _GROUP_ORDER.index(row[2]))
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "Where"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setToolTip("Every keyboard shortcut and mouse gesture of the workbench")
        for row, (keys, action, group) in enumerate(rows):
            for column, text in enumerate((keys, action, group)):
                item = QTableWidgetItem(text)
                if column == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this list")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(600, 640)

    def row_texts(self) -> list[tuple[str, str, str]]:
        """Every row as shown (keys, action, where)."""
        return [
            tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
            for r in range(self.table.rowCount())
        ]


_GROUP_ORDER = ["Function", "File", "Editor", "Event", "Focus", "Timeline", "Logs", "Help"]
