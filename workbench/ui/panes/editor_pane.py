"""The editor pane: the handler module in a code editor, with save, unsaved marker and autosave."""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from workbench import runtimes
from workbench.ui.widgets.code_editor import CodeEditor
from workbench.ui.widgets.find_bar import FindBar
from workbench.workspace.recovery import RecoveryStore

AUTOSAVE_MS = 1500  # the first change is in the recovery file within 1.5 s, whatever follows
SYNTAX_CHECK_MS = (
    400  # a pause in typing this long checks the syntax (compile: ~1 ms per 100 lines)
)
SYNTAX_CHECK_LIMIT = 500_000  # characters: compile() takes ~3 ms per 500 lines, so it runs on
# the UI thread; a file larger than this is not checked while typing
MODIFIED_MARK = " ●"

AskRestore = Callable[[QWidget, Path], bool]


def is_python_source(path: Path | None) -> bool:
    """Whether the runtime catalogue says files like this one are Python handlers."""
    return path is not None and runtimes.lexer_for_file(path) == "python"


def syntax_problem(text: str, filename: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first syntax error in Python source, None if it compiles.

    compile() only parses and builds bytecode: nothing of the learner's code runs here.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (e.g. "\d" escapes) are not errors
            compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.offset or 1, exc.msg
    except ValueError as exc:  # e.g. a NUL character in the source
        return 1, 1, str(exc)
    return None


def ask_restore_with_dialog(parent: QWidget, source: Path) -> bool:
    """Ask the learner whether to restore unsaved changes (a modal QMessageBox)."""
    answer = QMessageBox.question(
        parent,
        "Restore unsaved changes?",
        f"{source.name} has changes that were never saved (the app closed before saving).\n\n"
        "Restore them? Choose No to open the file as saved on disk.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


class EditorPane(QWidget):
    """Edits one source file; writes recovery copies while it has unsaved changes."""

    sig_message = Signal(str)
    """A short message for the status bar (saved, restored, errors)."""

    sig_saved = Signal()
    """The file on disk changed: the function's code must be deployed again."""

    def __init__(
        self,
        recovery: RecoveryStore,
        ask_restore: AskRestore = ask_restore_with_dialog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._recovery = recovery
        self._ask_restore = ask_restore
        self.path: Path | None = None
        self.editor = CodeEditor("python")
        self.editor.setToolTip("The handler's source. Ctrl+S saves; Invoke saves first.")
        self._tabs = QTabWidget()
        self._tabs.setDocumentMode(True)
        self._tabs.addTab(self.editor, "—")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._tabs)
        self.problem = QLabel()
        self.problem.setObjectName("syntaxProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d1242f; padding: 2px 6px;")
        self.problem.setTextFormat(Qt.TextFormat.RichText)
        self.problem.linkActivated.connect(lambda _link: self.go_to_syntax_error())
        self.problem.setToolTip(
            "Found while you type: the code would not even load. Click the line to go there."
        )
        self.problem.hide()
        layout.addWidget(self.problem)
        self.find_bar = FindBar(self.editor)
        self.find_bar.sig_matches.connect(self.editor.highlight_matches)
        layout.addWidget(self.find_bar)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.write_recovery)
        self.editor.document().modificationChanged.connect(self._update_title)
        self.editor.textChanged.connect(self._on_text_changed)
        self._syntax_timer = QTimer(self)
        self._syntax_timer.setSingleShot(True)
        self._syntax_timer.setInterval(SYNTAX_CHECK_MS)
        self._syntax_timer.timeout.connect(self.check_syntax)

    @property
    def modified(self) -> bool:
        """Whether the editor holds changes not yet saved to disk."""
        return self.editor.document().isModified()

    def open_file(self, path: Path) -> None:
        """Show path (empty if it does not exist yet), offering to restore unsaved changes."""
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            text = ""
            self.sig_message.emit(f"Could not read {self.path.name}: {exc}")
        self.editor.set_language(runtimes.lexer_for_file(self.path))
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self._autosave.stop()
        recovered = self._recovery.pending(self.path)
        if recovered is not None:
            if self._ask_restore(self, self.path):
                self.editor.setPlainText(recovered)
                self.editor.document().setModified(True)
                self.sig_message.emit(f"Restored unsaved changes to {self.path.name}")
            else:
                self._recovery.discard(self.path)
        self._update_title()
        self.check_syntax()

    def check_syntax(self) -> None:
        """Mark the first syntax error of a Python file (or clear the mark)."""
        self._syntax_timer.stop()
        text = self.editor.toPlainText()
        found = None
        if is_python_source(self.path) and len(text) <= SYNTAX_CHECK_LIMIT:
            found = syntax_problem(text, self.path.name if self.path else "<editor>")
        if found is None:
            self.editor.clear_syntax_error()
            self.problem.hide()
            return
        line, column, message = found
        self.editor.mark_syntax_error(line, column, message)
        self.problem.setText(
            f'⚠ Syntax error on <a href="line">line {line}</a>: {html.escape(message, quote=False)}'
        )
        if self.problem.isHidden():
            self.problem.show()
            # The label takes room from the editor: keep the line being typed in view.
            QTimer.singleShot(0, self.editor.ensureCursorVisible)

    def go_to_syntax_error(self) -> None:
        """Put the cursor on the syntax error's line and column."""
        line = self.editor.syntax_error_line
        if not line:
            return
        block = self.editor.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus()

    def mark_error_line(self, line: int, focus: bool = False) -> None:
        """Highlight a line of the open file that an error came from, and scroll to it
        (with the cursor in the code when `focus`)."""
        self.editor.mark_error_line(line)
        if focus:
            self.editor.setFocus()

    def show_find(self) -> None:
        """Open the find bar (Ctrl+F), seeded with the selected text."""
        self.find_bar.open_bar()

    def save(self) -> bool:
        """Write the editor's text to disk; False (with a message) if that failed."""
        if self.path is None:
            return False
        try:
            self.path.write_text(self.editor.toPlainText(), encoding="utf-8")
        except OSError as exc:
            self.sig_message.emit(f"Could not save {self.path.name}: {exc}")
            return False
        self._autosave.stop()
        self._recovery.discard(self.path)
        self.editor.document().setModified(False)
        self.check_syntax()  # now, not after the pause: an Invoke right after must see it
        self.sig_message.emit(f"Saved {self.path}")
        self.sig_saved.emit()
        return True

    def write_recovery(self) -> None:
        """Write the recovery copy now (the autosave timer calls this)."""
        if self.path is None or not self.modified:
            return
        try:
            self._recovery.write(self.path, self.editor.toPlainText())
        except OSError as exc:
            self.sig_message.emit(f"Autosave failed: {exc}")

    def _on_text_changed(self) -> None:
        self._syntax_timer.start()  # restarted by each keystroke: checks once typing pauses
        # Not restarted on every keystroke: continuous typing must not postpone the autosave.
        if self.modified and not self._autosave.isActive():
            self._autosave.start()

    def _update_title(self, *_: object) -> None:
        name = self.path.name if self.path else "—"
        self._tabs.setTabText(0, name + (MODIFIED_MARK if self.modified else ""))
        self._tabs.setTabToolTip(0, str(self.path) if self.path else "")
