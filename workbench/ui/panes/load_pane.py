"""The load panel: send invocations at a rate and watch figures, throttles and scale-out live."""

from __future__ import annotations

import asyncio
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.billing import format_usd
from workbench.core.load import MAX_RATE, LoadPlan, LoadRun, LoadSnapshot
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.ui.tasks import spawn

UNCHANGED = -1  # the concurrency boxes' "leave the function's setting as it is"
_FIGURES = {
    "sent": ("Sent", "Invocations sent so far"),
    "done": ("Done", "Invocations answered (successes and function errors)"),
    "p50": ("p50", "Median latency as the client saw it, cold starts included"),
    "p95": ("p95", "95th percentile latency: the slow tail, mostly cold starts"),
    "cold": ("Cold starts", "Of the invocations that ran, the share that started cold"),
    "throttled": ("Throttled", "Invocations refused with 429 TooManyRequestsException"),
    "errors": ("Errors", "Function errors and other failures"),
    "envs": ("Environments", "Environments alive now (created so far)"),
    "cost": ("Cost so far", "What these invocations would cost on AWS (us-east-1)"),
    "elapsed": ("Elapsed", "Seconds since the load started"),
}


class LoadHost(Protocol):
    """What the panel needs from the controller."""

    config: FunctionConfig | None

    def apply_settings(self, config: FunctionConfig) -> bool: ...

    def prepare_sweep(self) -> tuple[LambdaService, str, bytes] | str: ...


