"""The environment variables table: add and remove rows, the 4 KB total live, bad names refused."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.model import ENV_TOTAL_LIMIT_BYTES, ConfigError, validate_environment

ERROR_FILL = ("#ffebe9", "#5c2323")  # (light, dark) background of a refused name


def env_size(variables: dict[str, str]) -> int:
    """Bytes the variables take against Lambda's 4 KB limit: every key and value, UTF-8."""
    return sum(len(key.encode()) + len(value.encode()) for key, value in variables.items())


def row_problem(key: str, value: str, seen: set[str]) -> str | None:
    """Why one row cannot be deployed (the engine's own rules), or None."""
    if not key:
        return "a variable needs a name"
    if key in seen:
        return f"{key} is set twice"
    try:
        validate_environment({key: value})
    except ConfigError as exc:
        return str(exc).removeprefix("environment: ")
    return None


class EnvVarsEditor(QWidget):
    """Edits a function's environment variables; refuses reserved and malformed names inline."""

    sig_changed = Signal()
    """A name or value changed, or a row was added or removed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.setToolTip("Environment variables your code reads with os.environ")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(96)
        self.table.itemChanged.connect(self._changed)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add a variable")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected variables")
        self.remove_button.clicked.connect(self.remove_selected)
        self.size_label = QLabel()
        self.size_label.setObjectName("hint")
        self.size_label.setToolTip("Lambda allows 4 KB of keys and values in total")
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.size_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        self._refresh()

    def set_variables(self, variables: dict[str, str]) -> None:
        """Show these variables, one row each."""
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for key, value in variables.items():
            self._append(key, value)
        self.table.blockSignals(False)
        self._refresh()

    def rows(self) -> list[tuple[str, str]]:
        """Every row as (key, value), blank rows left out."""
        found = []
        for row in range(self.table.rowCount()):
            key, value = self._text(row, 0).strip(), self._text(row, 1)
            if key or value:
                found.append((key, value))
        return found

    def variables(self) -> dict[str, str]:
        """The variables as a dict (the last of a duplicated key wins)."""
        return dict(self.rows())

    def problems(self) -> list[str]:
        """Why the rows cannot be deployed, one message per bad row, plus the 4 KB total."""
        seen: set[str] = set()
        found = []
        for key, value in self.rows():
            problem = row_problem(key, value, seen)
            if problem:
                found.append(problem)
            seen.add(key)
        size = env_size(self.variables())
        if size > ENV_TOTAL_LIMIT_BYTES:
            found.append(f"{size:,} bytes is over Lambda's 4 KB ({ENV_TOTAL_LIMIT_BYTES:,} B)")
        return found

    def add_row(self, key: str = "", value: str = "") -> None:
        """Append a row and start editing its key."""
        self.table.blockSignals(True)
        self._append(key, value)
        self.table.blockSignals(False)
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        if not key:
            self.table.editItem(self.table.item(row, 0))
        self._changed()

    def remove_selected(self) -> None:
        """Remove the selected rows."""
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._changed()

    def _append(self, key: str, value: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _changed(self, *_: object) -> None:
        self._refresh()
        self.sig_changed.emit()

    def _refresh(self) -> None:
        """Mark bad names, update the byte count and the message under the table."""
        dark = self.palette().color(self.backgroundRole()).lightness() < 128
        seen: set[str] = set()
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            key, value = self._text(row, 0).strip(), self._text(row, 1)
            problem = row_problem(key, value, seen) if key or value else None
            seen.add(key)
            item = self.table.item(row, 0)
            if item is not None:
                fill = QBrush(QColor(ERROR_FILL[dark])) if problem else QBrush()
                item.setBackground(fill)
                item.setToolTip(problem or "The variable's name")
            value_item = self.table.item(row, 1)
            if value_item is not None:
                value_item.setToolTip("The variable's value (always a string)")
        self.table.blockSignals(False)
        size = env_size(self.variables())
        over = size > ENV_TOTAL_LIMIT_BYTES
        self.size_label.setText(f"{size:,} of {ENV_TOTAL_LIMIT_BYTES:,} bytes")
        self.size_label.setObjectName("fieldError" if over else "hint")
        self.size_label.style().unpolish(self.size_label)
        self.size_label.style().polish(self.size_label)
        problems = self.problems()
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.remove_button.setEnabled(self.table.rowCount() > 0)
