"""Autosave writes a recovery file within ~2 s, and the next start offers to restore it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtGui import QTextCursor
from ui_helpers import RestoreAnswers

from workbench.ui.panes.editor_pane import AUTOSAVE_MS, MODIFIED_MARK, EditorPane
from workbench.workspace.recovery import RecoveryStore


def type_over(pane: EditorPane, text: str) -> None:
    """Replace the editor's text as typing would (setPlainText would clear the modified flag)."""
    cursor = pane.editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)


def make_pane(qtbot, tmp_path: Path, answers: RestoreAnswers) -> EditorPane:
    pane = EditorPane(RecoveryStore(tmp_path / "recovery"), answers)
    qtbot.addWidget(pane)
    return pane


def test_edit_writes_recovery_then_restart_offers_it(qtbot, tmp_path):
    """A change lands in the recovery file within 2 s; a new pane asks and restores it."""
    source = tmp_path / "lambda_function.py"
    source.write_text("x = 1\n")
    os.utime(source, (time.time() - 10, time.time() - 10))
    answers = RestoreAnswers(answer=True)
    pane = make_pane(qtbot, tmp_path, answers)
    pane.open_file(source)
    assert answers.asked == []
    type_over(pane, "x = 2  # unsaved\n")
    assert pane.modified
    assert pane._tabs.tabText(0) == "lambda_function.py" + MODIFIED_MARK
    recovery = pane._recovery.path_for(source)
    started = time.monotonic()
    qtbot.waitUntil(recovery.exists, timeout=2000)
    assert time.monotonic() - started <= AUTOSAVE_MS / 1000 + 0.5

    # "Kill" the app: the pane goes away without saving; a new one opens the same file.
    restarted = make_pane(qtbot, tmp_path, answers)
    restarted.open_file(source)
    assert answers.asked == [source]
    assert restarted.editor.toPlainText() == "x = 2  # unsaved\n"
    assert restarted.modified  # restored text is not saved until the learner saves
    assert source.read_text() == "x = 1\n"


def test_declining_discards_and_saving_clears_recovery(qtbot, tmp_path):
    """No keeps the file as on disk and drops the copy; Ctrl+S-style save removes it too."""
    source = tmp_path / "lambda_function.py"
    source.write_text("x = 1\n")
    os.utime(source, (time.time() - 10, time.time() - 10))
    store = RecoveryStore(tmp_path / "recovery")
    store.write(source, "x = 3\n")
    answers = RestoreAnswers(answer=False)
    pane = make_pane(qtbot, tmp_path, answers)
    pane.open_file(source)
    assert answers.asked == [source]
    assert pane.editor.toPlainText() == "x = 1\n"
    assert not store.path_for(source).exists()

    type_over(pane, "x = 4\n")
    pane.write_recovery()
    assert store.path_for(source).exists()
    assert pane.save()
    assert source.read_text() == "x = 4\n"
    assert not store.path_for(source).exists()
    assert not pane.modified and MODIFIED_MARK not in pane._tabs.tabText(0)


def test_recovery_older_than_the_file_is_not_offered(qtbot, tmp_path):
    """A recovery copy older than the file on disk (saved since) is stale: no question."""
    source = tmp_path / "lambda_function.py"
    source.write_text("x = 1\n")
    store = RecoveryStore(tmp_path / "recovery")
    copy = store.write(source, "x = 0\n")
    os.utime(copy, (time.time() - 60, time.time() - 60))
    answers = RestoreAnswers()
    pane = make_pane(qtbot, tmp_path, answers)
    pane.open_file(source)
    assert answers.asked == []
    assert pane.editor.toPlainText() == "x = 1\n"
