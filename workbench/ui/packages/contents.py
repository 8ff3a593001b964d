"""A package's files as a sortable table, and its sizes as bars against Lambda's limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.packages.archive import Entry
from workbench.packages.limits import MB, size_text

BAR_STEPS = 1000  # per-mille: a bar's resolution, and no int overflow for large packages
OVER_STYLE = "QProgressBar::chunk { background: #cf222e; }"  # red in both themes


class SizeItem(QTableWidgetItem):
    """A table cell showing a size in words but sorting by bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(size_text(size))
        self.size = size
        self.setData(Qt.ItemDataRole.UserRole, size)
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setToolTip(f"{size:,} bytes")

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.size < int(other.data(Qt.ItemDataRole.UserRole) or 0)


class ContentsTable(QTableWidget):
    """The files of a .zip: name, size, size compressed, and whether it is executable."""

    HEADERS = ("File", "Size", "Zipped", "Mode")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.setToolTip("The package's files; click a column header to sort by it")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # Qt's default is descending
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column, tip in enumerate(
            ("Path inside the .zip", "Bytes once extracted", "Bytes in the .zip", "Unix mode")
        ):
            self.horizontalHeaderItem(column).setToolTip(tip)

    def set_entries(self, entries: tuple[Entry, ...] | list[Entry]) -> None:
        """Show these files (sorting stays as the learner left it)."""
        self.setSortingEnabled(False)  # rows must not move while they are filled
        self.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            name = QTableWidgetItem(entry.name)
            name.setToolTip(entry.name)
            mode = QTableWidgetItem("executable" if entry.executable else "")
            mode.setToolTip("rwxr-xr-x: can be run, e.g. a custom runtime's bootstrap")
            for column, item in enumerate(
                (name, SizeItem(entry.size), SizeItem(entry.compressed), mode)
            ):
                self.setItem(row, column, item)
        self.setSortingEnabled(True)

    def row_of(self, name: str) -> int:
        """The row showing a file, or -1."""
        found = self.findItems(name, Qt.MatchFlag.MatchExactly)
        return found[0].row() if found else -1


class LimitBar(QWidget):
    """One size against one of Lambda's limits, e.g. "312 B of 50 MB zipped"."""

    def __init__(self, title: str, limit: int, limit_words: str, tip: str) -> None:
        super().__init__()
        self.limit = limit
        self.limit_words = limit_words
        self.title = QLabel(title)
        self.title.setMinimumWidth(70)
        self.figure = QLabel()
        self.figure.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        for widget in (self, self.bar, self.figure):
            widget.setToolTip(tip)
        words = QHBoxLayout()
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(self.title)
        words.addWidget(self.figure, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(words)
        column.addWidget(self.bar)
        self.set_size(None)

    @property
    def over(self) -> bool:
        return self.size is not None and self.size > self.limit

    def set_size(self, size: int | None, detail: str = "") -> None:
        """Show a size (None: not known yet, e.g. before a build) and any detail after it."""
        self.size = size
        limit = f"{self.limit // MB} MB {self.limit_words}"
        if size is None:
            self.figure.setText(f"— of {limit}{detail}")
            self.bar.setValue(0)
        else:
            share = size / self.limit
            over = " — over the limit" if self.over else ""
            self.figure.setText(f"{size_text(size)} of {limit} · {share:.1%}{detail}{over}")
            # A non-empty package keeps a sliver of bar, so "tiny" still reads as "some".
            self.bar.setValue(min(BAR_STEPS, max(1 if size else 0, round(share * BAR_STEPS))))
        self.bar.setStyleSheet(OVER_STYLE if self.over else "")
        self.figure.setObjectName("fieldError" if self.over else "")
        self.figure.style().unpolish(self.figure)
        self.figure.style().polish(self.figure)
