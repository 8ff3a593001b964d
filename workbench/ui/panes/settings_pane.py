"""Function settings: every FunctionConfig field, validated inline with AWS's ranges."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench import runtimes
from workbench.core.model import (
    ARCHITECTURES,
    DEFAULT_RUNTIME,
    EPHEMERAL_RANGE_MB,
    MAX_CONCURRENCY,
    MEMORY_RANGE_MB,
    TIMEOUT_RANGE_S,
    ConfigError,
    FunctionConfig,
)
from workbench.ui.packages.runtime_picker import RuntimePicker
from workbench.ui.panes.env_vars import EnvVarsEditor
from workbench.ui.widgets.wheel_guard import WheelGuard

# The spin boxes accept more than AWS does on purpose: the learner sees AWS's own range message.
MEMORY_INPUT_MAX = 20_000
TIMEOUT_INPUT_MAX = 3_600
STORAGE_INPUT_MAX = 20_000
CONCURRENCY_INPUT_MAX = MAX_CONCURRENCY * 5
# ConfigError.setting values, each shown under its own field.
SETTINGS = (
    "handler",
    "runtime",
    "architecture",
    "memory",
    "timeout",
    "ephemeral storage",
    "environment",
    "reserved concurrency",
    "provisioned concurrency",
)
ARCHITECTURE_TIPS = {
    "x86_64": "x86_64: Intel/AMD processors, the default",
    "arm64": "arm64: Graviton processors, about 20% cheaper per GB-second",
}


def vcpu_text(memory_mb: int) -> str:
    """The vCPU share a memory size buys, as the learner reads it."""
    return f"≈ {memory_mb / 1769:.2f} vCPU (one full vCPU at 1,769 MB)"


def spin(maximum: int, suffix: str, tip: str, step: int = 1) -> QSpinBox:
    """A spin box from 0 to maximum (AWS's range is checked by the model, not by the box)."""
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setGroupSeparatorShown(True)
    return box


class SettingsPane(QWidget):
    """Edits a FunctionConfig; Apply emits the new, validated config."""

    sig_apply = Signal(object)
    """The new FunctionConfig the learner applied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._config: FunctionConfig | None = None  # the last applied (deployed) settings
        self._applied_form: tuple | None = None  # the fields as they showed _config
        self._build_fields()
        self.errors = {key: self._error_label() for key in SETTINGS}
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("primary")
        self.apply_button.setToolTip("Redeploy with these settings (the next invoke starts cold)")
        self.apply_button.clicked.connect(self.apply)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Put back the settings that are deployed now")
        self.revert_button.clicked.connect(self.revert)
        self._build_layout()
        self._connect()

    # ----- building ----------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.handler = QLineEdit()
        self.handler.setToolTip(
            "module.function that Lambda calls, e.g. lambda_function.lambda_handler"
        )
        self.runtime = RuntimePicker()
        self.runtime.set_runtime(DEFAULT_RUNTIME)
        self.architecture = QComboBox()
        for name in ARCHITECTURES:
            self.architecture.addItem(name)
            self.architecture.setItemData(
                self.architecture.count() - 1,
                ARCHITECTURE_TIPS.get(name, name),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.architecture.setToolTip(
            "Instruction set the function is billed for; arm64 costs less per GB-second"
        )
        low, high = MEMORY_RANGE_MB
        self.memory = spin(
            MEMORY_INPUT_MAX, " MB", f"Memory, {low:,}–{high:,} MB; CPU grows with it", 64
        )
        self.memory_slider = QSlider(Qt.Orientation.Horizontal)
        self.memory_slider.setRange(low, high)
        self.memory_slider.setSingleStep(64)
        self.memory_slider.setPageStep(512)
        self.memory_slider.setToolTip("Drag to choose memory; CPU share grows in proportion")
        self.vcpu = QLabel()
        self.vcpu.setObjectName("hint")
        self.timeout = spin(
            TIMEOUT_INPUT_MAX, " s", f"Timeout, {TIMEOUT_RANGE_S[0]}–{TIMEOUT_RANGE_S[1]} seconds"
        )
        low, high = EPHEMERAL_RANGE_MB
        self.ephemeral = spin(
            STORAGE_INPUT_MAX,
            " MB",
            f"Ephemeral storage (/tmp), {low:,}–{high:,} MB; above 512 MB it is billed",
            512,
        )
        self.env = EnvVarsEditor()
        self.reserve = QCheckBox("Cap at")
        self.reserve.setToolTip(
            "Reserved concurrency: at most this many at once, guaranteed from the account's pool;"
            " 0 disables the function"
        )
        self.reserved = spin(
            CONCURRENCY_INPUT_MAX, " at once", "How many invocations may run at once"
        )
        self.provisioned = spin(
            CONCURRENCY_INPUT_MAX,
            " kept warm",
            "Environments initialised at deploy and kept warm: their invocations never start cold",
        )
        self.account_hint = QLabel("")
        self.account_hint.setObjectName("hint")
        self.account_hint.setWordWrap(True)

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel()
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()
        return label

    def _group(self, title: str, rows: list[tuple[str, QWidget | QHBoxLayout, str | None]]):
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, field, error in rows:
            form.addRow(label, field)
            if error:
                form.addRow("", self.errors[error])
        return box

    def _build_layout(self) -> None:
        memory_row = QHBoxLayout()
        memory_row.addWidget(self.memory_slider, 1)
        memory_row.addWidget(self.memory)
        reserved_row = QHBoxLayout()
        reserved_row.addWidget(self.reserve)
        reserved_row.addWidget(self.reserved, 1)
        groups = [
            self._group(
                "Function",
                [
                    ("Handler", self.handler, "handler"),
                    ("Runtime", self.runtime, "runtime"),
                    ("Architecture", self.architecture, "architecture"),
                ],
            ),
            self._group(
                "Resources",
                [
                    ("Memory", memory_row, "memory"),
                    ("", self.vcpu, None),
                    ("Timeout", self.timeout, "timeout"),
                    ("Ephemeral storage", self.ephemeral, "ephemeral storage"),
                ],
            ),
            self._group(
                "Concurrency",
                [
                    ("Reserved", reserved_row, "reserved concurrency"),
                    ("Provisioned", self.provisioned, "provisioned concurrency"),
                    ("", self.account_hint, None),
                ],
            ),
        ]
        env_box = QGroupBox("Environment variables")
        env_layout = QVBoxLayout(env_box)
        env_layout.addWidget(self.env)
        env_layout.addWidget(self.errors["environment"])
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 4, 0)
        for group in (groups[0], groups[1], env_box, groups[2]):
            column.addWidget(group)
        column.addStretch(1)
        scroll = self.scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.wheel_guard = WheelGuard(scroll, self)
        self.wheel_guard.guard(body)

    def _connect(self) -> None:
        self.handler.textChanged.connect(self.validate)
        self.runtime.sig_changed.connect(self._runtime_changed)
        self.runtime.sig_offers_changed.connect(self.validate)
        self.architecture.currentIndexChanged.connect(self.validate)
        self.memory.valueChanged.connect(self._memory_typed)
        self.memory_slider.valueChanged.connect(self._memory_slid)
        for box in (self.timeout, self.ephemeral, self.reserved, self.provisioned):
            box.valueChanged.connect(self.validate)
        self.reserve.toggled.connect(self._reserve_toggled)
        self.env.sig_changed.connect(self.validate)

    # ----- values ------------------------------------------------------------------------
    def set_config(self, config: FunctionConfig) -> None:
        """Show a config's settings."""
        self._config = config
        fields = (self.handler, self.runtime, self.architecture, self.memory, self.memory_slider)
        fields += (self.timeout, self.ephemeral, self.reserve, self.reserved, self.provisioned)
        for widget in fields:
            widget.blockSignals(True)
        self.handler.setText(config.handler)
        self.runtime.set_runtime(config.runtime)
        self.architecture.setCurrentText(config.architecture)
        self.memory.setValue(config.memory_mb)
        self.memory_slider.setValue(config.memory_mb)
        self.timeout.setValue(config.timeout_s)
        self.ephemeral.setValue(config.ephemeral_storage_mb)
        self.reserve.setChecked(config.reserved_concurrency is not None)
        self.reserved.setValue(config.reserved_concurrency or 0)
        self.reserved.setEnabled(config.reserved_concurrency is not None)
        self.provisioned.setValue(config.provisioned_concurrency)
        for widget in fields:
            widget.blockSignals(False)
        self.env.set_variables(config.environment)
        self._applied_form = self.form_values()
        self.validate()

    def form_values(self) -> tuple:
        """What every field shows, valid or not (Revert compares it with the applied one)."""
        return (
            self.handler.text().strip(),
            self.runtime.value(),
            self.architecture.currentText(),
            self.memory.value(),
            self.timeout.value(),
            self.ephemeral.value(),
            self.reserve.isChecked(),
            self.reserved.value(),
            self.provisioned.value(),
            tuple(self.env.rows()),
        )

    def differs(self) -> bool:
        """Whether the form shows anything other than the last applied settings."""
        return self._applied_form is not None and self.form_values() != self._applied_form

    def set_account_limit(self, limit: int, origin: str) -> None:
        """Say how much concurrency the account has (the engine's limit, and why)."""
        self.account_hint.setText(f"Account limit: {limit:,} at once ({origin}).")

    def candidate(self) -> FunctionConfig:
        """The config the fields describe; raises ConfigError when a value is invalid."""
        if self._config is None:
            raise ConfigError("function", "no function is open")
        problems = self.env.problems()
        if problems:
            raise ConfigError("environment", problems[0])
        return self._config.with_changes(
            handler=self.handler.text().strip(),
            runtime=self.runtime.value(),
            architecture=self.architecture.currentText(),
            memory_mb=self.memory.value(),
            timeout_s=self.timeout.value(),
            ephemeral_storage_mb=self.ephemeral.value(),
            environment=self.env.variables(),
            reserved_concurrency=self.reserved.value() if self.reserve.isChecked() else None,
            provisioned_concurrency=self.provisioned.value(),
        )

    def validate(self) -> FunctionConfig | None:
        """Show the first invalid setting's message beside it; returns the valid config."""
        self.vcpu.setText(vcpu_text(self.memory.value()))
        for label in self.errors.values():
            label.hide()
        # Revert follows the fields, not their validity: an invalid edit is the one to undo.
        self.revert_button.setEnabled(self.differs())
        try:
            config = self.candidate()
        except ConfigError as exc:
            self.show_error(exc, reveal=True)
            self.apply_button.setEnabled(False)
            return None
        changed = config != self._config
        problem = self.runtime.problem(config)
        if problem:  # a runtime this backend cannot run, or a folder it cannot start
            self.errors["runtime"].setText(problem[0])
            self.errors["runtime"].show()
            if problem[1]:
                self.apply_button.setEnabled(False)
                return None
        self.apply_button.setEnabled(changed)
        return config

    def show_error(self, exc: ConfigError, reveal: bool = False) -> None:
        """Show a ConfigError (it names the allowed range) under its field; reveal scrolls
        the field into view. The env table shows its own row messages."""
        label = self.errors.get(exc.setting, self.errors["handler"])
        if exc.setting == "environment" and self.env.problems():
            return  # already listed under the table, row by row
        label.setText(str(exc))
        label.show()
        if reveal:
            self.reveal(label)

    def reveal(self, label: QLabel) -> None:
        """Scroll the form so an error label (and the field above it) can be read."""
        self.scroll.widget().layout().activate()
        self.scroll.ensureWidgetVisible(label, 0, 60)

    def show_deploy_error(self, exc: ConfigError) -> None:
        """The engine refused a deploy (e.g. a reservation the account cannot give)."""
        self.show_error(exc)
        self.apply_button.setEnabled(True)
        label = self.errors.get(exc.setting)
        if label is not None:  # the refusal must be seen: bring its field into view
            self.reveal(label)

    def apply(self) -> None:
        """Emit sig_apply with the validated config."""
        config = self.validate()
        if config is not None:
            self.apply_button.setEnabled(False)
            self.sig_apply.emit(config)

    def revert(self) -> None:
        """Show the last applied settings again, dropping the edits (valid or not)."""
        if self._config is not None:
            self.set_config(self._config)

    # ----- field behaviours ----------------------------------------------------------------
    def _memory_typed(self, value: int) -> None:
        self.memory_slider.blockSignals(True)
        self.memory_slider.setValue(value)
        self.memory_slider.blockSignals(False)
        self.validate()

    def _memory_slid(self, value: int) -> None:
        # Whole 64 MB steps from the slider; typing still allows any MB.
        self.memory.setValue(round(value / 64) * 64)

    def _runtime_changed(self, previous: str, new: str) -> None:
        # A handler still at the old runtime's default follows the new one; a chosen one stays.
        if previous and self.handler.text().strip() == runtimes.get(previous).default_handler:
            self.handler.setText(runtimes.get(new).default_handler)
        self.validate()

    def _reserve_toggled(self, on: bool) -> None:
        self.reserved.setEnabled(on)
        self.validate()
