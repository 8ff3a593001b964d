"""The billing pane: per-invocation rows, the monthly projection, and the memory sweep."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import run, wait_for

from workbench.core.billing import charge_for
from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EventBus, InvocationCompleted, Report
from workbench.core.monthly_cost import monthly_estimate
from workbench.memory_sweep import best, parse_sizes, run_sweep
from workbench.ui.panes.billing_pane import BillingPane
from workbench.ui.widgets.sweep_chart import cost_text, nice_ceiling

SWEEP_SIZES = "128, 256, 512, 1024, 1769, 3008"


def completed(rid: str, duration: float, billed: int, memory: int, init: float | None = None):
    report = Report(rid, duration, billed, memory, 40, init_duration_ms=init)
    return InvocationCompleted(at=1.0, function="f", request_id=rid, env_id="e", report=report)


@pytest.fixture
def pane(qtbot) -> tuple[BillingPane, EventBus, BillingMeter]:
    bus, meter, widget = EventBus(), BillingMeter(), BillingPane()
    qtbot.addWidget(widget)
    meter.attach(bus)
    widget.set_meter(meter)
    bus.subscribe(widget.on_event)  # after the meter, as the window wires them
    return widget, bus, meter


def test_each_invocation_is_a_row_newest_first(pane):
    """Rows carry the REPORT figures, GB-s and cost; cold starts show their init."""
    widget, bus, meter = pane
    bus.publish(completed("aaaaaaaa-1", 101.5, 340, 512, init=238.0))
    bus.publish(completed("bbbbbbbb-2", 3.2, 4, 512))
    rows = widget.charges.rows
    assert [r.request_id for r in rows] == ["bbbbbbbb-2", "aaaaaaaa-1"]
    warm, cold = rows[0].cells(), rows[1].cells()
    assert warm == ("bbbbbbbb", "3.20 ms", "4 ms", "512 MB", "0.002000", warm[5], "warm")
    assert warm[5] == f"${meter.charges[1].total:.10f}"
    assert cold[6] == "cold · init 238 ms (billed)"
    assert rows[1].cost == meter.charges[0].total
    assert widget.values["requests"].text() == "2"
    assert widget.values["init"].text() == f"{meter.totals.init_billed_ms:,} ms"
    assert widget.charges.rowCount() == 2 and widget.charges.columnCount() == 7


def test_monthly_projection_is_the_cost_command_s_estimate(pane):
    """The calculator shows monthly_estimate's total and its explain() lines verbatim."""
    widget, _, _ = pane
    calc = widget.calculator
    calc.requests.setValue(5_000_000)
    calc.duration.setValue(120)
    calc.memory.setValue(1024)
    calc.free_tier.setChecked(True)
    expected = monthly_estimate(5_000_000, 120, 1024, free_tier=True)
    assert calc.estimate == expected
    assert calc.explanation.toPlainText().splitlines() == expected.explain()
    assert calc.total.text().startswith("$") and calc.total.text().endswith("per month")
    calc.init.setValue(2e6 - 1)  # within the box, but a cold share makes it count
    calc.cold_share.setValue(10)
    assert calc.estimate is not None and calc.estimate.cold_invocations == 500_000


def test_session_figures_fill_the_calculator(pane):
    """Use this session's figures: mean duration, memory, cold share and mean init."""
    widget, bus, _ = pane
    assert not widget.use_session_figures()
    bus.publish(completed("r1", 100.0, 300, 256, init=200.0))
    bus.publish(completed("r2", 50.0, 50, 256))
    bus.publish(completed("r3", 30.0, 30, 256))
    bus.publish(completed("r4", 20.0, 20, 256))
    assert widget.use_session_figures()
    calc = widget.calculator
    assert calc.duration.value() == pytest.approx(50.0)
    assert calc.memory.value() == 256
    assert calc.cold_share.value() == pytest.approx(25.0)
    assert calc.init.value() == pytest.approx(200.0)
    assert calc.estimate == monthly_estimate(
        1_000_000, 50.0, 256, cold_start_share=0.25, init_duration_ms=200.0
    )


def test_the_sweep_chart_rounds_its_cost_axis_and_prints_small_costs_whole():
    """The chart's cost axis ends at a round figure; a fraction of a cent is printed whole."""
    assert nice_ceiling(0.0000021) == pytest.approx(0.0000025)
    assert cost_text(0.0000021) == "$0.0000021"


