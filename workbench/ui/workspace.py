"""The plain workspace, without a lesson: New function from a blueprint, and Open recent.

Blueprints are plain function folders in resources/blueprints (like the console's "Use a
blueprint"); a new function is a copy of one in the learner's functions folder.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from workbench.paths import RESOURCES_DIR

BLUEPRINTS_DIR = RESOURCES_DIR / "blueprints"
RECENT_KEY = "workspace/recent"
RECENT_LIMIT = 8
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Lambda's own function-name rule


@dataclass(frozen=True)
class Blueprint:
    """A starting point for a new function: its folder and one line saying what it is."""

    key: str
    folder: Path
    summary: str

    @property
    def event_text(self) -> str:
        """The event the event pane starts with for this blueprint ("" when it has none)."""
        path = self.folder / "event.json"
        return path.read_text(encoding="utf-8") if path.is_file() else ""


def blueprints(root: Path = BLUEPRINTS_DIR) -> list[Blueprint]:
    """The shipped blueprints, hello world first; the summary is function.toml's first comment."""
    found = []
    for folder in sorted(p for p in root.iterdir() if (p / "function.toml").is_file()):
        first = (folder / "function.toml").read_text(encoding="utf-8").splitlines()[:1]
        summary = first[0].lstrip("# ").strip() if first and first[0].startswith("#") else ""
        found.append(Blueprint(folder.name, folder, summary or folder.name))
    found.sort(key=lambda b: (b.key != "hello-world", b.key))
    return found


def name_problem(name: str, functions_dir: Path) -> str | None:
    """Why a new function cannot have this name, or None."""
    if not NAME_PATTERN.match(name):
        return "use 1-64 letters, digits, hyphens or underscores (as Lambda function names)"
    if (functions_dir / name).exists():
        return f"{functions_dir / name} exists already: choose another name"
    return None


def create_function(blueprint: Blueprint, name: str, functions_dir: Path) -> Path:
    """Copy a blueprint to functions_dir/name; ValueError says why not."""
    problem = name_problem(name, functions_dir)
    if problem:
        raise ValueError(problem)
    target = functions_dir / name
    functions_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(blueprint.folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


class RecentFolders:
    """The function folders opened last, newest first, kept in the app's settings."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def all(self) -> list[Path]:
        value = self.settings.value(RECENT_KEY, [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(item) for item in items if item and Path(item).is_dir()]

    def add(self, folder: Path) -> None:
        folder = Path(folder).resolve()
        items = [folder, *(p for p in self.all() if p.resolve() != folder)][:RECENT_LIMIT]
        self.settings.setValue(RECENT_KEY, [str(p) for p in items])

    def last(self) -> Path | None:
        items = self.all()
        return items[0] if items else None


class NewFunctionDialog(QDialog):
    """Choose a blueprint and a name; accepted only with a name that can be used."""

    def __init__(self, functions_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New function")
        self.functions_dir = functions_dir
        self.created: Path | None = None
        self.choices = blueprints()
        self.blueprint = QComboBox()
        self.blueprint.setToolTip("What the new function starts from")
        for item in self.choices:
            self.blueprint.addItem(item.summary, item.key)
        self.name = QLineEdit("my-function")
        self.name.setToolTip("The function's name: letters, digits, hyphens and underscores")
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Blueprint", self.blueprint)
        form.addRow("Name", self.name)
        form.addRow(self.problem)
        form.addRow(QLabel(f"Created in {functions_dir}"))
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._check)
        self._check()

    @property
    def chosen(self) -> Blueprint:
        return self.choices[max(self.blueprint.currentIndex(), 0)]

    def _check(self) -> None:
        problem = name_problem(self.name.text().strip(), self.functions_dir)
        self.problem.setText(f"✗ {problem}" if problem else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def accept(self) -> None:
        try:
            self.created = create_function(
                self.chosen, self.name.text().strip(), self.functions_dir
            )
        except (ValueError, OSError) as exc:
            self.problem.setText(f"✗ {exc}")
            return
        super().accept()
