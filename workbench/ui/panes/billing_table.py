"""The per-invocation billing table: each REPORT's figures and what it costs, newest first."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from workbench.core.billing import InvocationCharge, format_usd
from workbench.core.events import InvocationCompleted

MAX_ROWS = 10_000  # the table's memory; the totals above it stay complete
COLUMNS = (
    ("Request", "The invocation's request id (hover for all of it)"),
    ("Duration", "Duration: how long the handler ran"),
    ("Billed", "Billed duration: duration (plus init when billed) rounded up to 1 ms"),
    ("Memory", "Configured memory: GB-s are billed ms × memory"),
    ("GB-s", "Compute: billed seconds × memory in GB"),
    ("Cost", "Request price + compute, AWS us-east-1, no free tier"),
    ("Start", "Cold (with its init duration) or warm"),
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROOT = QModelIndex()  # the (invalid) parent of every row of a flat table


@dataclass(frozen=True)
class ChargeRow:
    """One invocation as the table shows it."""

    request_id: str
    function: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    gb_seconds: Decimal
    cost: Decimal
    init_ms: float | None
    init_billed_ms: int
    error: str | None
    invocation_type: str

    @classmethod
    def of(cls, event: InvocationCompleted, charge: InvocationCharge) -> ChargeRow:
        """The row of a completed invocation and the meter's charge for it."""
        report = event.report
        return cls(
            request_id=event.request_id,
            function=event.function,
            duration_ms=report.duration_ms,
            billed_ms=report.billed_duration_ms,
            memory_mb=report.memory_size_mb,
            gb_seconds=charge.gb_seconds,
            cost=charge.total,
            init_ms=report.init_duration_ms,
            init_billed_ms=charge.init_billed_ms,
            error=event.function_error
            or (report.error_type if report.status != "success" else None),
            invocation_type=event.invocation_type,
        )

    def cells(self) -> tuple[str, ...]:
        """The row's texts, column by column."""
        start = "warm"
        if self.init_ms is not None:
            start = f"cold · init {self.init_ms:,.0f} ms"
            if self.init_billed_ms:
                start += " (billed)"
        return (
            self.request_id[:8],
            f"{self.duration_ms:,.2f} ms",
            f"{self.billed_ms:,} ms",
            f"{self.memory_mb:,} MB",
            f"{self.gb_seconds:.6f}",
            f"${self.cost:.10f}",  # fixed decimals: the column lines up
            start,
        )


class ChargesModel(QAbstractTableModel):
    """The most recent invocations' charges, newest in the first row."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: deque[ChargeRow] = deque()

    def add(self, row: ChargeRow) -> None:
        """Put a new invocation at the top, dropping the oldest beyond MAX_ROWS."""
        if len(self.rows) >= MAX_ROWS:
            last = len(self.rows) - 1
            self.beginRemoveRows(QModelIndex(), last, last)
            self.rows.pop()
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.appendleft(row)
        self.endInsertRows()

    def clear(self) -> None:
        """Forget every row."""
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < section < 6:
            return _RIGHT
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells()[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < column < 6:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and row.error:
            return QColor("#d1242f")
        if role == Qt.ItemDataRole.ForegroundRole and column == 6 and row.init_ms is not None:
            return QColor("#bf3989")
        return None

    @staticmethod
    def _tooltip(row: ChargeRow) -> str:
        lines = [
            f"request {row.request_id} ({row.function}, {row.invocation_type})",
            f"{row.billed_ms:,} ms × {row.memory_mb:,} MB = {row.gb_seconds} GB-s",
            f"cost {format_usd(row.cost)}",
        ]
        if row.error:
            lines.append(f"error: {row.error}")
        return "\n".join(lines)
