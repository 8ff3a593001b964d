"""Shared parts of the Add trigger forms: inline messages, hints, spin boxes, validity."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QSpinBox, QVBoxLayout, QWidget

from workbench.ui.triggers.specs import TriggerSpec


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
