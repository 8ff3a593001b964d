"""The reader's questions to the learner, as replaceable functions (tests answer them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

Confirm = Callable[[QWidget, str, str, str], bool]
AskSavePath = Callable[[QWidget, str, Path], Path | None]
AskFolder = Callable[[QWidget, str], Path | None]
REPORT_FILTERS = "Markdown (*.md);;HTML (*.html)"


def confirm_with_dialog(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something that cannot be undone; the default answer is Cancel."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go


def save_path_with_dialog(parent: QWidget, caption: str, suggested: Path) -> Path | None:
    """Ask where to save a report (Markdown or HTML, by the chosen name's suffix)."""
    name, chosen_filter = QFileDialog.getSaveFileName(
        parent, caption, str(suggested), REPORT_FILTERS
    )
    if not name:
        return None
    path = Path(name)
    if not path.suffix:  # some platforms leave the filter's suffix off
        path = path.with_suffix(".html" if chosen_filter.startswith("HTML") else ".md")
    return path


def folder_with_dialog(parent: QWidget, caption: str) -> Path | None:
    """Ask for a folder (a lesson pack)."""
    folder = QFileDialog.getExistingDirectory(parent, caption)
    return Path(folder) if folder else None


@dataclass
class Dialogs:
    """The three questions the reader asks; tests put recorded answers in their place."""

    confirm: Confirm = confirm_with_dialog
    save_path: AskSavePath = save_path_with_dialog
    folder: AskFolder = folder_with_dialog
