"""Find in the editor (Ctrl+F), and the keyboard shortcuts with their Help dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from workbench.ui.shortcuts import SHORTCUTS, shown_keys

CODE = "def handler(event):\n    name = event['name']\n    return name\n# NAME ends here\n"


def test_ctrl_f_opens_find_with_the_selected_word_and_highlights_matches(
    window, qtbot, screenshots
):
    """Ctrl+F seeds the query with the selection, counts and highlights every match."""
    editor = window.editor_pane.editor
    editor.setPlainText(CODE)
    cursor = editor.document().find("name")
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.editor_pane.find_bar
    assert bar.isVisible() and bar.query.text() == "name"
    assert bar.count.text() == "1 of 4"  # name, 'name', name, NAME: case-insensitive
    found = [s for s in editor.extraSelections() if s.cursor.hasSelection()]
    assert len(found) == 4
    window.editor_pane.grab().save(str(screenshots / "find_bar.png"))


def test_enter_steps_through_matches_and_wraps(window, qtbot):
    """Enter goes to the next match, Shift+Enter back; past the last it wraps to the first."""
    editor = window.editor_pane.editor
    editor.setPlainText(CODE)
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    window.editor_pane.show_find()
    bar = window.editor_pane.find_bar
    bar.case.setChecked(True)
    qtbot.keyClicks(bar.query, "name")
    assert bar.count.text() == "1 of 3"
    positions = []
    for _ in range(3):
        qtbot.keyClick(bar.query, Qt.Key.Key_Return)
        positions.append(editor.textCursor().selectionStart())
    assert bar.count.text() == "1 of 3"  # wrapped around
    assert positions[2] < positions[1]
    qtbot.keyClick(bar.query, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count.text() == "3 of 3"
    qtbot.keyClick(bar.query, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert not [s for s in editor.extraSelections() if s.cursor.hasSelection()]


def test_no_match_is_said_and_marked(window, qtbot):
    """A query that matches nothing says so and turns the field red."""
    window.editor_pane.editor.setPlainText(CODE)
    window.editor_pane.show_find()
    bar = window.editor_pane.find_bar
    qtbot.keyClicks(bar.query, "lambda")
    assert bar.count.text() == "No matches"
    assert bar.query.property("state") == "error"
    assert not bar.next_button.isEnabled()


def test_shortcuts_dialog_lists_every_bound_shortcut(window, screenshots):
    """Help → Keyboard shortcuts lists each table entry, and each is bound to an action."""
    dialog = window.show_shortcuts()
    dialog.grab().save(str(screenshots / "shortcuts_dialog.png"))
    rows = dialog.row_texts()
    for shortcut in SHORTCUTS:
        assert (shown_keys(shortcut), shortcut.action, shortcut.group) in rows
    bound = {key.toString() for action in window.actions() for key in action.shortcuts()}
    window_level = {"invoke", "save", "open", "quit", "find", "format_event", "focus_code"}
    window_level |= {"focus_event", "focus_logs", "zoom_in", "zoom_out", "follow", "shortcuts"}
    for shortcut in SHORTCUTS:
        if shortcut.id in window_level:
            assert set(shortcut.keys) <= bound or shortcut.id == "invoke", shortcut.id
    dialog.close()


def test_shortcuts_move_focus_format_and_zoom(window, qtbot):
    """Ctrl+2 focuses the event, Ctrl+Shift+F formats it, Ctrl+= / Ctrl+- zoom the timeline."""
    window.editor_pane.editor.setFocus()
    qtbot.keyClick(window.editor_pane.editor, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    event = window.event_pane.editor
    assert QApplication.focusWidget() is event
    event.setPlainText('{"a":1}')
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(event, Qt.Key.Key_F, ctrl_shift)
    assert event.toPlainText() == '{\n    "a": 1\n}\n'
    canvas = window.timeline_pane.canvas
    before = canvas.window_s
    qtbot.keyClick(event, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.window_s == before / 2
    qtbot.keyClick(event, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert canvas.window_s == before
    qtbot.keyClick(event, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.editor_pane.editor
