"""The billing summary: running totals from the core's BillingMeter, read-only."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from workbench.core.billing import BillingMeter, format_usd
from workbench.core.events import Event, InvocationCompleted

_ROWS = {
    "requests": ("Requests", "Invocations billed so far"),
    "billed": ("Billed duration", "Billed milliseconds so far, init included when it is billed"),
    "init": ("of which init", "Billed milliseconds that paid for cold-start init"),
    "gbs": ("Compute", "GB-seconds: billed seconds × memory in GB"),
    "cost": ("Cost", "What AWS would charge in us-east-1, without the free tier"),
    "last": ("Last invocation", "The most recent invocation's charge"),
}


def gb_s_text(value: Decimal) -> str:
    """GB-seconds to a readable precision."""
    return f"{value:.6f} GB-s" if value < 1 else f"{value:,.3f} GB-s"


class BillingPane(QWidget):
    """Shows what the session's invocations would cost on AWS."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._meter: BillingMeter | None = None
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for key, (title, tip) in _ROWS.items():
            value = QLabel("—")
            value.setObjectName("figure")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setToolTip(tip)
            name = QLabel(title)
            name.setToolTip(tip)
            form.addRow(name, value)
            self.values[key] = value
        note = QLabel("Prices: AWS us-east-1, x86_64 tier 1, free tier not applied.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(note)

    def set_meter(self, meter: BillingMeter) -> None:
        """Show this meter's figures from now on."""
        self._meter = meter
        self.refresh()

    def on_event(self, event: Event) -> None:
        """Refresh after each completed invocation (connected to the bridge)."""
        if isinstance(event, InvocationCompleted):
            self.refresh()

    def refresh(self) -> None:
        """Read the meter's totals into the labels."""
        meter = self._meter
        if meter is None:
            return
        totals = meter.totals
        self.values["requests"].setText(f"{totals.requests:,}")
        self.values["billed"].setText(f"{totals.billed_ms:,} ms")
        self.values["init"].setText(f"{totals.init_billed_ms:,} ms")
        self.values["gbs"].setText(gb_s_text(totals.gb_seconds))
        self.values["cost"].setText(format_usd(totals.cost))
        charges = meter.charges
        if charges:
            last = charges[-1]
            self.values["last"].setText(
                f"{last.billed_ms:,} ms × {last.memory_mb} MB = {format_usd(last.total)}"
            )
