"""A small code editor: line numbers, current-line highlight, pygments colours, auto-indent,
Tab/Shift+Tab, comment toggle and an error-line mark."""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from workbench.ui.widgets.highlighter import PygmentsHighlighter

INDENT = "    "
SYNTAX_COLOUR = "#d1242f"
_KEEP = QTextCursor.MoveMode.KeepAnchor
_LANGUAGES = {
    # language: (comment prefix, characters that open a block at the end of a line)
    "python": ("#", ":"),
    "json": (None, "{["),
    "javascript": ("//", "{[("),
    "bash": ("#", ""),
}
_PLAIN = (None, "")
_DEDENT_AFTER = re.compile(r"^\s*(return|pass|raise|break|continue)\b")


def is_dark(palette: QPalette) -> bool:
    """Whether a palette is a dark one (its base colour is dark)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class LineNumberArea(QWidget):
    """The gutter: paints line numbers and the error marker for its editor."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """A QPlainTextEdit for Python or JSON with the behaviours of a programmer's editor."""

    sig_error_line_changed = Signal(int)
    """The marked error line (1-based), or 0 when the mark was cleared."""

    def __init__(self, language: str = "python", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.comment_prefix, self._openers = _LANGUAGES.get(language, _PLAIN)
        # A cursor, not a number, so the mark follows the line while the learner edits above it.
        self._error_cursor: QTextCursor | None = None
        # The syntax problem found while typing: (line's cursor, column, message).
        self._syntax: tuple[QTextCursor, int, str] | None = None
        self._found: list[QTextCursor] = []
        self._gutter = LineNumberArea(self)
        self._highlighter = PygmentsHighlighter(self.document(), language)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.5))
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self._update_gutter_width()
        self._apply_scheme()

    # ----- public API ------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        """Edit another language (a pygments lexer name): its colours and comment prefix."""
        if language != self.language:
            self.language = language
            self.comment_prefix, self._openers = _LANGUAGES.get(language, _PLAIN)
            self._highlighter.set_language(language)

    @property
    def error_line(self) -> int:
        """The marked error line (1-based), 0 if none."""
        return self._error_cursor.blockNumber() + 1 if self._error_cursor else 0

    def mark_error_line(self, line: int, *, reveal: bool = True) -> None:
        """Mark a 1-based line as the error's line; reveal moves the cursor there."""
        block = self.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return
        self._error_cursor = QTextCursor(block)
        if reveal:
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()
        self._refresh_selections()
        self._gutter.update()
        self.sig_error_line_changed.emit(line)

    def clear_error_mark(self) -> None:
        """Remove the error mark, if any."""
        if self._error_cursor is not None:
            self._error_cursor = None
            self._refresh_selections()
            self._gutter.update()
            self.sig_error_line_changed.emit(0)

    @property
    def syntax_error_line(self) -> int:
        """The line (1-based) of the syntax error found while typing, 0 if none."""
        return self._syntax[0].blockNumber() + 1 if self._syntax else 0

    @property
    def syntax_error_message(self) -> str:
        """The syntax error's message, "" if none."""
        return self._syntax[2] if self._syntax else ""

    def mark_syntax_error(self, line: int, column: int, message: str) -> None:
        """Underline a syntax error from a 1-based column to the end of its line (no jump)."""
        block = self.document().findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            block = self.document().lastBlock()
        self._syntax = (QTextCursor(block), max(0, column - 1), message)
        self._refresh_selections()

    def clear_syntax_error(self) -> None:
        """Remove the syntax error's underline, if any."""
        if self._syntax is not None:
            self._syntax = None
            self._refresh_selections()

    def highlight_matches(self, cursors: list[QTextCursor]) -> None:
        """Highlight these selections (the find bar's matches); [] removes the highlight."""
        self._found = list(cursors)
        self._refresh_selections()

    def toggle_comment(self) -> None:
        """Comment the selected lines out, or back in when they all are comments."""
        if not self.comment_prefix:
            return
        prefix = self.comment_prefix
        cursor, blocks = self._selected_blocks()
        texts = [b.text() for b in blocks if b.text().strip()]
        uncomment = bool(texts) and all(t.lstrip().startswith(prefix) for t in texts)
        column = min((len(t) - len(t.lstrip()) for t in texts), default=0)
        cursor.beginEditBlock()
        for block in blocks:
            text = block.text()
            if not text.strip():
                continue
            edit = QTextCursor(block)
            if uncomment:
                start = text.index(prefix)
                after = start + len(prefix)
                size = len(prefix) + (1 if text[after : after + 1] == " " else 0)
                edit.setPosition(block.position() + start)
                edit.setPosition(block.position() + start + size, QTextCursor.MoveMode.KeepAnchor)
                edit.removeSelectedText()
            else:
                edit.setPosition(block.position() + column)
                edit.insertText(prefix + " ")
        cursor.endEditBlock()

    def indent_selection(self) -> None:
        """Indent every selected line by one level."""
        cursor, blocks = self._selected_blocks()
        cursor.beginEditBlock()
        for block in blocks:
            QTextCursor(block).insertText(INDENT)
        cursor.endEditBlock()

    def dedent_selection(self) -> None:
        """Remove up to one level of indentation from every selected line."""
        cursor, blocks = self._selected_blocks()
        cursor.beginEditBlock()
        for block in blocks:
            text = block.text()
            width = len(text) - len(text.lstrip(" "))
            remove = min(width, len(INDENT)) or (1 if text.startswith("\t") else 0)
            if remove:
                edit = QTextCursor(block)
                edit.movePosition(
                    QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, remove
                )
                edit.removeSelectedText()
        cursor.endEditBlock()

    # ----- key handling ----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Add the editor behaviours on top of QPlainTextEdit's."""
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and ctrl:
            event.ignore()  # Ctrl+Enter is the window's Invoke shortcut
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.isReadOnly():
            self._newline_with_indent()
        elif key == Qt.Key.Key_Tab and not ctrl and not self.isReadOnly():
            self._tab()
        elif key == Qt.Key.Key_Backtab and not self.isReadOnly():
            self.dedent_selection()
        elif key == Qt.Key.Key_Slash and ctrl and not self.isReadOnly():
            self.toggle_comment()
        else:
            super().keyPressEvent(event)

    def _newline_with_indent(self) -> None:
        cursor = self.textCursor()
        before = cursor.block().text()[: cursor.positionInBlock()]
        indent = before[: len(before) - len(before.lstrip())]
        stripped = before.rstrip()
        if stripped and stripped[-1] in self._openers:
            indent += INDENT
        elif self.language == "python" and _DEDENT_AFTER.match(before):
            indent = indent[: max(0, len(indent) - len(INDENT))]
        cursor.insertText("\n" + indent)
        self.ensureCursorVisible()

    def _tab(self) -> None:
        cursor = self.textCursor()
        if cursor.hasSelection() and "\u2029" in cursor.selectedText():
            self.indent_selection()
            return
        column = cursor.positionInBlock()
        cursor.insertText(" " * (len(INDENT) - column % len(INDENT)))

    def _selected_blocks(self) -> tuple[QTextCursor, list]:
        cursor = self.textCursor()
        document = self.document()
        first = document.findBlock(cursor.selectionStart())
        last = document.findBlock(cursor.selectionEnd())
        if cursor.hasSelection() and last.position() == cursor.selectionEnd() and last != first:
            last = last.previous()  # a selection ending at column 0 leaves that line alone
        blocks = [first]
        while blocks[-1] != last and blocks[-1].next().isValid():
            blocks.append(blocks[-1].next())
        return cursor, blocks

    # ----- painting --------------------------------------------------------------------
    def gutter_width(self) -> int:
        """Width of the line-number gutter for the current line count."""
        digits = max(3, len(str(self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits

    def paint_gutter(self, event: QPaintEvent) -> None:
        """Paint the line numbers of the visible blocks (called by the gutter)."""
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        current = self.textCursor().blockNumber()
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        bright = palette.color(QPalette.ColorRole.Text)
        height = self.fontMetrics().height()
        error_line = self.error_line
        syntax_line = self.syntax_error_line
        width = self._gutter.width() - 6
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            number = block.blockNumber() + 1
            if block.isVisible() and bottom >= event.rect().top():
                if number == error_line:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor("#e5534b"))
                    painter.drawEllipse(QRect(3, top + height // 2 - 3, 7, 7))
                elif number == syntax_line:  # a square: found while typing, not by a run
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(SYNTAX_COLOUR))
                    painter.drawRect(QRect(3, top + height // 2 - 3, 7, 7))
                painter.setPen(bright if block.blockNumber() == current else dim)
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight, str(number))
            block = block.next()
            top = bottom
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_scheme()

    def _apply_scheme(self) -> None:
        self._highlighter.set_dark(is_dark(self.palette()))
        self._refresh_selections()

    def _update_gutter_width(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def _refresh_selections(self) -> None:
        dark = is_dark(self.palette())
        selections = []
        if not self.isReadOnly():
            current = QTextEdit.ExtraSelection()
            current.format.setBackground(QColor("#171d26" if dark else "#f3f6fb"))
            current.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            current.cursor = self.textCursor()
            current.cursor.clearSelection()
            selections.append(current)
        for cursor in self._found:
            found = QTextEdit.ExtraSelection()
            found.format.setBackground(QColor("#6e5a1e" if dark else "#fff2a8"))
            found.cursor = cursor
            selections.append(found)
        if self._syntax is not None:
            line, column, _message = self._syntax
            squiggle = QTextEdit.ExtraSelection()
            squiggle.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            squiggle.format.setUnderlineColor(QColor(SYNTAX_COLOUR))
            block = line.block()
            cursor = QTextCursor(block)
            length = block.length() - 1
            start = min(column, max(0, length - 1))
            cursor.setPosition(block.position() + start)
            cursor.setPosition(block.position() + max(length, start + 1), _KEEP)
            squiggle.cursor = cursor
            selections.append(squiggle)
        if self._error_cursor is not None:
            error = QTextEdit.ExtraSelection()
            error.format.setBackground(QColor("#5c2323" if dark else "#ffe0e0"))
            error.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            error.cursor = QTextCursor(self._error_cursor.block())
            selections.append(error)
        self.setExtraSelections(selections)
        self._gutter.update()
