"""An incremental find bar for a QPlainTextEdit: every match highlighted, Enter for the next."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

MAX_COUNTED = 9_999  # beyond this the count says "many": counting must stay instant


class FindBar(QWidget):
    """Finds text in an editor: type to search, Enter / Shift+Enter, Escape to close."""

    sig_matches = Signal(list)
    """The cursors of every match (empty when the bar closes): the editor highlights them."""

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.query = QLineEdit()
        self.query.setPlaceholderText("Find in file…")
        self.query.setToolTip("Text to find: Enter for the next match, Shift+Enter the previous")
        self.query.setClearButtonEnabled(True)
        self.query.textChanged.connect(self._search_from_here)
        self.query.installEventFilter(self)
        self.case = QCheckBox("Match case")
        self.case.setToolTip("Only matches with the same upper and lower case letters")
        self.case.toggled.connect(self._search_from_here)
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.count.setMinimumWidth(70)
        self.count.setToolTip("Which match is selected, of how many")
        self.previous_button = self._button("↑", "Previous match (Shift+F3)", self.find_previous)
        self.next_button = self._button("↓", "Next match (F3)", self.find_next)
        close = self._button("✕", "Close the find bar (Escape)", self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.query, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.case)
        layout.addWidget(close)
        for keys, slot in (("F3", self.find_next), ("Shift+F3", self.find_previous)):
            shortcut = QShortcut(QKeySequence(keys), editor.parentWidget() or editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        editor.textChanged.connect(self._recount)
        self.hide()

    @staticmethod
    def _button(text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # ----- opening and closing -----------------------------------------------------------
    def open_bar(self) -> None:
        """Show the bar, seeded with the selected word, and focus the query."""
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.query.blockSignals(True)
            self.query.setText(selected)
            self.query.blockSignals(False)
        self.show()
        self.query.setFocus()
        self.query.selectAll()
        self._search_from_here()

    def close_bar(self) -> None:
        """Hide the bar, drop the highlights and give the editor the focus back."""
        self.hide()
        self.sig_matches.emit([])
        self.editor.setFocus()

    # ----- finding -----------------------------------------------------------------------
    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def matches(self) -> list[QTextCursor]:
        """Every match of the query in the document, in order."""
        text = self.query.text()
        if not text:
            return []
        document, found = self.editor.document(), []
        cursor = document.find(text, 0, self._flags())
        while not cursor.isNull() and len(found) <= MAX_COUNTED:
            found.append(cursor)
            cursor = document.find(text, cursor, self._flags())
        return found

    def find_next(self) -> bool:
        """Select the next match, wrapping at the end; False when there is none."""
        return self._find(backward=False)

    def find_previous(self) -> bool:
        """Select the previous match, wrapping at the start."""
        return self._find(backward=True)

    def _find(self, *, backward: bool, start: QTextCursor | None = None) -> bool:
        text = self.query.text()
        if not text:
            self._show_count([])
            return False
        if not self.isVisible():
            self.open_bar()
        document = self.editor.document()
        cursor = start if start is not None else self.editor.textCursor()
        found = document.find(text, cursor, self._flags(backward))
        if found.isNull():  # wrap around
            edge = QTextCursor(document)
            if backward:
                edge.movePosition(QTextCursor.MoveOperation.End)
            found = document.find(text, edge, self._flags(backward))
        if not found.isNull():
            self.editor.setTextCursor(found)
            self.editor.centerCursor()
        self._show_count(self.matches())
        return not found.isNull()

    def _search_from_here(self, *_: object) -> None:
        # Searching from the selection's start keeps the current match while the query grows.
        cursor = QTextCursor(self.editor.textCursor())
        cursor.setPosition(cursor.selectionStart())
        self._find(backward=False, start=cursor)

    def _recount(self) -> None:
        # After an edit the highlighted matches and the count must follow the new text.
        if self.isVisible() and self.query.text():
            self._show_count(self.matches())

    def _show_count(self, found: list[QTextCursor]) -> None:
        self.sig_matches.emit(found)
        current = self.editor.textCursor()
        if not self.query.text():
            self.count.setText("")
        elif not found:
            self.count.setText("No matches")
        else:
            index = next(
                (
                    n
                    for n, c in enumerate(found, 1)
                    if c.selectionStart() == current.selectionStart()
                ),
                0,
            )
            total = f"{len(found):,}" if len(found) <= MAX_COUNTED else "many"
            self.count.setText(f"{index} of {total}" if index else f"{total} matches")
        self.query.setProperty("state", "error" if self.query.text() and not found else "")
        self.query.style().unpolish(self.query)
        self.query.style().polish(self.query)
        self.previous_button.setEnabled(bool(found))
        self.next_button.setEnabled(bool(found))

    def eventFilter(self, watched, event) -> bool:
        """Enter / Shift+Enter step through matches; Escape closes."""
        pressed = isinstance(event, QKeyEvent) and event.type() == event.Type.KeyPress
        if watched is self.query and pressed:
            key, mods = event.key(), event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter is Invoke
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not ctrl:
                if mods & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
