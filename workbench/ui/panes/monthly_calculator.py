"""The monthly projection: the same estimate as `lambda-workbench cost`, every term explained."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.billing import ARCHITECTURES, format_usd
from workbench.core.model import EPHEMERAL_RANGE_MB, MEMORY_RANGE_MB
from workbench.core.monthly_cost import MonthlyEstimate, monthly_estimate

DEFAULT_REQUESTS = 1_000_000
MAX_REQUESTS = 1e12
INPUTS_WIDTH = 290  # the explanation beside it gets the rest


def number_box(maximum: float, decimals: int, suffix: str, tip: str) -> QDoubleSpinBox:
    """A double spin box with thousands separators."""
    box = QDoubleSpinBox()
    box.setRange(0, maximum)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setGroupSeparatorShown(True)
    box.setToolTip(tip)
    box.setMinimumWidth(90)  # its size hint fits 1e12 with separators: far too wide
    box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return box


class MonthlyCalculator(QWidget):
    """Projects a month's bill from a steady load, showing each step of the arithmetic."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.estimate: MonthlyEstimate | None = None
        self.requests = number_box(MAX_REQUESTS, 0, "", "Invocations per month")
        self.requests.setValue(DEFAULT_REQUESTS)
        self.requests.setSingleStep(100_000)
        self.duration = number_box(900_000, 2, " ms", "Average duration of one invocation")
        self.duration.setValue(100)
        self.memory = QSpinBox()
        self.memory.setRange(*MEMORY_RANGE_MB)
        self.memory.setSingleStep(64)
        self.memory.setSuffix(" MB")
        self.memory.setGroupSeparatorShown(True)
        self.memory.setToolTip("Configured memory (128–10,240 MB)")
        self.memory.setValue(128)
        self.architecture = QComboBox()
        self.architecture.addItems(list(ARCHITECTURES))
        self.architecture.setToolTip("arm64 is billed about 20% less per GB-second")
        self.storage = QSpinBox()
        self.storage.setRange(*EPHEMERAL_RANGE_MB)
        self.storage.setSuffix(" MB")
        self.storage.setGroupSeparatorShown(True)
        self.storage.setToolTip("Ephemeral storage; above 512 MB it is billed per GB-second")
        self.cold_share = number_box(100, 2, " %", "Share of invocations that start cold")
        self.init = number_box(1e6, 1, " ms", "Init duration of a cold start (billed since 2025)")
        self.free_tier = QCheckBox("Apply the free tier")
        self.free_tier.setToolTip("1M requests and 400,000 GB-s free each month")
        self.use_session = QPushButton("Use session figures")
        self.use_session.setToolTip(
            "Fill in duration, memory, cold share and init from the invocations so far"
        )
        self.total = QLabel("—")
        self.total.setObjectName("bigFigure")
        self.total.setToolTip("The projected bill for one month")
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setToolTip("How the total is computed, step by step")
        self.explanation.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._build_layout()
        for box in (self.requests, self.duration, self.cold_share, self.init):
            box.valueChanged.connect(self.recalculate)
        for box in (self.memory, self.storage):
            box.valueChanged.connect(self.recalculate)
        self.architecture.currentIndexChanged.connect(self.recalculate)
        self.free_tier.toggled.connect(self.recalculate)
        self.recalculate()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Requests/month", self.requests)
        form.addRow("Duration", self.duration)
        form.addRow("Memory", self.memory)
        form.addRow("Architecture", self.architecture)
        form.addRow("/tmp storage", self.storage)
        form.addRow("Cold starts", self.cold_share)
        form.addRow("Init duration", self.init)
        form.addRow("", self.free_tier)
        form.addRow("", self.use_session)
        for field in (self.memory, self.storage, self.architecture):
            field.setMinimumWidth(90)
            field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        inputs = QWidget()
        inputs.setLayout(form)
        scroll = QScrollArea()  # a short pane scrolls the inputs instead of growing
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inputs)
        scroll.setFixedWidth(INPUTS_WIDTH)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        result = QVBoxLayout()
        result.addWidget(self.total)
        result.addWidget(self.problem)
        result.addWidget(self.explanation, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(scroll)
        layout.addLayout(result, 2)

    def values(self) -> dict:
        """The calculator's inputs as monthly_estimate's arguments."""
        return {
            "invocations": int(self.requests.value()),
            "duration_ms": self.duration.value(),
            "memory_mb": self.memory.value(),
            "architecture": self.architecture.currentText(),
            "free_tier": self.free_tier.isChecked(),
            "ephemeral_storage_mb": self.storage.value(),
            "cold_start_share": self.cold_share.value() / 100,
            "init_duration_ms": self.init.value(),
        }

    def recalculate(self, *_: object) -> MonthlyEstimate | None:
        """Estimate again from the inputs; a refused input is explained, not raised."""
        try:
            estimate = monthly_estimate(**self.values())
        except ValueError as exc:
            self.estimate = None
            self.total.setText("—")
            self.problem.setText(str(exc))
            self.problem.show()
            return None
        self.estimate = estimate
        self.problem.hide()
        self.total.setText(f"{format_usd(estimate.total)} per month")
        self.explanation.setPlainText("\n".join(estimate.explain()))
        return estimate

    def fill(
        self,
        *,
        duration_ms: float | None = None,
        memory_mb: int | None = None,
        architecture: str | None = None,
        storage_mb: int | None = None,
        cold_share: float | None = None,
        init_ms: float | None = None,
    ) -> None:
        """Set some inputs at once (one recalculation)."""
        boxes = (self.duration, self.memory, self.architecture, self.storage)
        boxes += (self.cold_share, self.init)
        for box in boxes:
            box.blockSignals(True)
        if duration_ms is not None:
            self.duration.setValue(duration_ms)
        if memory_mb is not None:
            self.memory.setValue(memory_mb)
        if architecture is not None:
            self.architecture.setCurrentText(architecture)
        if storage_mb is not None:
            self.storage.setValue(storage_mb)
        if cold_share is not None:
            self.cold_share.setValue(cold_share * 100)
        if init_ms is not None:
            self.init.setValue(init_ms)
        for box in boxes:
            box.blockSignals(False)
        self.recalculate()