def latency_text(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def summary_text(s: LoadSnapshot, stopped: bool = False) -> str:
    """The end-of-run summary, as `lambda-workbench load` prints it."""
    how = "Stopped early" if stopped else "Finished"
    return (
        f"{how}: {s.completed} of {s.sent} completed in {s.elapsed_s:.1f} s "
        f"({s.throughput:.1f}/s) · p50 {latency_text(s.p50_ms)}, p95 {latency_text(s.p95_ms)} · "
        f"{s.throttled} throttled, {s.function_errors} function errors, {s.failed} failed · "
        f"{s.environments_created} environments created, {s.cold_share:.0%} cold starts · "
        f"cost {format_usd(s.cost)}"
    )


class LoadPane(QWidget):
    """Rate, duration and concurrency; Start/Stop; live figures each second; a summary."""

    def __init__(self, host: LoadHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.run: LoadRun | None = None
        self.task: asyncio.Task[LoadSnapshot | None] | None = None
        self.values: dict[str, QLabel] = {}
        self._stopping = False
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.1, MAX_RATE)
        self.rate.setDecimals(1)
        self.rate.setValue(20.0)
        self.rate.setSuffix(" /s")
        self.rate.setToolTip(
            "Invocations started per second (open loop: a slow function piles up concurrency)"
        )
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.5, 3600.0)
        self.duration.setDecimals(1)
        self.duration.setValue(10.0)
        self.duration.setSuffix(" s")
        self.duration.setToolTip("How long to keep sending; answers are awaited afterwards")
        self.concurrency = self._spin(0, 10_000, 0, "no cap", "At most this many in flight")
        self.reserved = self._spin(
            UNCHANGED,
            10_000,
            UNCHANGED,
            "unchanged",
            "Set the function's reserved concurrency "
            "before the run (redeploys; 0 disables the function)",
        )
        self.provisioned = self._spin(
            UNCHANGED,
            10_000,
            UNCHANGED,
            "unchanged",
            "Set the function's provisioned "
            "concurrency before the run (redeploys; environments initialised ahead)",
        )
        self.start_button = QPushButton("Start load")
        self.start_button.setObjectName("primary")
        self.start_button.setToolTip("Send the event in the event editor at this rate")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop sending; invocations already in flight finish")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setToolTip("How much of the planned duration has passed")
        self.summary = QLabel("Invokes the open function with the event in the event editor.")
        self.summary.setObjectName("hint")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setToolTip("The outcome of the last run")
        self._build_layout()

    @staticmethod
    def _spin(low: int, high: int, value: int, special: str, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setValue(value)
        box.setSpecialValueText(special)  # shown for the lowest value
        box.setToolTip(tip)
        return box

    def _build_layout(self) -> None:
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        fields = (
            ("Rate", self.rate),
            ("Duration", self.duration),
            ("Concurrency", self.concurrency),
            ("Reserved", self.reserved),
            ("Provisioned", self.provisioned),
        )
        for index, (name, box) in enumerate(fields):
            label = QLabel(name)
            label.setToolTip(box.toolTip())
            row, column = divmod(index, 3)
            form.addWidget(label, row, column * 2, Qt.AlignmentFlag.AlignRight)
            form.addWidget(box, row, column * 2 + 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addLayout(buttons, 1, 4, 1, 2)
        for column in (1, 3, 5):
            form.setColumnStretch(column, 1)
        figures = QGridLayout()
        figures.setHorizontalSpacing(16)
        figures.setVerticalSpacing(0)
        for index, (key, (title, tip)) in enumerate(_FIGURES.items()):
            name = QLabel(title)
            name.setObjectName("hint")
            name.setToolTip(tip)
            value = QLabel("—")
            value.setObjectName("figure")
            value.setToolTip(tip)
            row, column = divmod(index, 5)
            figures.addWidget(name, row * 3, column)
            figures.addWidget(value, row * 3 + 1, column)
            self.values[key] = value
        figures.setRowMinimumHeight(2, 8)  # a gap between the two rows of figures
        title = QLabel("Load")
        title.setObjectName("paneTitle")
        title.setToolTip("Send invocations at a steady rate and watch Lambda scale")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addLayout(figures)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    # ----- running -----------------------------------------------------------------------
    def plan(self, payload: bytes) -> LoadPlan:
        """The plan the fields describe; ValueError says what is wrong."""
        concurrency = self.concurrency.value() or None
        return LoadPlan(self.duration.value(), self.rate.value(), concurrency, payload)

    def _apply_concurrency(self) -> bool:
        config = self.host.config
        changes = {}
        if self.reserved.value() != UNCHANGED:
            changes["reserved_concurrency"] = self.reserved.value()
        if self.provisioned.value() != UNCHANGED:
            changes["provisioned_concurrency"] = self.provisioned.value()
        if not changes or config is None:
            return True
        wanted = config.with_changes(**changes)
        if wanted == config:
            return True
        return self.host.apply_settings(wanted)

    def run_at(self, per_second: float, seconds: float) -> asyncio.Task[LoadSnapshot | None] | None:
        """Start a run at this rate for this long, as if typed into the fields."""
        self.rate.setValue(per_second)
        self.duration.setValue(seconds)
        return self.start()

    def start(self) -> asyncio.Task[LoadSnapshot | None] | None:
        """Start a run against the open function (after applying concurrency settings)."""
        if self.task is not None:
            return None
        if not self._apply_concurrency():
            self._say("✗ The concurrency settings were refused: see Function settings.", True)
            return None
        ready = self.host.prepare_sweep()
        if isinstance(ready, str):
            self._say(f"✗ Cannot start: {ready}.", True)
            return None
        service, function, payload = ready
        try:
            self.run = LoadRun(service, function, self.plan(payload))
        except ValueError as exc:
            self._say(f"✗ {exc}", True)
            return None
        self._stopping = False
        self.progress.setRange(0, int(self.duration.value() * 10))
        self.progress.setValue(0)
        self._set_running(True)
        self.show_snapshot(self.run.snapshot())
        self._say(f"Sending {self.rate.value():g}/s for {self.duration.value():g} s to {function}…")
        self.task = spawn(self._go(self.run))
        return self.task

    async def _go(self, run: LoadRun) -> LoadSnapshot | None:
        try:
            final = await run.run(on_tick=self.show_snapshot)
        except asyncio.CancelledError:
            self._say("Cancelled.")
            raise
        finally:
            self.task = None
            self._set_running(False)
        self.show_snapshot(final)
        self.progress.setValue(self.progress.maximum())
        self._say(summary_text(final, self._stopping))
        return final

    def stop(self) -> None:
        """Stop sending; what is in flight finishes and the summary follows."""
        if self.run is None or self.task is None:
            return
        self._stopping = True
        self.run.stop()
        self.stop_button.setEnabled(False)
        self._say("Stopping: waiting for the invocations in flight…")

    def cancel(self) -> None:
        """Abandon a run at once (the app is quitting)."""
        if self.task is not None:
            self.task.cancel()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for box in (self.rate, self.duration, self.concurrency, self.reserved, self.provisioned):
            box.setEnabled(not running)

    def show_snapshot(self, s: LoadSnapshot) -> None:
        """Show live figures (called each second by the run)."""
        v = self.values
        v["sent"].setText(f"{s.sent:,}")
        v["done"].setText(f"{s.completed:,}")
        v["p50"].setText(latency_text(s.p50_ms))
        v["p95"].setText(latency_text(s.p95_ms))
        v["cold"].setText(f"{s.cold_share:.0%}" if s.started else "—")
        v["throttled"].setText(f"{s.throttled:,}")
        v["errors"].setText(f"{s.function_errors + s.failed:,}")
        v["envs"].setText(f"{s.environments_now} ({s.environments_created})")
        v["cost"].setText(format_usd(s.cost))
        v["elapsed"].setText(f"{s.elapsed_s:.1f} s")
        self.progress.setValue(min(self.progress.maximum(), int(s.elapsed_s * 10)))

    def _say(self, text: str, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #cf222e;" if error else "")
