"""The result pane: the last response (or error with its stack trace) above the log stream."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import InvokeError
from workbench.core.events import Event, InvocationCompleted, InvocationStarted, LogLine
from workbench.core.failed_invocations import STOPPED_ERROR_TYPE
from workbench.core.outcomes import Served
from workbench.memory_sweep import is_sweep_function
from workbench.ui.widgets.log_view import StackTextView

MAX_LOG_LINES = 20_000  # the view and the filter's memory; older lines scroll away


def describe_success(result: Served) -> str:
    """A one-line summary of an invocation's REPORT figures."""
    report = result.report
    parts = [f"{report.duration_ms:.2f} ms", f"billed {report.billed_duration_ms} ms"]
    if result.cold:
        init = report.init_duration_ms
        parts.append(f"cold start (init {init:.0f} ms)" if init is not None else "cold start")
    else:
        parts.append("warm start")
    parts.append(f"{report.max_memory_used_mb} of {report.memory_size_mb} MB used")
    return " · ".join(parts)


def render_payload(payload: bytes) -> tuple[str, dict | None]:
    """The payload pretty-printed, and the parsed error object when it is one."""
    text = payload.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        return text, None
    error = body if isinstance(body, dict) and "errorType" in body else None
    return json.dumps(body, indent=2, ensure_ascii=False), error


def render_error(error: dict) -> str:
    """An AWS error object as the learner reads it: type, message, then the stack."""
    lines = [f"{error.get('errorType')}: {error.get('errorMessage', '')}"]
    stack = error.get("stackTrace") or []
    if stack:
        lines += ["", "Traceback (most recent call last):"]
        lines += [str(frame).rstrip("\n") for frame in stack]
    return "\n".join(lines)


TIMEOUT_ERROR_TYPE = "Sandbox.Timedout"
WHAT_TO_TRY = {
    TIMEOUT_ERROR_TYPE: (
        "The handler ran longer than the function's timeout, so Lambda stopped it and reset "
        "the environment (the next invocation starts cold).\n"
        "What to try: raise Timeout in Function settings if the work really takes this long, "
        "or find the slow call — a sleep, a loop, or a network call with no timeout of its own."
    ),
    STOPPED_ERROR_TYPE: (
        "You pressed Stop: the invocation was ended the way a timeout ends one, and the "
        "environment was reset (the next invocation starts cold). Lambda itself has no Stop."
    ),
}


def what_to_try(error_type: str | None) -> str:
    """Advice for an error the learner can act on, "" for others."""
    return WHAT_TO_TRY.get(error_type or "", "")


def _display(text: str) -> str:
    """A log line as shown: REPORT's tab separators become a fixed gap (tab stops jitter)."""
    return text.replace("\t", "   ").rstrip()


