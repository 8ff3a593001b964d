"""The code editor's behaviours: auto-indent, Tab/Shift+Tab, comment toggle, error mark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from workbench.ui.widgets.code_editor import CodeEditor


@pytest.fixture
def editor(qtbot) -> CodeEditor:
    widget = CodeEditor("python")
    qtbot.addWidget(widget)
    widget.show()
    return widget


def put_cursor(editor: CodeEditor, line: int, column: int | None = None) -> None:
    """Move the cursor to a 1-based line, at its end unless a column is given."""
    block = editor.document().findBlockByNumber(line - 1)
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    if column is not None:
        cursor.setPosition(block.position() + column)
    editor.setTextCursor(cursor)


def select_lines(editor: CodeEditor, first: int, last: int) -> None:
    """Select from the start of line `first` to the end of line `last` (1-based)."""
    doc = editor.document()
    cursor = QTextCursor(doc.findBlockByNumber(first - 1))
    end = doc.findBlockByNumber(last - 1)
    cursor.setPosition(end.position() + len(end.text()), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def test_enter_keeps_indent_and_indents_after_colon(editor, qtbot):
    """Enter copies the line's indent, adds a level after ':', drops one after return."""
    editor.setPlainText("def f(x):")
    put_cursor(editor, 1)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "if x:")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "return 1")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "y = 2")
    assert editor.toPlainText() == "def f(x):\n    if x:\n        return 1\n    y = 2"


def test_tab_inserts_spaces_to_the_next_stop(editor, qtbot):
    """Tab inserts spaces up to the next multiple of four, never a tab character."""
    editor.setPlainText("ab")
    put_cursor(editor, 1)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "ab  "


def test_tab_and_shift_tab_on_a_selection(editor, qtbot):
    """Tab indents every selected line; Shift+Tab dedents them again."""
    editor.setPlainText("a = 1\nb = 2\nc = 3")
    select_lines(editor, 1, 2)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    a = 1\n    b = 2\nc = 3"
    select_lines(editor, 1, 2)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.toPlainText() == "a = 1\nb = 2\nc = 3"


def test_shift_tab_dedents_the_current_line_only_as_far_as_it_can(editor, qtbot):
    """Shift+Tab removes at most one level and never eats code."""
    editor.setPlainText("      x = 1\n  y")
    put_cursor(editor, 1)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.toPlainText() == "  x = 1\n  y"
    put_cursor(editor, 2)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.toPlainText() == "  x = 1\ny"


def test_ctrl_slash_toggles_comments(editor, qtbot):
    """Ctrl+/ comments the selected lines at their common indent, then uncomments them."""
    original = "def f():\n    a = 1\n\n    return a"
    editor.setPlainText(original)
    select_lines(editor, 2, 4)
    qtbot.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "def f():\n    # a = 1\n\n    # return a"
    select_lines(editor, 2, 4)
    qtbot.keyClick(editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == original


def test_mark_error_line_moves_there_and_follows_edits(editor, qtbot):
    """The error mark goes to its line, shows as an extra selection, and tracks edits above."""
    editor.setPlainText("a\nb\nc\nd")
    with qtbot.waitSignal(editor.sig_error_line_changed) as signal:
        editor.mark_error_line(3)
    assert signal.args == [3]
    assert editor.error_line == 3
    assert editor.textCursor().blockNumber() == 2
    assert any(s.cursor.blockNumber() == 2 for s in editor.extraSelections())
    put_cursor(editor, 1, 0)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.error_line == 4  # still on "c"
    editor.clear_error_mark()
    assert editor.error_line == 0


def test_mark_error_line_out_of_range_is_ignored(editor):
    """A line the file does not have (e.g. an edited file) marks nothing."""
    editor.setPlainText("a")
    editor.mark_error_line(99)
    assert editor.error_line == 0


def test_highlighter_colours_keywords_and_multiline_strings(editor, qtbot):
    """Keywords get a format, and a string spanning lines is coloured on its second line."""
    editor.setPlainText('def f():\n    """doc\n    string"""\n    return 1')
    qtbot.wait(10)
    doc = editor.document()
    first = doc.findBlockByNumber(0).layout().formats()
    third = doc.findBlockByNumber(2).layout().formats()
    assert any(f.start == 0 and f.length == 3 for f in first)  # "def"
    assert third and third[0].format.foreground().color() == third[-1].format.foreground().color()


def test_json_editor_has_no_comment_toggle(qtbot):
    """JSON has no comments: Ctrl+/ leaves it alone; Enter indents after { and [."""
    widget = CodeEditor("json")
    qtbot.addWidget(widget)
    widget.setPlainText("{")
    put_cursor(widget, 1)
    qtbot.keyClick(widget, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert widget.toPlainText() == "{\n    "


def test_opening_a_triple_quote_recolours_the_following_lines(editor, qtbot):
    """Typing an opening triple quote turns the lines below into string, as Python reads them."""
    editor.setPlainText("a = 1\nb = 2")
    second = editor.document().findBlockByNumber(1)
    before = {f.format.foreground().color().name() for f in second.layout().formats()}
    put_cursor(editor, 1, 0)
    qtbot.keyClicks(editor, '"""')
    after = [f for f in second.layout().formats()]
    assert after and after[0].start == 0 and after[0].length == len("b = 2")
    assert {f.format.foreground().color().name() for f in after} != before
