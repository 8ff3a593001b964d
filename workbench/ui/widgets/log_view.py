"""Read-only monospace text views whose traceback lines are links to the editor."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QMouseEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from workbench.ui.widgets.code_editor import is_dark
from workbench.ui.widgets.highlighter import PygmentsHighlighter

# Tracebacks write `File "x.py", line 3`; the runtime's Runtime.UserCodeSyntaxError (like
# awslambdaric's) writes `File "x.py" Line 3`: both are links.
STACK_LINE = re.compile(r'File "(?P<path>[^"]+)",? [Ll]ine (?P<line>\d+)')
_PLATFORM = re.compile(r"^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY)\b")
_ERROR = re.compile(r"^(\[ERROR\]|Traceback|\w*(Error|Exception)\b)")


def stack_location(text: str) -> tuple[str, int] | None:
    """(path, line) of a traceback line: `File "/var/task/x.py", line 3` or `… " Line 3`."""
    match = STACK_LINE.search(text)
    return (match["path"], int(match["line"])) if match else None


class LogHighlighter(QSyntaxHighlighter):
    """Styles the CloudWatch-style stream: platform lines, errors, and traceback links."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._dark = False

    def set_dark(self, dark: bool) -> None:
        """Switch colour scheme and restyle the text."""
        if dark != self._dark:
            self._dark = dark
            self.rehighlight()

    def _fmt(self, light: str, dark: str, *, bold: bool = False) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(dark if self._dark else light))
        if bold:
            fmt.setFontWeight(QFont.Weight.Bold)
        return fmt

    def highlightBlock(self, text: str) -> None:
        """Colour one line by what kind of line it is."""
        platform = _PLATFORM.match(text)
        if platform:
            self.setFormat(0, len(text), self._fmt("#57606a", "#8b949e"))
            self.setFormat(0, platform.end(), self._fmt("#0969da", "#58a6ff", bold=True))
            return
        if _ERROR.match(text):
            self.setFormat(0, len(text), self._fmt("#cf222e", "#ff7b72", bold=True))
        match = STACK_LINE.search(text)
        if match:
            link = self._fmt("#cf222e", "#ff9492")
            link.setFontUnderline(True)
            self.setFormat(match.start(), match.end() - match.start(), link)


class StackTextView(QPlainTextEdit):
    """A read-only text view; clicking a traceback line emits where it points."""

    sig_source_line = Signal(str, int)
    """(path, line) of a clicked traceback line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setMinimumHeight(48)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0))
        self.setFont(font)
        self.setMouseTracking(True)
        # Two highlighters, one attached at a time: log styling, or JSON for responses.
        self.highlighter = LogHighlighter(self.document())
        self._json = PygmentsHighlighter(self.document(), "json")
        self._json.setDocument(None)
        self._apply_scheme()

    def show_text(self, text: str, *, as_json: bool = False) -> None:
        """Replace the text, coloured as JSON or as log/traceback lines."""
        self._json.setDocument(self.document() if as_json else None)
        self.highlighter.setDocument(None if as_json else self.document())
        self.setPlainText(text)

    def _apply_scheme(self) -> None:
        dark = is_dark(self.palette())
        self.highlighter.set_dark(dark)
        self._json.set_dark(dark)

    def location_at(self, event: QMouseEvent) -> tuple[str, int] | None:
        """The traceback location on the line under the mouse, if any."""
        cursor = self.cursorForPosition(event.position().toPoint())
        return stack_location(cursor.block().text())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show a hand over traceback lines, which are links."""
        super().mouseMoveEvent(event)
        linked = self.location_at(event) is not None
        shape = Qt.CursorShape.PointingHandCursor if linked else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click (not a drag-select) on a traceback line follows the link."""
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            location = self.location_at(event)
            if location:
                self.sig_source_line.emit(*location)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_scheme()
