"""The reference solution, read-only, beside a diff against the learner's own code."""

from __future__ import annotations

import difflib
import html
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.lesson_html.render import MONO, Colours
from workbench.ui.widgets.code_editor import CodeEditor

SKIP = ("__pycache__",)


def code_files(folder: Path) -> list[Path]:
    """The files of a code folder, relative, sorted (caches left out)."""
    if not folder.is_dir():
        return []
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and not any(part in SKIP for part in p.parts) and p.suffix != ".pyc"
    )


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return []


def diff_html(mine: Path, solution: Path, c: Colours) -> str:
    """A unified diff of every file, your code (−) against the solution (+), coloured."""
    names = sorted(set(code_files(mine)) | set(code_files(solution)))
    added, removed = c.ok_bg, c.error_bg
    parts: list[str] = []
    for name in names:
        lines = list(
            difflib.unified_diff(
                _read(mine / name),
                _read(solution / name),
                f"yours/{name.as_posix()}",
                f"solution/{name.as_posix()}",
            )
        )
        if not lines:
            parts.append(f'<p class="muted">{html.escape(str(name))}: the same as yours.</p>')
            continue
        rows = []
        for line in lines:
            text = html.escape(line.rstrip("\n"))
            if line.startswith(("+++", "---")):
                rows.append(f"<b>{text}</b>")
            elif line.startswith("@@"):
                rows.append(f'<span style="color:{c.muted};">{text}</span>')
            elif line.startswith("+"):
                rows.append(f'<span style="background-color:{added};">{text}</span>')
            elif line.startswith("-"):
                rows.append(f'<span style="background-color:{removed};">{text}</span>')
            else:
                rows.append(text)
        parts.append(f'<pre style="font-family:{MONO};">' + "\n".join(rows) + "</pre>")
    return "".join(parts) or '<p class="muted">No files.</p>'


def language_of(path: Path) -> str:
    """The code editor's language for a file (TOML reads well with the Python lexer)."""
    return "json" if path.suffix == ".json" else "python"


class SolutionDialog(QDialog):
    """Shows a lesson's solution files read-only, and how they differ from the learner's."""

    def __init__(
        self, title: str, solution: Path, mine: Path, c: Colours, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Solution: {title}")
        self.resize(760, 560)
        note = QLabel(
            "The reference solution (read-only). Yours may differ and still pass: "
            "the checks run your code, they don't compare text."
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.tabs = QTabWidget()
        self.tabs.setToolTip("The solution's files, and a comparison with your code")
        for name in code_files(solution):
            editor = CodeEditor(language_of(name))
            editor.setPlainText((solution / name).read_text(encoding="utf-8", errors="replace"))
            editor.setReadOnly(True)
            editor.setToolTip(f"The solution's {name} (read-only)")
            self.tabs.addTab(editor, name.as_posix())
            self.tabs.setTabToolTip(self.tabs.count() - 1, f"The solution's {name}")
        self.diff = QTextBrowser()
        self.diff.setToolTip("Lines marked − are yours, + the solution's")
        self.diff.document().setDefaultStyleSheet(f".muted {{ color: {c.muted}; }}")
        self.diff.setHtml(diff_html(mine, solution, c))
        self.tabs.addTab(self.diff, "Compare with yours")
        self.tabs.setTabToolTip(self.tabs.count() - 1, "Your code (−) against the solution (+)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close the solution")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
