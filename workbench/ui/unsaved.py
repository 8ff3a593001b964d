"""Closing with unsaved edits asks: Save, Discard or Cancel.

The question is window-modal but not a nested event loop (qasync keeps running): the close
is refused first and repeated once the learner has answered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from workbench.ui.panes.editor_pane import EditorPane
from workbench.workspace.recovery import RecoveryStore


def ask_unsaved(
    parent, editor: EditorPane, recovery: RecoveryStore, close: Callable[[], None]
) -> QMessageBox:
    """Open the question; `close` runs (after the answer) when the window may close."""
    name = editor.path.name if editor.path else "the code"
    box = QMessageBox(parent)
    box.setObjectName("unsavedChangesBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save your changes to {name} before closing?")
    box.setInformativeText("Discard throws the changes away; Cancel keeps the app open.")
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setWindowModality(Qt.WindowModality.WindowModal)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        choice = box.standardButton(clicked) if clicked else None
        if choice == buttons.Save:
            if not editor.save():
                return  # the status bar says why; stay open so nothing is lost
        elif choice == buttons.Discard:
            if editor.path is not None:
                recovery.discard(Path(editor.path))
            editor.editor.document().setModified(False)
        else:
            return
        QTimer.singleShot(0, close)

    box.finished.connect(answered)
    box.open()
    return box
