"""Triggers in the app through the real engine: API, bucket, schedule, queue; switch and quit.

Each scenario runs as one coroutine: qasync processes Qt events once more after the loop
stops, and a trigger's poller waking then would find no running loop.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import urllib.request
from pathlib import Path

import pytest
import yaml
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from ui_helpers import run, wait_for

from workbench.app import run_window
from workbench.core.clock import TeachingClock
from workbench.core.events import InvocationCompleted
from workbench.triggers.api_trigger import ApiSpec, ApiTrigger
from workbench.triggers.bucket_trigger import BucketTrigger
from workbench.triggers.queue_trigger import QueueSpec, QueueTrigger
from workbench.triggers.schedule_trigger import ScheduleSpec
from workbench.ui.triggers.previews import load_preview
from workbench.ui.triggers.wiring import TriggerUi


@pytest.fixture
def triggers(window, engine) -> TriggerUi:
    """The window's trigger UI on a running engine."""
    return window.trigger_ui


def run_scenario(qloop, ui: TriggerUi, scenario, limit: float = 60.0):
    """Run a scenario coroutine, then stop every trigger on the same running loop.

    Stopping in a fixture would be too late: pytest-qt closes the window and processes Qt
    events before fixtures are torn down, which would wake the triggers with no loop.
    """

    async def guarded():
        try:
            return await scenario()
        finally:
            await ui.shutdown()

    return run(qloop, guarded(), limit)


async def add_from_dialog(ui: TriggerUi, kind: str, setup=None):
    """Open Add trigger on a kind, let setup fill the form, press Add; the started trigger."""
    dialog = ui.show_add_dialog(kind)
    if setup is not None:
        setup(dialog.current_form())
    assert dialog.add_button.isEnabled(), dialog.outcome.text()
    before = len(ui.manager.triggers)
    dialog.add_button.click()
    await wait_for(lambda: len(ui.manager.triggers) > before, 20)
    assert not dialog.isVisible()
    return ui.manager.triggers[-1]


async def snap(widget, path: Path) -> None:
    """Save a screenshot once Qt has applied pending layout changes."""
    await asyncio.sleep(0.05)
    widget.grab().save(str(path))


def completed(engine) -> list[InvocationCompleted]:
    return [e for e in engine.bus.history() if isinstance(e, InvocationCompleted)]


