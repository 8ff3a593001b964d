"""A memory sweep you can trust: it runs on its own copy (the learner's environments,
concurrency settings and logs are left alone), explains each failed point in words (caption and a
real tooltip event), and sample events are listed by human names."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.backends.process import ProcessBackend
from workbench.catalogue import sample_keys, sample_name
from workbench.core.events import EnvironmentReaped
from workbench.core.service import LambdaService
from workbench.memory_sweep import sweep_function_name
from workbench.ui.panes.event_pane import EventPane
from workbench.ui.widgets.sweep_chart import ChartPoint, SweepChart

PICKY = textwrap.dedent(
    """\
    import time


    def lambda_handler(event, context):
        memory = int(context.memory_limit_in_mb)
        if memory < 256:
            raise ValueError(f"needs 256 MB, got {memory}")
        if memory < 512:
            time.sleep(2)  # longer than the 1 s timeout
        return {"memory": memory}
    """
)


def hover(widget, point: QPoint) -> str:
    """Send the QHelpEvent Qt sends when the mouse rests at point; the tooltip shown."""
    QApplication.sendEvent(
        widget, QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
    )
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_a_sweep_leaves_the_learners_function_alone_and_explains_failures(window, qloop, tmp_path):
    """Reserved concurrency 1 on the learner's function: the sweep runs on a copy (not capped
    by it), the learner's warm environment is neither replaced nor reaped, no sweep line
    reaches the learner's logs, and the error and the timeout are explained under the chart
    and in the red points' tooltips."""
    code = tmp_path / "picky"
    code.mkdir()
    (code / "lambda_function.py").write_text(PICKY)
    (code / "function.toml").write_text("timeout = 1\nmemory = 512\nreserved_concurrency = 1\n")
    service = LambdaService(ProcessBackend(reason="tests"))
    run(qloop, service.start())
    try:
        window.open_function(code)
        window.attach_service(service, "Local processes — tests")
        window.event_pane.invoke_button.click()  # one warm environment of the learner's own
        run(qloop, spawned_tasks_done())
        (warm,) = service.environments("picky")
        sweep = window.billing_pane.sweep
        sweep.sizes.setText("128, 256, 512")
        sweep.warm.setValue(2)
        task = sweep.run()
        assert task is not None
        run(qloop, wait_for(task.done, 60))
        assert [p.memory_mb for p in sweep.points] == [128, 256, 512]
        low, middle, high = sweep.points
        assert low.errors == 2 and "2 of 2 warm runs failed: ValueError: needs 256 MB, got 128" in (
            low.failure_text()
        )
        assert middle.errors == 2 and "2 of 2 warm runs timed out (timeout 1 s)" in (
            middle.failure_text()
        )
        assert high.errors == 0 and high.failure_text() == ""
        caption = sweep.failures.text()
        assert not sweep.failures.isHidden()
        assert caption.startswith("Red points failed.")
        assert "128 MB: the cold start and 2 of 2 warm runs failed: ValueError" in caption
        assert "256 MB: the cold start and 2 of 2 warm runs timed out (timeout 1 s)" in caption
        # The learner's warm environment was neither replaced nor reaped; its settings stay.
        assert [e.env_id for e in service.environments("picky")] == [warm.env_id]
        reaped = [e for e in service.bus.of_type(EnvironmentReaped) if e.function == "picky"]
        assert reaped == []
        learner = service.function("picky")
        assert learner.reserved_concurrency == 1 and learner.memory_mb == 512
        logs = window.result_pane.log_text()
        assert "needs 256 MB" not in logs and "Task timed out" not in logs
        assert "lost the Runtime API" not in logs
        # The copy's environments are retired once the sweep is done.
        copy = sweep_function_name("picky")
        run(qloop, wait_for(lambda: not service.environments(copy), 10))
        # Hovering the red point says why it is red.
        chart = sweep.chart
        chart.resize(560, 260)
        duration_at, _cost_at = chart.positions()[0]
        tip = hover(chart, duration_at.toPoint())
        assert "128 MB" in tip
        assert "Failed: the cold start and 2 of 2 warm runs failed: ValueError" in tip
        assert QApplication.activeModalWidget() is None
    finally:
        run(qloop, service.close(), 15)


def test_the_sweep_chart_answers_a_real_tooltip_event(qtbot):
    """A QHelpEvent over a point shows its figures; over empty space, nothing and no error."""
    chart = SweepChart()
    qtbot.addWidget(chart)
    chart.resize(560, 260)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_points(
        [
            ChartPoint(128, 200.0, 0.0000004),
            ChartPoint(512, 60.0, 0.0000005, errors=1, problem="1 of 5 ran out of memory"),
        ]
    )
    first, _ = chart.positions()[0]
    assert "128 MB" in hover(chart, first.toPoint())
    second, _ = chart.positions()[1]
    assert "Failed: 1 of 5 ran out of memory" in hover(chart, second.toPoint())
    hover(chart, QPoint(2, 2))  # nothing there: the tooltip goes away
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)


def test_sample_events_are_listed_by_human_names(qtbot):
    """The chooser says "API Gateway HTTP API request", keeps the key as detail, and loads it."""
    pane = EventPane()
    qtbot.addWidget(pane)
    pane.set_samples({key: {"sample": key} for key in sample_keys()})
    texts = [pane.samples.itemText(i) for i in range(1, pane.samples.count())]
    assert "API Gateway HTTP API request" in texts and "S3 object created" in texts
    assert "apigw-http" not in texts
    index = pane.samples.findText("S3 object created")
    assert pane.samples.itemData(index) == "s3-put"
    tip = pane.samples.itemData(index, 3)  # Qt.ToolTipRole
    assert "s3-put" in tip
    pane.samples.setCurrentIndex(index)
    pane.samples.activated.emit(index)
    assert '"sample": "s3-put"' in pane.editor.toPlainText()
    assert all(sample_name(key) for key in sample_keys())