def test_memory_sweep_runs_each_size_and_restores_the_config(
    window, engine, qloop, screenshots, qtbot
):
    """Real engine: 6 sizes × (1 cold + 2 warm); chart plotted; deployed memory restored."""
    window.side_tabs.setCurrentWidget(window.billing_pane)
    window.outer_split.setSizes([380, 520])
    billing = window.billing_pane
    billing.tabs.setCurrentWidget(billing.sweep)
    sweep = billing.sweep
    sweep.sizes.setText(SWEEP_SIZES)
    sweep.warm.setValue(2)
    seen_memory: list[int] = []
    engine.bus.subscribe(
        lambda e: isinstance(e, InvocationCompleted) and seen_memory.append(e.report.memory_size_mb)
    )
    task = sweep.run()
    assert task is not None
    assert not window.event_pane.invoke_button.isEnabled()  # no invoke during a sweep
    assert window.event_pane.invoke_button.text() == "Sweeping…"
    run(qloop, wait_for(task.done, 60))
    assert [p.memory_mb for p in sweep.points] == parse_sizes(SWEEP_SIZES)
    assert all(len(p.durations_ms) == 2 for p in sweep.points)
    assert seen_memory == [m for m in parse_sizes(SWEEP_SIZES) for _ in range(3)]
    assert engine.function("hello").memory_mb == 128  # the learner's setting is back
    assert window.event_pane.invoke_button.isEnabled()
    assert sweep.progress.value() == sweep.progress.maximum() == 18
    cheapest, fastest = best(sweep.points)
    assert sweep.summary.text().startswith(f"Cheapest: {cheapest.memory_mb:,} MB")
    assert f"Fastest: {fastest.memory_mb:,} MB" in sweep.summary.text()
    for point in sweep.points:  # each size is priced from its own REPORTs
        charges = [
            charge_for(Report("x", 1.0, ms, point.memory_mb, 1)).total for ms in point.billed_ms
        ]
        assert point.cost == sum(charges) / len(charges)
    assert len(sweep.chart.points) == 6 and sweep.chart.cheapest == cheapest.memory_mb
    QApplication.processEvents()
    window.grab().save(str(screenshots / "billing_sweep.png"))
    billing.grab().save(str(screenshots / "billing_sweep_pane.png"))
    window.set_theme("dark")
    QApplication.processEvents()
    billing.grab().save(str(screenshots / "billing_sweep_dark.png"))
    billing.tabs.setCurrentWidget(billing.table)
    billing.grab().save(str(screenshots / "billing_table_dark.png"))
    billing.tabs.setCurrentWidget(billing.calculator)
    assert billing.use_session_figures()
    billing.grab().save(str(screenshots / "billing_monthly_dark.png"))
    window.set_theme("light")


def test_cancelling_a_sweep_restores_the_config(window, engine, qloop):
    """Cancel stops after the current invocation and redeploys the learner's settings."""
    sweep = window.billing_pane.sweep
    sweep.sizes.setText("256, 512, 1024")
    sweep.warm.setValue(20)
    task = sweep.run()
    run(qloop, wait_for(lambda: sweep.progress.value() >= 3, 30))
    sweep.cancel()
    run(qloop, wait_for(task.done, 30))
    assert sweep.status.text().startswith("Cancelled")
    assert sweep.progress.value() < sweep.progress.maximum()
    assert engine.function("hello").memory_mb == 128
    assert window.event_pane.invoke_button.isEnabled()


def test_bad_sizes_are_refused_inline(window):
    """Sizes Lambda cannot run are explained under the controls; nothing starts."""
    sweep = window.billing_pane.sweep
    sweep.sizes.setText("128, 20000")
    assert sweep.run() is None
    assert "20000 MB is out of range" in sweep.status.text()


def test_run_sweep_prices_each_warm_run_from_its_report(engine, qloop, window):
    """The sweep's cost is charge_for(REPORT) at each size, averaged over warm runs."""
    points = run(qloop, run_sweep(engine, "hello", b"{}", [256], warm=2))
    (point,) = points
    assert len(point.billed_ms) == 2 and point.cold_duration_ms is not None
    expected = [charge_for(Report("x", 1.0, ms, 256, 1)).total for ms in point.billed_ms]
    assert point.cost == sum(expected) / 2


def test_clicking_a_row_selects_its_request_in_logs_and_timeline(window, engine, qloop, qtbot):
    """A billing row click filters the logs to its request and outlines it on the timeline."""
    from ui_helpers import spawned_tasks_done

    window.event_pane.times.setValue(2)
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())
    run(qloop, wait_for(lambda: "REPORT" in window.result_pane.log_text()))
    billing = window.billing_pane
    window.side_tabs.setCurrentWidget(billing)
    billing.tabs.setCurrentWidget(billing.table)
    first = billing.charges.rows[1]  # the older one: rows are newest first
    rect = billing.table.visualRect(billing.charges.index(1, 0))
    qtbot.mouseClick(billing.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.result_pane.filter.text() == first.request_id
    assert window.timeline_pane.canvas.selected == first.request_id
    logs = window.result_pane.log_text()
    assert f"START RequestId: {first.request_id}" in logs
    assert billing.charges.rows[0].request_id not in logs


def test_provisioned_capacity_figure_appears_and_grows(pane, qtbot):
    """No capacity figure until provisioned concurrency is billed; then its charge, live."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    from workbench.core.events import EnvironmentCreated

    widget, bus, _meter = pane
    widget.show()
    clock = {"now": 1000.0}
    widget.now = lambda: clock["now"]
    assert widget.values["capacity"].isHidden()
    bus.publish(
        EnvironmentCreated(
            at=1000.0,
            function="f",
            env_id="f-1",
            backend="process",
            initialization_type="provisioned-concurrency",
            memory_mb=2048,
            architecture="x86_64",
        )
    )
    label = widget.values["capacity"]
    assert not label.isHidden() and not widget.titles["capacity"].isHidden()
    # 2 GB × the first 5 minutes = 600 GB-s × $0.0000041667 = $0.00250002
    assert label.text() == "$0.00250002 (0.08 env-h)"
    clock["now"] = 1000.0 + 3600
    qtbot.waitUntil(lambda: label.text().startswith("$0.03"), timeout=3000)  # timer refresh
    help_event = QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), label.mapToGlobal(QPoint(2, 2)))
    QApplication.sendEvent(label, help_event)
    assert "5-minute steps" in QToolTip.text()
