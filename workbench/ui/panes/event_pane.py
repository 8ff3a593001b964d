"""The event pane: the test event as JSON with live validation, and the Invoke controls."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.widgets.code_editor import CodeEditor

DEFAULT_EVENT = '{\n    "name": "Lambda learner"\n}'
MAX_TIMES = 1000


def json_problem(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first JSON error in text, or None when it is valid.

    Blank text is valid: the service sends it as {} as AWS does.
    """
    if not text.strip():
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno, exc.msg
    return None


class EventPane(QWidget):
    """Edits the event and asks for invocations; Invoke is disabled while the JSON is invalid."""

    sig_invoke = Signal(bytes, int, bool)
    """(payload, times, at_once): the learner asked to invoke."""

    sig_can_invoke = Signal(bool)
    """Whether Invoke is possible now (engine ready, JSON valid, nothing running)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self._busy = False
        self._valid = True
        self.samples = QComboBox()
        self.samples.setToolTip("Load a sample event from the catalogue into the editor")
        self.samples.setMinimumContentsLength(10)
        self.samples.activated.connect(self._load_sample)
        self._sample_bodies: dict[str, Any] = {}
        format_button = QPushButton("Format")
        format_button.setToolTip("Pretty-print the event JSON")
        format_button.clicked.connect(self.format_json)
        self.editor = CodeEditor("json")
        self.editor.setToolTip("The event your handler receives, as JSON")
        self.editor.setPlainText(DEFAULT_EVENT)
        self.status = QLabel()
        self.status.setObjectName("validation")
        self.status.setWordWrap(True)
        self.invoke_button = QPushButton("Invoke")
        self.invoke_button.setObjectName("primary")
        self.invoke_button.setToolTip("Save the code and invoke the function (Ctrl+Enter)")
        self.invoke_button.clicked.connect(self.request_invoke)
        self.times = QSpinBox()
        self.times.setRange(1, MAX_TIMES)
        self.times.setSuffix(" ×")
        self.times.setToolTip("How many invocations one click fires")
        self.mode = QComboBox()
        self.mode.addItems(["in a row", "at once"])
        self.mode.setToolTip(
            "In a row: one after another (warm starts).\n"
            "At once: concurrently (each needs its own environment: cold starts)."
        )
        header = QHBoxLayout()
        title = QLabel("Event")
        title.setObjectName("paneTitle")
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(QLabel("Sample:"))
        header.addWidget(self.samples)
        header.addWidget(format_button)
        controls = QHBoxLayout()
        controls.addWidget(self.status, 1)
        controls.addWidget(self.times)
        controls.addWidget(self.mode)
        controls.addWidget(self.invoke_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addLayout(controls)
        self.editor.textChanged.connect(self.validate)
        self.validate()

    def set_samples(self, samples: dict[str, Any]) -> None:
        """Offer these sample events (key → JSON body) in the sample chooser."""
        self._sample_bodies = dict(samples)
        self.samples.clear()
        self.samples.addItem("Choose…")
        self.samples.addItems(sorted(samples))

    def set_ready(self, ready: bool) -> None:
        """Whether the engine can take invocations yet."""
        self._ready = ready
        self._update_button()

    def set_busy(self, busy: bool) -> None:
        """Whether invocations from this pane are still running."""
        self._busy = busy
        self.invoke_button.setText("Invoking…" if busy else "Invoke")
        self._update_button()

    @property
    def payload(self) -> bytes:
        """The event as the bytes the service receives."""
        return self.editor.toPlainText().encode("utf-8")

    def validate(self) -> bool:
        """Check the JSON, show the result, and enable Invoke only when it is valid."""
        problem = json_problem(self.editor.toPlainText())
        self._valid = problem is None
        if problem is None:
            self.status.setText("✓ Valid JSON")
            self.status.setProperty("state", "ok")
            self.editor.clear_error_mark()
        else:
            line, column, message = problem
            self.status.setText(f"Line {line}, column {column}: {message}")
            self.status.setProperty("state", "error")
            # No reveal: the cursor must stay where the learner is typing.
            self.editor.mark_error_line(line, reveal=False)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self._update_button()
        return self._valid

    def format_json(self) -> None:
        """Pretty-print the event when it is valid JSON."""
        text = self.editor.toPlainText()
        if text.strip() and json_problem(text) is None:
            self.editor.setPlainText(json.dumps(json.loads(text), indent=4) + "\n")

    def request_invoke(self) -> None:
        """Emit sig_invoke when Invoke is possible (the button and Ctrl+Enter call this)."""
        if self.invoke_button.isEnabled():
            at_once = self.mode.currentIndex() == 1
            self.sig_invoke.emit(self.payload, self.times.value(), at_once)

    def _load_sample(self, index: int) -> None:
        key = self.samples.itemText(index)
        if key in self._sample_bodies:
            self.editor.setPlainText(json.dumps(self._sample_bodies[key], indent=4) + "\n")

    def _update_button(self) -> None:
        can = self._ready and self._valid and not self._busy
        self.invoke_button.setEnabled(can)
        self.sig_can_invoke.emit(can)
        if not self._ready:
            self.invoke_button.setToolTip("Waiting for the engine to start…")
        elif not self._valid:
            self.invoke_button.setToolTip("Fix the event JSON first")
        else:
            self.invoke_button.setToolTip("Save the code and invoke the function (Ctrl+Enter)")
