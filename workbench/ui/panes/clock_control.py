"""The teaching clock control: how fast idle time passes, and how long idle lasts before reaping."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from workbench.core.clock import SPEED_RANGE
from workbench.core.lifecycle import DEFAULT_IDLE_TIMEOUT_S
from workbench.core.service import LambdaService

PRESETS = (1.0, 10.0, 60.0, 600.0)
SPEEDS = tuple(s for s in PRESETS if SPEED_RANGE[0] <= s <= SPEED_RANGE[1])
IDLE_RANGE_S = (1, 86_400)
SPEED_TIP = (
    "Teaching clock: while every environment is idle, time passes this many times faster, so "
    "idle minutes before reaping (and schedules, and queue visibility timeouts) go by in "
    "seconds. While an invocation runs the clock keeps real time, so durations, timeouts and "
    "billing stay true. The timeline and billing read the same clock. "
    f"Range {SPEED_RANGE[0]:g}× to {SPEED_RANGE[1]:,.0f}×."
)
IDLE_TIP = (
    "Reap environments idle this long (engine time). AWS does not publish its value; "
    f"the default is {DEFAULT_IDLE_TIMEOUT_S:.0f} s. E.g. 60 s at 60× is about 1 s of real idle."
)


def speed_text(speed: float) -> str:
    """1×, 60×, 0.5×."""
    return f"{speed:g}×"


def real_seconds_text(idle_s: float, speed: float) -> str:
    """How long an idle period takes in real time at this speed: ≈ 1 s real, ≈ 10 min real."""
    real = idle_s / speed
    if real < 90:
        return f"≈ {real:.3g} s real"
    if real < 5400:
        return f"≈ {real / 60:.3g} min real"
    return f"≈ {real / 3600:.3g} h real"


class ClockControl(QWidget):
    """A speed chooser and an idle-timeout field, for the status bar."""

    sig_message = Signal(str)
    """A short status-bar message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service: LambdaService | None = None
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(speed_text(speed), speed)
        self.speed.setToolTip(SPEED_TIP)
        self.speed.currentIndexChanged.connect(self._speed_chosen)
        self.idle = QSpinBox()
        self.idle.setRange(*IDLE_RANGE_S)
        self.idle.setValue(int(DEFAULT_IDLE_TIMEOUT_S))
        self.idle.setSuffix(" s idle")
        self.idle.setToolTip(IDLE_TIP)
        self.idle.setKeyboardTracking(False)  # apply once typing is done, not per digit
        self.idle.valueChanged.connect(self._idle_chosen)
        self.real = QLabel()
        self.real.setObjectName("hint")
        self.real.setToolTip("How long that idle period takes in real time at this speed")
        clock = QLabel("Clock")
        clock.setToolTip(SPEED_TIP)
        reap = QLabel("Reap after")
        reap.setToolTip(IDLE_TIP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for widget in (clock, self.speed, reap, self.idle, self.real):
            layout.addWidget(widget)
        self.setEnabled(False)
        self.setToolTip("Start the engine to use the teaching clock")
        self._update_real()

    def attach(self, service: LambdaService) -> None:
        """Control this service's clock and reaping from now on."""
        self.service = service
        adjustable = callable(getattr(service.clock, "set_speed", None))
        self.setEnabled(adjustable)
        self.setToolTip("" if adjustable else "This engine's clock cannot change speed")
        self.idle.blockSignals(True)
        self.idle.setValue(round(service.idle_timeout_s))
        self.idle.blockSignals(False)
        if adjustable:
            self.set_speed(float(service.clock.speed))  # type: ignore[attr-defined]
        self._update_real()

    def current_speed(self) -> float:
        return float(self.speed.currentData())

    def set_speed(self, speed: float) -> None:
        """Choose a speed (added to the list if it is not a preset)."""
        index = self.speed.findData(speed)
        if index < 0:
            self.speed.addItem(speed_text(speed), speed)
            index = self.speed.count() - 1
        self.speed.setCurrentIndex(index)

    def _speed_chosen(self, _index: int) -> None:
        speed = self.current_speed()
        if self.service is not None and callable(getattr(self.service.clock, "set_speed", None)):
            self.service.clock.set_speed(speed)  # type: ignore[attr-defined]
            if speed != 1:
                self.sig_message.emit(
                    f"Idle time now passes {speed_text(speed)} faster; invocations keep real time."
                )
        self._update_real()

    def _idle_chosen(self, seconds: int) -> None:
        if self.service is not None:
            self.service.idle_timeout_s = float(seconds)
        self._update_real()

    def _update_real(self) -> None:
        self.real.setText(real_seconds_text(self.idle.value(), self.current_speed()))
