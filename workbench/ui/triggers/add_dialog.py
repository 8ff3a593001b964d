"""The Add trigger dialog: choose a source (each registered trigger kind), set it up, add it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.service import LambdaService
from workbench.triggers.kind import TriggerKind
from workbench.triggers.registry import trigger_kinds
from workbench.triggers.running import Trigger, TriggerSpec
from workbench.ui.tasks import spawn
from workbench.ui.triggers.form_base import (
    DEFAULT_TIMEOUT_S,
    FormContext,
    Message,
    TriggerForm,
    kind_ui,
)
from workbench.ui.triggers.icons import kind_icon
from workbench.ui.triggers.manager import TriggerManager


def offered_kinds() -> list[tuple[TriggerKind, ModuleType]]:
    """The registered kinds that have a UI module (a form), in listing order."""
    offered = []
    for kind in trigger_kinds():
        ui = kind_ui(kind)
        if ui is not None:
            offered.append((kind, ui))
    return offered


class AddTriggerDialog(QDialog):
    """Sets up one trigger for the open function and starts it on the app's loop."""

    def __init__(
        self,
        manager: TriggerManager,
        function: str,
        bucket_folder: Path,
        service: LambdaService | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.added: Trigger | None = None
        self._task: asyncio.Task[None] | None = None
        self.setWindowTitle(f"Add trigger — {function}")
        self.setMinimumSize(760, 520)
        context = FormContext(bucket_folder, function_timeout_s=self._function_timeout_s)
        if service is not None:
            context = replace(
                context, bind_host=service.backend.bind_host, clock_now=service.clock.now
            )
        self.forms: dict[str, TriggerForm] = {}
        tips: dict[str, str] = {}
        for offered, ui in offered_kinds():
            self.forms[offered.name] = ui.make_form(context)
            tips[offered.name] = offered.summary
        self.kinds = QListWidget()
        self.kinds.setToolTip("The event source that invokes the function")
        self.kinds.setIconSize(QSize(24, 24))
        self.kinds.setFixedWidth(170)
        # Highlight the name only: Fusion shades a selected icon's cell a second time.
        self.kinds.setStyleSheet("QListWidget { show-decoration-selected: 0; }")
        self.pages = QStackedWidget()
        for kind, form in self.forms.items():
            item = QListWidgetItem(kind_icon(kind), form.title)
            item.setToolTip(tips[kind])
            item.setSizeHint(QSize(160, 40))
            self.kinds.addItem(item)
            self.pages.addWidget(form)
            form.sig_validity.connect(self._validity_changed)
        self.heading = QLabel()
        self.heading.setObjectName("dialogHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.heading.setFont(font)
        self.heading.setToolTip("The kind of trigger being set up")
        self.outcome = Message("Why the trigger could not start")
        self.add_button = QPushButton("Add trigger")
        self.add_button.setObjectName("primary")
        self.add_button.setDefault(True)
        self.add_button.setToolTip("Start this trigger now; it stops when you quit or switch")
        self.add_button.clicked.connect(self.add)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without adding a trigger")
        self.cancel_button.clicked.connect(self.reject)
        self._build_layout(function)
        self.kinds.currentRowChanged.connect(self.show_kind)
        self.kinds.setCurrentRow(0)

    def _build_layout(self, function: str) -> None:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.pages, 1)
        right.addWidget(self.outcome)
        right.addLayout(buttons)
        body = QHBoxLayout(self)
        body.setContentsMargins(10, 10, 12, 10)
        body.setSpacing(12)
        body.addWidget(self.kinds)
        body.addLayout(right, 1)
        self.heading.setProperty("function", function)

    def _function_timeout_s(self) -> float:
        # The open function's applied settings (what is deployed), without saving anything.
        config = self.manager.host.config
        return float(config.timeout_s) if config is not None else DEFAULT_TIMEOUT_S

    def show_kind(self, row: int | str) -> None:
        """Show one kind's form (by row, or by the kind's name: api, bucket…)."""
        index = list(self.forms).index(row) if isinstance(row, str) else row
        if self.kinds.currentRow() != index:
            self.kinds.setCurrentRow(index)  # comes back here through currentRowChanged
            return
        self.pages.setCurrentIndex(index)
        form = self.current_form()
        function = self.heading.property("function")
        self.heading.setText(f"<b>{form.title}</b> → {function}")
        self.outcome.show_ok("")
        form.revalidate()

    def current_form(self) -> TriggerForm:
        form = self.pages.currentWidget()
        assert isinstance(form, TriggerForm)
        return form

    def _validity_changed(self, valid: bool) -> None:
        if self.sender() is self.current_form():
            self.add_button.setEnabled(valid and self._task is None)

    def add(self) -> asyncio.Task[None] | None:
        """Start the current form's trigger; the dialog closes once it runs."""
        spec = self.current_form().spec()
        if spec is None or self._task is not None:
            return None
        self.add_button.setEnabled(False)
        self.add_button.setText("Starting…")
        self._task = spawn(self._add(spec))
        return self._task

    async def _add(self, spec: TriggerSpec) -> None:
        try:
            self.added = await self.manager.add(spec)
        except Exception as exc:  # shown in the dialog: the learner can fix it and retry
            self.outcome.show_error(str(exc) or repr(exc))
        else:
            self.accept()
        finally:
            self._task = None
            self.add_button.setText("Add trigger")
            self.add_button.setEnabled(self.current_form().spec() is not None)
