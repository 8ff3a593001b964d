"""Settings cannot change by accident: the wheel passes unfocused fields by, Revert always
restores the last applied values, and an invalid value is scrolled into view with its range."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QSlider

from workbench.core.model import FunctionConfig
from workbench.ui.panes.settings_pane import SettingsPane


@pytest.fixture
def pane(qtbot, tmp_path) -> SettingsPane:
    widget = SettingsPane()
    qtbot.addWidget(widget)
    widget.resize(420, 360)  # short: the form scrolls, as in the window
    widget.set_config(FunctionConfig(name="f", code_dir=tmp_path))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def wheel_over(widget, notches: int = -3) -> None:
    """Send the wheel event a mouse wheel turned over the widget's middle sends."""
    middle = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        middle,
        QPointF(widget.mapToGlobal(middle.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_unfocused_fields_changes_nothing_and_scrolls_the_form(pane):
    """Every spin box, combo box and slider keeps its value; the form scrolls instead."""
    fields = [
        *pane.findChildren(QAbstractSpinBox),
        *pane.findChildren(QComboBox),
        pane.memory_slider,
    ]
    assert pane.ephemeral in fields and pane.timeout in fields and pane.architecture in fields
    before = pane.form_values()
    bar = pane.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    pane.scroll.ensureWidgetVisible(pane.ephemeral)
    start = bar.value()
    wheel_over(pane.ephemeral, notches=-3)  # down: what took /tmp to 0 MB
    assert pane.ephemeral.value() == 512
    assert bar.value() != start  # the wheel scrolled the form
    for field in fields:
        wheel_over(field, 3)
        wheel_over(field, -3)
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert pane.form_values() == before
    assert not pane.revert_button.isEnabled() and not pane.apply_button.isEnabled()


def test_a_focused_spin_box_still_takes_the_wheel(pane, qtbot):
    """Clicked into (focused), the timeout spin box changes with the wheel as usual."""
    pane.scroll.ensureWidgetVisible(pane.timeout)
    qtbot.mouseClick(pane.timeout, Qt.MouseButton.LeftButton)
    pane.timeout.setFocus()
    qtbot.waitUntil(pane.timeout.hasFocus)
    wheel_over(pane.timeout, 2)
    assert pane.timeout.value() == 5
    assert pane.revert_button.isEnabled() and pane.apply_button.isEnabled()


def test_revert_restores_an_invalid_edit_and_the_error_is_shown_in_view(pane, qtbot):
    """/tmp typed down to 0 MB: its range is shown and scrolled to, Apply is off, Revert on;
    Revert puts back 512 MB and both buttons are off again."""
    pane.scroll.verticalScrollBar().setValue(0)
    pane.ephemeral.setFocus()
    pane.ephemeral.selectAll()
    qtbot.keyClicks(pane.ephemeral, "0")
    assert pane.ephemeral.value() == 0
    error = pane.errors["ephemeral storage"]
    assert not error.isHidden() and "512 to 10240" in error.text().replace(",", "")
    top = error.mapTo(pane.scroll.widget(), QPoint(0, 0)).y()
    bar = pane.scroll.verticalScrollBar()
    assert bar.value() <= top <= bar.value() + pane.scroll.viewport().height() - error.height()
    assert not pane.apply_button.isEnabled() and pane.revert_button.isEnabled()
    qtbot.mouseClick(pane.revert_button, Qt.MouseButton.LeftButton)
    assert pane.ephemeral.value() == 512 and error.isHidden()
    assert not pane.revert_button.isEnabled() and not pane.apply_button.isEnabled()


def test_revert_goes_back_to_the_last_applied_values(pane, qtbot):
    """After Apply (the window then shows the deployed config), Revert returns to it."""
    applied = []
    pane.sig_apply.connect(applied.append)
    pane.timeout.setValue(10)
    qtbot.mouseClick(pane.apply_button, Qt.MouseButton.LeftButton)
    assert applied and applied[0].timeout_s == 10
    pane.set_config(applied[0])  # what the controller does once deployed
    pane.timeout.setValue(20)
    pane.memory.setValue(1024)
    assert pane.revert_button.isEnabled()
    qtbot.mouseClick(pane.revert_button, Qt.MouseButton.LeftButton)
    assert pane.timeout.value() == 10 and pane.memory.value() == 128
    assert not pane.revert_button.isEnabled()


def test_memory_slider_is_guarded_too(pane):
    """The slider beside memory is a wheel target too: unfocused, it ignores the wheel."""
    assert isinstance(pane.memory_slider, QSlider)
    pane.scroll.ensureWidgetVisible(pane.memory_slider)
    wheel_over(pane.memory_slider, 5)
    assert pane.memory.value() == 128
