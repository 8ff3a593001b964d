"""The event pane: the test event as JSON with live validation, and the Invoke controls."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.catalogue import CatalogueError, describe, sample_name
from workbench.ui.panes.saved_events_bar import SavedEventsBar
from workbench.ui.widgets.code_editor import CodeEditor
from workbench.workspace.saved_events import SavedEvents

DEFAULT_EVENT = '{\n    "name": "Lambda learner"\n}'
MAX_TIMES = 1000
TIP_ROLE = Qt.ItemDataRole.ToolTipRole
MODE_TIP = (
    "In a row: one after another (warm starts).\n"
    "At once: concurrently (each needs its own environment: cold starts)."
)


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

    sig_invoke = Signal(bytes, int, bool, bool)
    """(payload, times, at_once, asynchronous): the learner asked to invoke."""

    sig_can_invoke = Signal(bool)
    """Whether Invoke is possible now (engine ready, JSON valid, nothing running)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self._busy = False
        self._valid = True
        self.samples = QComboBox()
        self.samples.setToolTip("Load a sample event from the catalogue into the editor")
        self.samples.setMinimumContentsLength(8)
        self.samples.activated.connect(self._load_sample)
        self._sample_bodies: dict[str, Any] = {}
        format_button = QPushButton("Format")
        format_button.setToolTip("Pretty-print the event JSON (Ctrl+Shift+F)")
        format_button.clicked.connect(self.format_json)
        self.saved = SavedEventsBar()
        self.saved.sig_load.connect(self._load_text)
        self.saved.sig_message.connect(self._saved_message)
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
        self.mode.setToolTip(MODE_TIP)
        self.invocation_type = QComboBox()
        self.invocation_type.addItems(["sync", "async"])
        self.invocation_type.setItemData(0, "RequestResponse: wait for the response", TIP_ROLE)
        self.invocation_type.setItemData(1, "Event: queue it and return at once", TIP_ROLE)
        self.invocation_type.setToolTip(
            "sync (RequestResponse): wait for each response.\n"
            "async (Event): Lambda queues the event, answers 202 at once, runs it later and "
            "retries failures twice."
        )
        self.invocation_type.currentIndexChanged.connect(self._type_changed)
        header = QHBoxLayout()
        title = QLabel("Event")
        title.setObjectName("paneTitle")
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.saved, 1)
        header.addSpacing(8)
        sample_label = QLabel("Sample:")
        sample_label.setToolTip("Sample events from the catalogue (S3, API Gateway, SQS…)")
        header.addWidget(sample_label)
        header.addWidget(self.samples)
        header.addWidget(format_button)
        controls = QHBoxLayout()
        controls.addWidget(self.status, 1)
        controls.addWidget(self.times)
        controls.addWidget(self.mode)
        controls.addWidget(self.invocation_type)
        controls.addWidget(self.invoke_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addLayout(controls)
        self.editor.textChanged.connect(self.validate)
        self.validate()

    def set_saved_events(self, store: SavedEvents) -> None:
        """Keep named test events in this store."""
        self.saved.attach(store, self.editor.toPlainText)

    def set_function(self, name: str) -> None:
        """Show the saved test events of the open function."""
        self.saved.set_function(name)

    @property
    def asynchronous(self) -> bool:
        """Whether Invoke queues events (Event) instead of waiting (RequestResponse)."""
        return self.invocation_type.currentIndex() == 1

    def set_samples(self, samples: dict[str, Any]) -> None:
        """Offer these sample events (key → JSON body) by their human names, in the given
        order; the key (what `events show` and lessons call it) is the item's detail."""
        self._sample_bodies = dict(samples)
        self.samples.clear()
        self.samples.addItem("Choose…")
        for key in samples:
            name, detail = key, ""
            with contextlib.suppress(CatalogueError):
                name, detail = sample_name(key), describe(key)["description"]
            self.samples.addItem(name, key)
            tip = f"{name} — sample {key}" + (f"\n{detail}" if detail else "")
            self.samples.setItemData(self.samples.count() - 1, tip, TIP_ROLE)

    def set_ready(self, ready: bool) -> None:
        """Whether the engine can take invocations yet."""
        self._ready = ready
        self._update_button()

    def set_busy(self, busy: bool, label: str = "Invoking…") -> None:
        """Whether invocations (or a sweep) are running; label shows on the button meanwhile."""
        self._busy = busy
        self.invoke_button.setText(label if busy else "Invoke")
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
            self.sig_invoke.emit(self.payload, self.times.value(), at_once, self.asynchronous)

    def _load_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def _saved_message(self, text: str, is_error: bool) -> None:
        self.status.setText(("✗ " if is_error else "✓ ") + text)
        self.status.setProperty("state", "error" if is_error else "ok")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _type_changed(self, index: int) -> None:
        # Queued events run as Lambda's queue decides: "in a row" cannot be promised.
        self.mode.setEnabled(index == 0)
        self.mode.setToolTip(
            MODE_TIP if index == 0 else "Asynchronous events all enter the queue at once"
        )

    def _load_sample(self, index: int) -> None:
        key = self.samples.itemData(index)
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