def small_png(path: Path) -> Path:
    """A 64 × 48 PNG with a recognisable drawing."""
    image = QImage(64, 48, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ddf4ff"))
    painter = QPainter(image)
    painter.setBrush(QColor("#0969da"))
    painter.drawEllipse(12, 8, 40, 32)
    painter.end()
    assert image.save(str(path), "PNG")
    return path


def fetch(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, json.loads(response.read())


def test_api_trigger_answers_http_and_logs_the_request(window, triggers, qloop, screenshots):
    """Add an API from the dialog; a real HTTP request gets the function's answer and a log line."""

    def setup(form):
        form.routes.setPlainText("GET /hello")
        form.port.setValue(0)

    async def scenario():
        dialog = triggers.show_add_dialog("api")
        setup(dialog.current_form())
        await snap(dialog, screenshots / "add_trigger_api.png")
        dialog.close()
        trigger = await add_from_dialog(triggers, "api", setup)
        assert isinstance(trigger, ApiTrigger) and trigger.status == "running"
        assert trigger.example.startswith("http://127.0.0.1:")
        assert trigger.example.endswith("/hello?name=Alice")
        status, body = await asyncio.to_thread(fetch, trigger.example)
        assert status == 200 and body["message"] == "Hello, world!"  # hello ignores the query
        logs = window.result_pane.log_text
        await wait_for(lambda: "[api] GET /hello?name=Alice → 200" in logs())
        card = triggers.panel.card_for(trigger)
        QTest.mouseClick(card.controls["test_button"], Qt.MouseButton.LeftButton)
        await wait_for(lambda: card.note.text().startswith("HTTP 200"))
        assert "Hello, world!" in card.note.text() and card.controls["test_button"].isEnabled()

    run_scenario(qloop, triggers, scenario)


def test_schedule_expression_is_validated_inline(triggers, qloop, screenshots):
    """A bad expression shows why and the valid format at once; a good one its next 5 times."""
    dialog = triggers.show_add_dialog("schedule")
    form = dialog.current_form()
    form.expression.setText("rate(0 minutes)")
    assert form.message.isVisible() and form.message.text().startswith("✗")
    assert not dialog.add_button.isEnabled()
    form.expression.setText("cron(0 12 * * *)")
    assert "cron" in form.message.text() and form.message.property("state") == "error"
    run(qloop, snap(dialog, screenshots / "add_trigger_schedule_invalid.png"))
    form.expression.setText("cron(0/5 * * * ? *)")
    assert form.message.text().startswith("✓") and dialog.add_button.isEnabled()
    assert len(form.times.text().splitlines()) == 5
    run(qloop, snap(dialog, screenshots / "add_trigger_schedule.png"))
    dialog.close()


def test_forms_flag_bad_settings_inline(triggers, qloop, tmp_path, screenshots):
    """A file as bucket folder, no event type, a short visibility timeout, a bad route or a
    port in use is flagged under its field, and Add stays disabled."""
    dialog = triggers.show_add_dialog("bucket")
    form = dialog.current_form()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    form.folder.setText(str(a_file))
    assert "is a file, not a folder" in form.folder_message.text()
    form.folder.setText(str(tmp_path / "bucket"))
    form.put.setChecked(False)
    assert "at least one event type" in form.events_message.text()
    assert not dialog.add_button.isEnabled()
    form.put.setChecked(True)
    assert dialog.add_button.isEnabled() and "loop" in form.loop_warning.text()
    run(qloop, snap(dialog, screenshots / "add_trigger_bucket.png"))
    dialog.show_kind("queue")
    form = dialog.current_form()
    form.visibility.setValue(1)  # the hello sample's timeout is 3 s
    assert "less than Function timeout" in form.message.text()
    form.visibility.setValue(30)
    form.batch_size.setValue(50)
    assert "batching window of at least 1 second" in form.message.text()
    form.window.setValue(2)
    assert dialog.add_button.isEnabled()
    run(qloop, snap(dialog, screenshots / "add_trigger_queue.png"))
    dialog.show_kind("api")
    form = dialog.current_form()
    form.routes.setPlainText("FETCH /hello")
    assert "'METHOD /path'" in form.routes_message.text() and not dialog.add_button.isEnabled()
    form.routes.setPlainText("GET /hello")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        form.port.setValue(taken.getsockname()[1])
        assert "is in use" in form.port_message.text() and not dialog.add_button.isEnabled()
    dialog.close()


def test_bucket_trigger_fires_on_a_dropped_file_and_previews_it(
    window, engine, triggers, qloop, tmp_path, screenshots
):
    """A PNG added to the bucket fires the function; the view lists it and previews the image."""
    folder = tmp_path / "photos"
    view = triggers.bucket_view

    def setup(form):
        form.folder.setText(str(folder))
        form.prefix.setText("input/")

    async def scenario():
        api = await triggers.manager.add(ApiSpec(("GET /hello",), "2.0", 0))
        trigger = await add_from_dialog(triggers, "bucket", setup)
        assert isinstance(trigger, BucketTrigger) and folder.is_dir()
        deployed = engine.function("hello").environment
        assert deployed["AWS_ENDPOINT_URL_S3"] == trigger.bucket.endpoint_url
        assert window.side_tabs.currentWidget() is view  # the Bucket tab opens for the bucket
        assert view.add_files([small_png(tmp_path / "cat.png")]) == ["input/cat.png"]
        logs = window.result_pane.log_text
        await wait_for(lambda: "[s3] ObjectCreated:Put input/cat.png" in logs(), 20)
        await wait_for(lambda: len(completed(engine)) >= 1, 20)
        assert "input/cat.png" in view.object_keys()
        assert view.select("input/cat.png")
        pixmap = view.preview_pixmap()
        assert pixmap is not None and (pixmap.width(), pixmap.height()) == (64, 48)
        assert "64 × 48 px" in view.caption.text()
        await snap(window, screenshots / "bucket_view_window.png")
        await snap(window.side_tabs, screenshots / "bucket_view_preview.png")
        window.side_tabs.setCurrentWidget(triggers.panel)
        await snap(window.side_tabs, screenshots / "triggers_panel_api_bucket.png")
        window.set_theme("dark")
        triggers.panel.refresh()
        await snap(window.side_tabs, screenshots / "triggers_panel_dark.png")
        window.set_theme("light")
        triggers.panel.card_for(trigger).controls["objects_button"].click()
        assert window.side_tabs.currentWidget() is view
        # Settings applied later keep the endpoint the handler needs.
        assert window.controller.apply_settings(window.controller.config)
        assert "AWS_ENDPOINT_URL_S3" in engine.function("hello").environment
        await triggers.manager.stop(trigger)
        await triggers.manager.stop(api)

    run_scenario(qloop, triggers, scenario)
    assert window.side_tabs.indexOf(view) == -1


def test_pillow_previews_what_qt_cannot_read(qapp, tmp_path):
    """A PCX (no Qt plugin) is decoded with Pillow; text objects are shown as text."""
    Image.new("RGB", (20, 10), "#cf222e").save(tmp_path / "red.pcx")
    preview = load_preview(tmp_path / "red.pcx")
    assert preview.image is not None and preview.image.width() == 20
    assert "Pillow" in preview.caption
    (tmp_path / "note.txt").write_text("hello bucket")
    assert load_preview(tmp_path / "note.txt").text == "hello bucket"


def test_queue_message_reaches_the_function(window, engine, triggers, qloop):
    """A message typed into the queue's card is delivered in a batch; the result is logged."""

    async def scenario():
        trigger = await add_from_dialog(triggers, "queue")
        assert isinstance(trigger, QueueTrigger)
        card = triggers.panel.card_for(trigger)
        card.controls["message"].setText('{"name": "Queue"}')
        card.controls["send_button"].click()
        logs = window.result_pane.log_text
        await wait_for(lambda: "[sqs] batch of 1" in logs() and "success" in logs(), 20)
        records = [e for e in completed(engine) if e.report.status == "success"]
        assert records and len(trigger.queue) == 0
        card.controls["message"].setText("")
        card.controls["send_button"].click()
        assert "non-empty" in card.note.text()

    run_scenario(qloop, triggers, scenario)


def test_opening_another_function_stops_its_triggers(window, triggers, qloop, tmp_path):
    """Switching to another function folder stops the old one's triggers."""
    manager = triggers.manager

    async def scenario():
        trigger = await manager.add(ScheduleSpec("rate(1 minute)"))
        assert trigger.status == "running" and manager.triggers
        other = tmp_path / "other"
        shutil.copytree(window.controller.config.code_dir, other)
        assert window.open_function(other)
        await wait_for(lambda: not manager.triggers and trigger.status == "stopped", 10)

    run_scenario(qloop, triggers, scenario)
    assert not triggers.panel.empty.isHidden()


def test_quitting_stops_every_trigger(window, qapp, qloop):
    """Closing the window stops the API (its port closes) and the queue before the engine."""
    closed = asyncio.Event()
    window.sig_closed.connect(closed.set)
    manager = window.trigger_ui.manager

    async def scenario():
        app_task = asyncio.ensure_future(run_window(window, closed, "process"))
        await wait_for(lambda: window.event_pane.invoke_button.isEnabled(), 20)
        assert isinstance(window.service.clock, TeachingClock)  # the app's clock
        api = await manager.add(ApiSpec(port=0))
        queue = await manager.add(QueueSpec())
        window.close()
        await asyncio.wait_for(app_task, 30)
        return api, queue

    qapp.setQuitOnLastWindowClosed(False)  # as the app does: it quits once the engine is closed
    try:
        api, queue = run(qloop, scenario(), 60)
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert manager.triggers == [] and api.status == queue.status == "stopped"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(api.url.rsplit(":", 1)[1]))) != 0


def test_export_to_aws_carries_the_running_triggers(window, triggers, qloop, tmp_path):
    """Export to AWS (SAM) writes the function's running triggers as its events."""
    manager = triggers.manager

    async def scenario():
        await manager.add(ScheduleSpec("rate(5 minutes)"))
        await manager.add(QueueSpec())
        return window.packages.export_to(tmp_path / "aws")

    export = run_scenario(qloop, triggers, scenario)
    window.packages.last_export.close()
    template = yaml.safe_load(export.template.read_text())
    function = next(
        r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
    )
    kinds = sorted(event["Type"] for event in function["Properties"]["Events"].values())
    assert kinds == ["SQS", "Schedule"]
