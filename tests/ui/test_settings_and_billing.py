"""The settings form flags AWS's ranges inline; the billing pane folds the core's meter."""

from __future__ import annotations

from decimal import Decimal

from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EventBus, InvocationCompleted, Report
from workbench.core.model import FunctionConfig
from workbench.ui.panes.billing_pane import BillingPane
from workbench.ui.panes.settings_pane import SettingsPane


def test_out_of_range_memory_is_flagged_with_the_valid_range(qtbot, tmp_path):
    """100 MB shows ConfigError's range message beside memory and disables Apply."""
    pane = SettingsPane()
    qtbot.addWidget(pane)
    pane.set_config(FunctionConfig(name="f", code_dir=tmp_path))
    pane.memory.setValue(100)
    assert pane.errors["memory"].text() == "memory: 100 MB is out of range: use 128 to 10,240 MB"
    assert not pane.errors["memory"].isHidden()
    assert not pane.apply_button.isEnabled()
    pane.memory.setValue(1769)
    assert pane.errors["memory"].isHidden()
    assert pane.vcpu.text().startswith("≈ 1.00 vCPU")
    pane.timeout.setValue(901)
    assert "use 1 to 900 seconds" in pane.errors["timeout"].text()
    pane.timeout.setValue(30)
    with qtbot.waitSignal(pane.sig_apply) as signal:
        pane.apply_button.click()
    assert (signal.args[0].memory_mb, signal.args[0].timeout_s) == (1769, 30)


def test_bad_handler_is_flagged(qtbot, tmp_path):
    """A handler with spaces is refused with the example of a valid one."""
    pane = SettingsPane()
    qtbot.addWidget(pane)
    pane.set_config(FunctionConfig(name="f", code_dir=tmp_path))
    pane.handler.setText("my handler")
    assert "module.function" in pane.errors["handler"].text()
    assert not pane.apply_button.isEnabled()


def test_billing_pane_shows_the_meters_totals(qtbot):
    """Requests, billed ms, GB-s and cost follow InvocationCompleted events."""
    bus, meter, pane = EventBus(), BillingMeter(), BillingPane()
    qtbot.addWidget(pane)
    meter.attach(bus)
    pane.set_meter(meter)
    for n, billed in enumerate((111, 2)):
        report = Report(f"r{n}", 1.0, billed, 128, 20)
        event = InvocationCompleted(
            at=1.0, function="f", request_id=f"r{n}", env_id="e", report=report
        )
        bus.publish(event)
        pane.on_event(event)
    assert pane.values["requests"].text() == "2"
    assert pane.values["billed"].text() == "113 ms"
    assert meter.gb_seconds == Decimal(113) * 128 / 1_024_000
    assert pane.values["gbs"].text() == "0.014125 GB-s"
    assert pane.values["cost"].text().startswith("$0.0000")
