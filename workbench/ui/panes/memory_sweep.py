"""The memory sweep panel: sizes and runs in, progress and cancel, then the chart and a verdict."""

from __future__ import annotations

import asyncio
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.service import LambdaService
from workbench.memory_sweep import (
    DEFAULT_SIZES,
    DEFAULT_WARM,
    SweepCancelled,
    SweepFailed,
    SweepPoint,
    best,
    parse_sizes,
    run_sweep,
)
from workbench.ui.tasks import spawn
from workbench.ui.widgets.sweep_chart import (
    ChartPoint,
    SweepChart,
    duration_text,
    per_million_text,
)

LOCAL_CPU_NOTE = (
    " Local processes get the whole CPU at every size, so durations barely change;"
    " with Docker, CPU follows memory as on Lambda."
)


class SweepHost(Protocol):
    """What the sweep needs from the window: the function to sweep, and a busy switch."""

    def prepare_sweep(self) -> tuple[LambdaService, str, bytes] | str:
        """(service, function name, event) ready to sweep, or why not."""
        ...

    def set_sweeping(self, running: bool) -> None:
        """Block (or allow again) other invocations and redeploys while the sweep runs."""
        ...


def verdict(points: list[SweepPoint]) -> str:
    """One sentence naming the cheapest and the fastest memory size."""
    cheapest, fastest = best(points)
    if cheapest is None or fastest is None:
        return "Every size had failed invocations: fix the function, then sweep again."
    text = (
        f"Cheapest: {cheapest.memory_mb:,} MB, {per_million_text(float(cheapest.cost))} per"
        f" million invocations ({duration_text(cheapest.duration_ms)} each). "
        f"Fastest: {fastest.memory_mb:,} MB at {duration_text(fastest.duration_ms)}"
        f" ({per_million_text(float(fastest.cost))} per million)."
    )
    if cheapest is fastest:
        text += " One size wins both."
    return text


class MemorySweepPanel(QWidget):
    """Runs the current event at several memory sizes and plots duration and cost."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host: SweepHost | None = None
        self.points: list[SweepPoint] = []
        self.task: asyncio.Task | None = None
        self._cancel = False
        self.sizes = QLineEdit(", ".join(str(size) for size in DEFAULT_SIZES))
        self.sizes.setToolTip("Memory sizes to try, in MB, separated by commas (128 to 10,240)")
        # Show the list from its start whenever the field is not being edited.
        self.sizes.textChanged.connect(
            lambda: self.sizes.hasFocus() or self.sizes.setCursorPosition(0)
        )
        self.sizes.editingFinished.connect(lambda: self.sizes.setCursorPosition(0))
        self.sizes.setCursorPosition(0)
        # Room for the default list where there is room; narrower panes scroll the field.
        width = self.sizes.fontMetrics().horizontalAdvance(self.sizes.text())
        self.sizes.setMinimumWidth(min(width + 18, 140))
        self.warm = QSpinBox()
        self.warm.setRange(1, 50)
        self.warm.setValue(DEFAULT_WARM)
        self.warm.setSuffix(" warm runs")
        self.warm.setToolTip(
            "Warm invocations measured per size, after one cold start that is discarded"
        )
        self.run_button = QPushButton("Run sweep")
        self.run_button.setObjectName("primary")
        self.run_button.setToolTip(
            "Redeploy at each size and invoke the current event (like AWS Lambda Power Tuning)"
        )
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current invocation")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setToolTip("Invocations done of the sweep's total")
        self.progress.setTextVisible(True)
        self.progress.setValue(0)
        self.progress.setFixedWidth(140)
        self.status = QLabel(
            "Runs on a copy of your function. Each size: a deploy, one cold start (discarded), "
            "then warm runs."
        )
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.chart = SweepChart()
        self.summary = QLabel()
        self.summary.setObjectName("figure")
        self.summary.setWordWrap(True)
        self.failures = QLabel()  # the red points explained in words
        self.failures.setObjectName("fieldError")
        self.failures.setWordWrap(True)
        self.failures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.failures.hide()
        controls = QHBoxLayout()
        size_label = QLabel("Sizes:")
        size_label.setToolTip(self.sizes.toolTip())
        controls.addWidget(size_label)
        controls.addWidget(self.sizes, 1)
        controls.addWidget(self.warm)
        controls.addWidget(self.run_button)
        controls.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        progress = QHBoxLayout()
        progress.addWidget(self.progress)
        progress.addWidget(self.status, 1)
        layout.addLayout(controls)
        layout.addLayout(progress)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.failures)

    def set_host(self, host: SweepHost) -> None:
        """Sweep the function this host provides."""
        self.host = host

    @property
    def running(self) -> bool:
        """Whether a sweep is under way."""
        return self.task is not None and not self.task.done()

    def run(self) -> asyncio.Task | None:
        """Start a sweep (returns its task), or say inline why it cannot start."""
        if self.running:
            return self.task
        try:
            sizes = parse_sizes(self.sizes.text())
        except ValueError as exc:
            self._say(f"✗ Sizes: {exc}", error=True)
            return None
        prepared = self.host.prepare_sweep() if self.host else "the engine is not attached"
        if isinstance(prepared, str):
            self._say(f"✗ Cannot sweep: {prepared}", error=True)
            return None
        self._cancel = False
        self._set_running(True)  # at once: no invoke may slip in before the task starts
        self.task = spawn(self._run(*prepared, sizes, self.warm.value()))
        return self.task

    def cancel(self) -> None:
        """Ask the sweep to stop after the current invocation."""
        if self.running:
            self._cancel = True
            self.cancel_button.setEnabled(False)
            self._say("Cancelling after the current invocation…")

    async def _run(
        self, service: LambdaService, name: str, payload: bytes, sizes: list[int], warm: int
    ) -> None:
        try:
            points = await run_sweep(
                service,
                name,
                payload,
                sizes,
                warm,
                progress=self._progress,
                cancelled=lambda: self._cancel,
            )
        except SweepCancelled:
            self._say("Cancelled. Your function's settings were not touched.")
        except SweepFailed as exc:
            self._say(f"✗ Stopped: {exc}. Your function's settings were not touched.", error=True)
        else:
            self.show_points(points)
            done = f"Done: {len(sizes)} sizes × {warm} warm runs, on a copy of your function."
            local = service.backend.name == "process"
            if local:
                done += " Local processes: CPU does not follow memory."
            self._say(done)
            self.status.setToolTip(LOCAL_CPU_NOTE.strip() if local else "")
        finally:
            self._set_running(False)

    def show_points(self, points: list[SweepPoint]) -> None:
        """Plot a sweep's results and name the winners."""
        self.points = list(points)
        cheapest, fastest = best(points)
        self.chart.set_points(
            [
                ChartPoint(p.memory_mb, p.duration_ms, float(p.cost), p.errors, p.failure_text())
                for p in points
            ],
            cheapest.memory_mb if cheapest else None,
            fastest.memory_mb if fastest else None,
        )
        self.summary.setText(verdict(points))
        explained = [f"{p.memory_mb:,} MB: {p.failure_text()}" for p in points if p.failure_text()]
        self.failures.setText(("Red points failed. " + " · ".join(explained)) if explained else "")
        self.failures.setVisible(bool(explained))

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total}")
        self._say(text[:1].upper() + text[1:])

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.sizes.setEnabled(not running)
        self.warm.setEnabled(not running)
        if self.host is not None:
            self.host.set_sweeping(running)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setObjectName("fieldError" if error else "hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
