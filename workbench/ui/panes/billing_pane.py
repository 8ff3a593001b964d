"""The billing pane: running totals, each invocation's charge, a monthly projection, a sweep."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.billing import charge_for, format_usd
from workbench.core.billing_meter import BillingMeter
from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentReaped,
    Event,
    InvocationCompleted,
)
from workbench.core.model import FunctionConfig
from workbench.ui.panes.billing_table import ChargeRow, ChargesModel
from workbench.ui.panes.memory_sweep import MemorySweepPanel
from workbench.ui.panes.monthly_calculator import MonthlyCalculator

_FIGURES = {
    "requests": ("Requests", "Invocations billed so far"),
    "billed": ("Billed", "Billed milliseconds so far, init included when it is billed"),
    "init": ("of which init", "Billed milliseconds that paid for cold-start init"),
    "gbs": ("Compute", "GB-seconds: billed seconds × memory in GB"),
    "cost": ("Cost", "What AWS would charge in us-east-1, without the free tier"),
    "capacity": (
        "Provisioned capacity",
        "Provisioned concurrency's capacity charge: memory × time for as long as environments "
        "are provisioned, whether they serve or not, in 5-minute steps ($0.0000041667 per "
        "GB-s); not included in Cost above",
    ),
}
CAPACITY_REFRESH_MS = 1000  # the capacity charge grows with time, not only with events


def gb_s_text(value: Decimal) -> str:
    """GB-seconds to a readable precision."""
    return f"{value:.6f} GB-s" if value < 1 else f"{value:,.3f} GB-s"


class BillingPane(QWidget):
    """Shows what the session's invocations would cost on AWS, and what a month would."""

    sig_request_selected = Signal(str)
    """The learner clicked an invocation's row: show it in the logs and on the timeline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._meter: BillingMeter | None = None
        self._config: FunctionConfig | None = None
        self.now: Callable[[], float] = time.time  # the service clock's now, when it differs
        self._capacity_timer = QTimer(self)
        self._capacity_timer.setInterval(CAPACITY_REFRESH_MS)
        self._capacity_timer.timeout.connect(self.refresh)
        self.values: dict[str, QLabel] = {}
        self.titles: dict[str, QLabel] = {}
        self.charges = ChargesModel(self)
        self.table = QTableView()
        self.table.setModel(self.charges)
        self.table.setToolTip("Every invocation's REPORT figures and cost, newest first")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.clicked.connect(self._row_clicked)
        self.calculator = MonthlyCalculator()
        self.calculator.use_session.clicked.connect(self.use_session_figures)
        self.sweep = MemorySweepPanel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.table, "Invocations")
        self.tabs.addTab(self.calculator, "Monthly estimate")
        self.tabs.addTab(self.sweep, "Memory sweep")
        self.tabs.setTabToolTip(0, "Each invocation's billed duration and cost")
        self.tabs.setTabToolTip(
            1, "Project a month's bill (the same maths as lambda-workbench cost)"
        )
        self.tabs.setTabToolTip(2, "Run the event at several memory sizes: duration and cost")
        note = QLabel("Prices: AWS us-east-1, tier 1, free tier not applied.")
        note.setObjectName("hint")
        note.setToolTip("Per-invocation prices; the monthly estimate applies tiers and free tier")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(self._totals())
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)
        for label in (self.titles["capacity"], self.values["capacity"]):
            label.hide()  # shown once provisioned concurrency is billed

    def _totals(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(0)
        for column, (key, (title, tip)) in enumerate(_FIGURES.items()):
            name = QLabel(title)
            name.setObjectName("hint")
            name.setToolTip(tip)
            value = QLabel("—")
            value.setObjectName("figure")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setToolTip(tip)
            grid.addWidget(name, 0, column)
            grid.addWidget(value, 1, column)
            self.values[key] = value
            self.titles[key] = name
        grid.setColumnStretch(len(_FIGURES), 1)
        return grid

    def _row_clicked(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.charges.rows):
            self.sig_request_selected.emit(self.charges.rows[index.row()].request_id)

    def set_meter(self, meter: BillingMeter) -> None:
        """Show this meter's figures from now on."""
        self._meter = meter
        self.refresh()

    def set_config(self, config: FunctionConfig) -> None:
        """The open function's settings: the calculator starts from them."""
        self._config = config
        self.calculator.fill(
            memory_mb=config.memory_mb,
            architecture=config.architecture,
            storage_mb=config.ephemeral_storage_mb,
        )

    def on_event(self, event: Event) -> None:
        """Add a row and refresh after each completed invocation (connected to the bridge)."""
        if isinstance(event, EnvironmentCreated | EnvironmentReaped):
            self.refresh()  # provisioned capacity starts or stops
            return
        if not isinstance(event, InvocationCompleted) or event.invocation_type == "DryRun":
            return
        charges = self._meter.charges[-1:] if self._meter else []
        # The meter observes the bus before the bridge, so its last charge is this one.
        if charges and charges[0].request_id == event.request_id:
            charge = charges[0]
        else:
            charge = charge_for(
                event.report,
                architecture=event.architecture,
                ephemeral_storage_mb=event.ephemeral_storage_mb,
            )
        self.charges.add(ChargeRow.of(event, charge))
        self.refresh()

    def refresh(self) -> None:
        """Read the meter's totals into the labels."""
        if self._meter is None:
            return
        totals = self._meter.totals
        self.values["requests"].setText(f"{totals.requests:,}")
        self.values["billed"].setText(f"{totals.billed_ms:,} ms")
        self.values["init"].setText(f"{totals.init_billed_ms:,} ms")
        self.values["gbs"].setText(gb_s_text(totals.gb_seconds))
        self.values["cost"].setText(format_usd(totals.cost))
        capacity = self._meter.capacity
        shown = capacity.has_capacity()
        for label in (self.titles["capacity"], self.values["capacity"]):
            label.setVisible(shown)
        if shown:
            now = self.now()
            seconds = capacity.billed_seconds(now)
            self.values["capacity"].setText(
                f"{format_usd(self._meter.capacity_cost(now))} ({seconds / 3600:,.2f} env-h)"
            )
        if capacity.active() and not self._capacity_timer.isActive():
            self._capacity_timer.start()
        elif not capacity.active():
            self._capacity_timer.stop()

    def use_session_figures(self) -> bool:
        """Fill the calculator from this session's invocations at the configured memory.

        Other sizes (a memory sweep's) are left out: their durations are not this config's.
        """
        rows = list(self.charges.rows)
        memory = self._config.memory_mb if self._config else (rows[0].memory_mb if rows else 0)
        rows = [row for row in rows if row.memory_mb == memory]
        if not rows:
            self.calculator.problem.setText(
                f"No invocations at {memory:,} MB yet: invoke the function first."
            )
            self.calculator.problem.show()
            return False
        cold = [row for row in rows if row.init_ms is not None]
        self.calculator.fill(
            duration_ms=round(statistics.fmean(row.duration_ms for row in rows), 2),
            memory_mb=memory,
            cold_share=len(cold) / len(rows),
            init_ms=round(statistics.fmean(row.init_ms or 0 for row in cold), 1) if cold else 0,
        )
        return True