class ResultPane(QWidget):
    """Shows responses and errors, and the filterable CloudWatch-style log stream."""

    sig_source_line = Signal(str, int)
    """(path, line): the learner clicked a traceback line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: deque[LogLine] = deque(maxlen=MAX_LOG_LINES)
        self._function: str | None = None  # the open function: Stop ends only its invocations
        self._running: list[str] = []  # its synchronous invocations under way (request ids)
        self._stop: Callable[[str], bool] | None = None
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip(
            "End the running invocation the way a timeout does: the environment is reset "
            "and the next invocation starts cold"
        )
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_running)
        self._selected: str | None = None  # the request id the timeline put in the filter
        self.status = QLabel("No invocation yet: edit the event and press Invoke.")
        self.status.setObjectName("resultStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.response = StackTextView()
        self.response.setToolTip("The last response, or the error and its stack trace")
        self.logs = StackTextView()
        self.logs.setMaximumBlockCount(MAX_LOG_LINES)
        self.logs.setToolTip("The log stream, as CloudWatch Logs shows it")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by request id…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only the log lines of request ids containing this text")
        self.filter.textChanged.connect(self._refilter)
        clear = QPushButton("Clear")
        clear.setToolTip("Clear the log view")
        clear.clicked.connect(self.clear_logs)
        for view in (self.response, self.logs):
            view.sig_source_line.connect(self.sig_source_line)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        response_header = QHBoxLayout()
        response_header.addWidget(self._title("Response"))
        response_header.addStretch(1)
        response_header.addWidget(self.stop_button)
        splitter.addWidget(self._section(response_header, self.status, self.response))
        logs_header = QHBoxLayout()
        logs_header.addWidget(self._title("Logs"))
        logs_header.addStretch(1)
        logs_header.addWidget(self.filter, 2)
        logs_header.addWidget(clear)
        splitter.addWidget(self._section(logs_header, self.logs))
        splitter.setSizes([260, 260])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # ----- stopping ----------------------------------------------------------------------
    def attach_service(self, service) -> None:
        """Stop asks this service (a LambdaService) to end invocations."""
        self._stop = service.stop_invocation

    def set_config(self, config) -> None:
        """The open function (a FunctionConfig): Stop ends its invocations only."""
        if config.name != self._function:
            self._function = config.name
            self._running.clear()
            self._sync_stop()

    def on_event(self, event: Event) -> None:
        """Follow the open function's synchronous invocations (Stop is enabled while one runs)."""
        if event.function != self._function:
            return
        if isinstance(event, InvocationStarted) and event.invocation_type == "RequestResponse":
            self._running.append(event.request_id)
        elif isinstance(event, InvocationCompleted) and event.request_id in self._running:
            self._running.remove(event.request_id)
        else:
            return
        self._sync_stop()

    def stop_running(self) -> None:
        """End every running invocation of the open function."""
        if self._stop is None:
            return
        stopped = [rid for rid in list(self._running) if self._stop(rid)]
        if stopped:
            self._set_status("Stopping…", "busy")
        # Ids the service no longer runs (an environment that failed mid-invocation sends no
        # InvocationCompleted) are forgotten, so Stop never stays enabled for nothing.
        self._running = [rid for rid in self._running if rid in stopped]
        self.stop_button.setEnabled(False)

    def _sync_stop(self) -> None:
        self.stop_button.setEnabled(bool(self._running) and self._stop is not None)

    # ----- results ---------------------------------------------------------------------
    def show_running(self, count: int) -> None:
        """Say that invocations are under way."""
        what = "Invoking…" if count == 1 else f"Invoking {count} times…"
        self._set_status(what, "busy")

    def show_result(self, result: Served, note: str = "") -> None:
        """Show one invocation's response or function error."""
        text, error = render_payload(result.payload)
        suffix = f"  ({note})" if note else ""
        if result.function_error or error is not None:
            kind = error.get("errorType", "Error") if error else "Error"
            self._set_status(
                f"✗ {result.function_error or 'Error'}: {kind} · {describe_success(result)}"
                + suffix,
                "error",
            )
            advice = what_to_try(kind)
            shown = render_error(error) if error else text
            self.response.show_text(f"{advice}\n\n{shown}" if advice else shown)
        else:
            self._set_status(f"✓ Succeeded · {describe_success(result)}{suffix}", "ok")
            self.response.show_text(text, as_json=True)

    def show_invoke_error(self, exc: InvokeError) -> None:
        """Show an error of the service (not of the function)."""
        self._set_status(f"✗ {exc.error_type} (HTTP {exc.status})", "error")
        self.response.show_text(exc.message)

    def show_message(self, title: str, detail: str, state: str = "error") -> None:
        """Show any other problem (a save that failed, the engine not ready…)."""
        self._set_status(title, state)
        self.response.show_text(detail)

    def _set_status(self, text: str, state: str) -> None:
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    # ----- logs ------------------------------------------------------------------------
    def add_logs(self, lines: Iterable[LogLine]) -> None:
        """Append a batch of log lines (one view update per batch)."""
        # A memory sweep's copy is not the learner's function: its lines stay out of view.
        lines = [line for line in lines if not is_sweep_function(line.function)]
        self._lines.extend(lines)
        wanted = self.filter.text().strip()
        shown = [_display(line.text) for line in lines if self._matches(line, wanted)]
        if not shown:
            return
        bar = self.logs.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        self.logs.appendPlainText("\n".join(shown))
        if follow:
            bar.setValue(bar.maximum())

    def select_request(self, request_id: str) -> None:
        """Show only one request's log lines ("" undoes a selection made this way)."""
        if request_id:
            self._selected = request_id
            self.filter.setText(request_id)
        elif self._selected is not None and self.filter.text() == self._selected:
            self._selected = None
            self.filter.clear()

    def log_text(self) -> str:
        """What the log view shows now."""
        return self.logs.toPlainText()

    def clear_logs(self) -> None:
        """Empty the log view and its memory."""
        self._lines.clear()
        self.logs.clear()

    @staticmethod
    def _matches(line: LogLine, wanted: str) -> bool:
        return not wanted or wanted in (line.request_id or "")

    def _refilter(self, text: str) -> None:
        wanted = text.strip()
        kept = [_display(x.text) for x in self._lines if self._matches(x, wanted)]
        self.logs.setPlainText("\n".join(kept))
        if wanted and wanted == self._selected:
            self.logs.verticalScrollBar().setValue(0)  # one request: read it from its START
        else:
            self.logs.verticalScrollBar().setValue(self.logs.verticalScrollBar().maximum())

    @staticmethod
    def _title(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("paneTitle")
        return label

    def _section(self, header: str | QHBoxLayout, *widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 6, 8, 6)
        if isinstance(header, str):
            layout.addWidget(self._title(header))
        else:
            layout.addLayout(header)
        for widget in widgets:
            layout.addWidget(widget, 1 if isinstance(widget, StackTextView) else 0)
        return box
