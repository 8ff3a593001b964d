"""Shared parts of the trigger kinds' UI modules: inline messages, hints, spin boxes,
validity, and how a kind's UI module is found.

A kind's UI module is workbench/ui/triggers/<kind name>_form.py. It provides
`make_form(context) -> TriggerForm` (its page in the Add trigger dialog) and
`card_actions(card) -> QHBoxLayout | None` (the buttons on its running trigger's card).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QSpinBox, QVBoxLayout, QWidget

from workbench.triggers.kind import TriggerKind
from workbench.triggers.running import TriggerSpec

DEFAULT_TIMEOUT_S = 3.0  # Lambda's default function timeout


@dataclass(frozen=True)
class FormContext:
    """What a kind's form may need from the app: where buckets go, the service's host and
    clock, and the open function's timeout (read when the form checks)."""

    bucket_folder: Path
    bind_host: str = "127.0.0.1"
    clock_now: Callable[[], float] = time.time
    function_timeout_s: Callable[[], float] = field(default=lambda: DEFAULT_TIMEOUT_S)


def kind_ui(kind: TriggerKind) -> ModuleType | None:
    """The kind's UI module, or None when it has none (it is then not offered in the app)."""
    name = f"{__package__}.{kind.name}_form"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # the module exists but something it imports does not: say so
        return None


class Message(QLabel):
    """An inline message under a field: red when something is wrong, green when fine."""

    def __init__(self, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("validation")
        self.setWordWrap(True)
        self.setToolTip(tip)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_ok("")

    def show_error(self, text: str) -> None:
        self._show(f"✗ {text}", "error")

    def show_ok(self, text: str) -> None:
        self._show(f"✓ {text}" if text else "", "ok")

    def show_warning(self, text: str) -> None:
        self._show(f"⚠ {text}", "warning")

    def _show(self, text: str, state: str) -> None:
        # Amber is not in the shared style sheet; the other states are.
        self.setStyleSheet("color: #9a6700;" if state == "warning" else "")
        self.setText(text)
        self.setVisible(bool(text))
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)


def stacked(*items: QWidget | QLayout) -> QWidget:
    """A field and its inline message(s) as one form row, so a hidden message leaves no gap."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(3)
    for item in items:
        if isinstance(item, QLayout):
            column.addLayout(item)
        else:
            column.addWidget(item)
    return box


def hint(text: str, tip: str = "") -> QLabel:
    """A muted explanatory line."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    label.setToolTip(tip or text)
    return label


def spin(low: int, high: int, value: int, tip: str, suffix: str = "") -> QSpinBox:
    """A spin box limited to AWS's range, saying the range in its tooltip."""
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setAccelerated(True)
    box.setToolTip(f"{tip} ({low:,} to {high:,}{suffix})")
    return box


def form_layout(widget: QWidget) -> QFormLayout:
    """A form layout with labels right-aligned and fields stretching, kept at the top."""
    outer = QVBoxLayout(widget)
    outer.setContentsMargins(0, 0, 0, 0)
    form = QFormLayout()
    outer.addLayout(form)
    outer.addStretch(1)  # extra height goes below the form, not between its rows
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setContentsMargins(4, 4, 4, 4)
    form.setVerticalSpacing(7)
    return form


class TriggerForm(QWidget):
    """One kind's settings; `spec()` is None while anything is invalid."""

    sig_validity = Signal(bool)
    """Whether the settings can be added as they are."""

    title = ""
    summary = ""  # what this trigger does, in one sentence

    def spec(self) -> TriggerSpec | None:
        raise NotImplementedError

    def revalidate(self) -> None:
        """Check every field now, update the messages, and announce validity."""
        self.sig_validity.emit(self.spec() is not None)
