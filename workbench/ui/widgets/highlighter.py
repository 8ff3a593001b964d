"""A pygments-based QSyntaxHighlighter that lexes the whole document, so strings spanning
lines colour correctly, and applies the cached formats block by block."""

from __future__ import annotations

from pygments.lexer import Lexer
from pygments.lexers import JsonLexer, TextLexer, get_lexer_by_name
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Token, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

# (light, dark) colours per token family; the first matching ancestor wins.
_COLOURS: dict[_TokenType, tuple[str, str]] = {
    Comment: ("#6a737d", "#8b949e"),
    Keyword: ("#cf222e", "#ff7b72"),
    Name.Builtin: ("#8250df", "#d2a8ff"),
    Name.Function: ("#6639ba", "#d2a8ff"),
    Name.Class: ("#953800", "#ffa657"),
    Name.Decorator: ("#953800", "#ffa657"),
    Name.Tag: ("#0550ae", "#79c0ff"),  # JSON keys
    String.Doc: ("#57606a", "#a5d6ff"),
    String: ("#0a3069", "#a5d6ff"),
    Number: ("#0550ae", "#79c0ff"),
    Keyword.Constant: ("#0550ae", "#79c0ff"),
    Operator.Word: ("#cf222e", "#ff7b72"),
}
_BOLD = (Keyword, Name.Class, Name.Function)
_ITALIC = (Comment,)
_MULTILINE_STATE = 1  # block ends inside a token that continues on the next line


def lexer_for(language: str) -> Lexer:
    """A pygments lexer by name ('python', 'json', 'javascript', 'bash'…); plain text if unknown.

    The runtimes say which one a function's files need (runtimes.lexer_for_file).
    """
    # stripnl=False: stripping leading blank lines would shift every line number.
    if language == "json":
        return JsonLexer(stripnl=False)
    try:
        return get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


class PygmentsHighlighter(QSyntaxHighlighter):
    """Colours a QTextDocument with a pygments lexer, in a light or dark scheme."""

    def __init__(self, document: QTextDocument, language: str = "python") -> None:
        super().__init__(None)
        self._lexer = lexer_for(language)
        self._dark = False
        self._formats: dict[_TokenType, QTextCharFormat | None] = {}
        # contentsChange is connected before QSyntaxHighlighter's own slot on purpose: slots run
        # in connection order, so the token cache is stale before Qt rehighlights an edit.
        self._watched: QTextDocument | None = None
        self.setDocument(document)

    def setDocument(self, document: QTextDocument | None) -> None:
        """Attach to a document (None detaches), watching its edits before Qt does."""
        if self._watched is not None:
            self._watched.contentsChange.disconnect(self._mark_stale)
        self._watched = document
        self._stale = True
        if document is not None:
            document.contentsChange.connect(self._mark_stale)
        super().setDocument(document)
        self._lines: list[list[tuple[int, int, _TokenType]]] = []
        self._continues: list[bool] = []

    def set_language(self, language: str) -> None:
        """Lex with another language's lexer from now on, and recolour the document."""
        self._lexer = lexer_for(language)
        self._stale = True
        self.rehighlight()

    def set_dark(self, dark: bool) -> None:
        """Switch colour scheme and recolour the document."""
        if dark != self._dark:
            self._dark = dark
            self._formats.clear()
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        """Apply the cached formats of the current block, relexing after any edit."""
        if self._stale:
            self._relex(self.document().toPlainText())
            self._stale = False
        number = self.currentBlock().blockNumber()
        if number >= len(self._lines):
            return
        for start, length, token in self._lines[number]:
            fmt = self._format(token)
            if fmt is not None:
                self.setFormat(start, length, fmt)
        self.setCurrentBlockState(_MULTILINE_STATE if self._continues[number] else 0)

    def _mark_stale(self, *_: object) -> None:
        self._stale = True

    def _relex(self, text: str) -> None:
        """Split the token stream into per-line (start, length, token) runs."""
        lines: list[list[tuple[int, int, _TokenType]]] = [[]]
        continues = [False]
        column = 0
        for token, value in self._lexer.get_tokens(text):
            parts = value.split("\n")
            for index, part in enumerate(parts):
                if index:
                    continues[-1] = token in String or token in Comment
                    lines.append([])
                    continues.append(False)
                    column = 0
                if part:
                    lines[-1].append((column, len(part), token))
                    column += len(part)
        self._lines, self._continues = lines, continues

    def _format(self, token: _TokenType) -> QTextCharFormat | None:
        if token not in self._formats:
            self._formats[token] = self._build_format(token)
        return self._formats[token]

    def _build_format(self, token: _TokenType) -> QTextCharFormat | None:
        kind = token
        while kind not in _COLOURS and kind is not Token and kind.parent is not None:
            kind = kind.parent
        colours = _COLOURS.get(kind)
        if colours is None:
            return None
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(colours[1] if self._dark else colours[0]))
        if any(token in family for family in _BOLD) and token not in Keyword.Constant:
            fmt.setFontWeight(QFont.Weight.DemiBold)
        if any(token in family for family in _ITALIC):
            fmt.setFontItalic(True)
        return fmt
