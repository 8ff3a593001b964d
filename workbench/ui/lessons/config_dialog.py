"""Edit a lesson folder's function.toml: settings the Settings pane does not show live there."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from workbench.core.model import CONFIG_FILE_NAME, ConfigError, load_function
from workbench.ui.widgets.code_editor import CodeEditor


def config_problem(text: str) -> str | None:
    """Why this function.toml text would not load (TOML or a setting out of range), or None."""
    with tempfile.TemporaryDirectory(prefix="function-toml-") as folder:
        (Path(folder) / CONFIG_FILE_NAME).write_text(text, encoding="utf-8")
        try:
            load_function(Path(folder))
        except ConfigError as exc:
            return str(exc)
    return None


class ConfigDialog(QDialog):
    """function.toml in a code editor; Save checks it loads before writing it."""

    def __init__(self, folder: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(folder) / CONFIG_FILE_NAME
        self.setWindowTitle(f"function.toml: {title}")
        self.resize(620, 420)
        note = QLabel(
            "The function's configuration, as on AWS: handler, memory, timeout, retries, "
            "destinations… Saving checks it and redeploys the function."
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.editor = CodeEditor("python")  # TOML reads well with the Python colours
        self.editor.setToolTip("function.toml: one setting per line, key = value")
        self.editor.setPlainText(
            self.path.read_text(encoding="utf-8") if self.path.is_file() else ""
        )
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Check the settings, save them and redeploy")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without saving")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        """Write the file when it loads; otherwise say why and keep the dialog open."""
        text = self.editor.toPlainText()
        problem = config_problem(text)
        if problem is not None:
            self.error.setText(f"✗ Not saved: {problem}")
            self.error.show()
            return False
        try:
            self.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.error.setText(f"✗ Could not save: {exc}")
            self.error.show()
            return False
        self.accept()
        return True
