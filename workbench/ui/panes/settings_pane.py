"""Function settings: handler, memory (with its vCPU share) and timeout, validated inline."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.model import MEMORY_RANGE_MB, TIMEOUT_RANGE_S, ConfigError, FunctionConfig

# The spin boxes accept more than AWS does on purpose: the learner sees AWS's own range message.
MEMORY_INPUT_MAX = 20_000
TIMEOUT_INPUT_MAX = 3_600
_SETTING_FIELDS = {"handler": "handler", "memory": "memory", "timeout": "timeout"}


def vcpu_text(memory_mb: int) -> str:
    """The vCPU share a memory size buys, as the learner reads it."""
    return f"≈ {memory_mb / 1769:.2f} vCPU (one full vCPU at 1,769 MB)"


class SettingsPane(QWidget):
    """Edits a FunctionConfig; Apply emits the new, validated config."""

    sig_apply = Signal(object)
    """The new FunctionConfig the learner applied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._config: FunctionConfig | None = None
        self.handler = QLineEdit()
        self.handler.setToolTip(
            "module.function that Lambda calls, e.g. lambda_function.lambda_handler"
        )
        self.memory = QSpinBox()
        self.memory.setRange(0, MEMORY_INPUT_MAX)
        self.memory.setSingleStep(64)
        self.memory.setSuffix(" MB")
        low, high = MEMORY_RANGE_MB
        self.memory.setToolTip(f"Memory, {low:,}–{high:,} MB; CPU grows with it")
        self.vcpu = QLabel()
        self.vcpu.setObjectName("hint")
        self.timeout = QSpinBox()
        self.timeout.setRange(0, TIMEOUT_INPUT_MAX)
        self.timeout.setSuffix(" s")
        self.timeout.setToolTip(f"Timeout, {TIMEOUT_RANGE_S[0]}–{TIMEOUT_RANGE_S[1]} seconds")
        self.errors = {key: self._error_label() for key in _SETTING_FIELDS}
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Redeploy with these settings (the next invoke starts cold)")
        self.apply_button.clicked.connect(self.apply)
        form = QFormLayout()
        form.addRow("Handler", self.handler)
        form.addRow("", self.errors["handler"])
        form.addRow("Memory", self.memory)
        form.addRow("", self.vcpu)
        form.addRow("", self.errors["memory"])
        form.addRow("Timeout", self.timeout)
        form.addRow("", self.errors["timeout"])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.handler.textChanged.connect(self.validate)
        self.memory.valueChanged.connect(self.validate)
        self.timeout.valueChanged.connect(self.validate)

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel()
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()
        return label

    def set_config(self, config: FunctionConfig) -> None:
        """Show a config's settings."""
        self._config = config
        for widget in (self.handler, self.memory, self.timeout):
            widget.blockSignals(True)
        self.handler.setText(config.handler)
        self.memory.setValue(config.memory_mb)
        self.timeout.setValue(config.timeout_s)
        for widget in (self.handler, self.memory, self.timeout):
            widget.blockSignals(False)
        self.validate()

    def candidate(self) -> FunctionConfig:
        """The config the fields describe; raises ConfigError when a value is invalid."""
        if self._config is None:
            raise ConfigError("function", "no function is open")
        return self._config.with_changes(
            handler=self.handler.text().strip(),
            memory_mb=self.memory.value(),
            timeout_s=self.timeout.value(),
        )

    def validate(self) -> FunctionConfig | None:
        """Show the first invalid setting's message beside it; returns the valid config."""
        self.vcpu.setText(vcpu_text(self.memory.value()))
        for label in self.errors.values():
            label.hide()
        try:
            config = self.candidate()
        except ConfigError as exc:
            label = self.errors.get(exc.setting)
            if label is None:  # a setting this form does not show: say it under the handler
                label = self.errors["handler"]
            label.setText(str(exc))
            label.show()
            self.apply_button.setEnabled(False)
            return None
        self.apply_button.setEnabled(config != self._config)
        return config

    def apply(self) -> None:
        """Emit sig_apply with the validated config."""
        config = self.validate()
        if config is not None:
            self._config = config
            self.apply_button.setEnabled(False)
            self.sig_apply.emit(config)
