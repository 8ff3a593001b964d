"""Opening a function opens the file its runtime runs, coloured for its language.

The runtime's family says which file that is (workbench/runtimes): lambda_function.py for
Python, index.mjs for the Node.js sample (an ES module, as the Lambda console creates), and a
custom runtime's `bootstrap`, which is the runtime itself (runtimes-custom.html).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from workbench.paths import SAMPLES_DIR


@pytest.mark.parametrize(
    ("sample", "opened", "language", "snippet"),
    [
        ("node-hello", "index.mjs", "javascript", "export const handler"),
        ("shell-custom", "bootstrap", "bash", "set -eu"),
        ("hello", "lambda_function.py", "python", "def lambda_handler"),
    ],
)
def test_opening_a_sample_opens_its_runtime_file(
    window, tmp_path: Path, qtbot, sample: str, opened: str, language: str, snippet: str
) -> None:
    folder = tmp_path / "open" / sample
    shutil.copytree(SAMPLES_DIR / sample, folder)
    assert window.open_function(folder)
    pane = window.editor_pane
    assert pane.path == folder / opened
    assert pane.editor.language == language
    assert snippet in pane.editor.toPlainText()
    # The editor comments a line in the language's own way (Ctrl+/ toggles comments).
    number = next(
        i for i, line in enumerate(pane.editor.toPlainText().splitlines()) if snippet in line
    )
    pane.editor.setFocus()
    cursor = pane.editor.textCursor()
    cursor.setPosition(pane.editor.document().findBlockByNumber(number).position())
    pane.editor.setTextCursor(cursor)
    qtbot.keyClick(pane.editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    line = pane.editor.toPlainText().splitlines()[number]
    prefix = {"javascript": "//", "bash": "#", "python": "#"}[language]
    assert line.startswith(prefix) and snippet in line, line


def test_the_highlighter_colours_javascript_keywords(window, tmp_path: Path) -> None:
    folder = tmp_path / "node"
    shutil.copytree(SAMPLES_DIR / "node-hello", folder)
    window.open_function(folder)
    editor = window.editor_pane.editor
    document = editor.document()
    text = editor.toPlainText()
    line = next(i for i, line in enumerate(text.splitlines()) if line.startswith("export const"))
    block = document.findBlockByNumber(line)
    formats = block.layout().formats()
    bold = [f for f in formats if f.start == 0 and f.format.fontWeight() > 400]
    assert bold, "`export` is not coloured as a keyword"
