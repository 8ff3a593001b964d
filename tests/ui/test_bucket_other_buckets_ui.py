"""The app's bucket trigger with other buckets on the same S3 endpoint, typed in the form.

The open function reads each photo that fires it and writes a copy to a second bucket
declared in the Add trigger form's "Other buckets" field: AWS's source → destination
pattern, through the real engine on local processes.
"""

from __future__ import annotations

import asyncio
import shutil
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_helpers import run, wait_for

from workbench.paths import SAMPLES_DIR
from workbench.triggers.bucket_trigger import BucketTrigger

COPIER = """
import boto3
from urllib.parse import unquote_plus

s3 = boto3.client("s3")

def lambda_handler(event, context):
    record = event["Records"][0]["s3"]
    key = unquote_plus(record["object"]["key"])
    body = s3.get_object(Bucket=record["bucket"]["name"], Key=key)["Body"].read()
    s3.put_object(Bucket="thumbnails", Key=key.split("/")[-1], Body=body[::-1])
    return {"copied": key}
"""


@pytest.fixture
def function_dir(tmp_path: Path) -> Path:
    """The hello sample's settings with a handler that writes to another bucket."""
    target = tmp_path / "functions" / "hello"
    shutil.copytree(SAMPLES_DIR / "hello", target)
    (target / "lambda_function.py").write_text(textwrap.dedent(COPIER), encoding="utf-8")
    return target


def type_into(field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, text)


def test_a_handler_writes_to_another_bucket_typed_in_the_form(window, engine, qloop, tmp_path):
    ui = window.trigger_ui
    photos, thumbs = tmp_path / "photos", tmp_path / "thumbs"

    async def scenario() -> None:
        dialog = ui.show_add_dialog("bucket")
        form = dialog.current_form()
        type_into(form.folder, str(photos))
        type_into(form.prefix, "input/")
        type_into(form.others, "Thumbs=x")
        assert "not a valid bucket name" in form.others_message.text()
        assert not dialog.add_button.isEnabled()
        type_into(form.others, f"photos={thumbs}")
        assert "already a bucket named 'photos'" in form.others_message.text()
        type_into(form.others, f"thumbnails={thumbs}")
        assert "also serves s3://thumbnails" in form.others_message.text()
        assert dialog.add_button.isEnabled()
        QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        await wait_for(lambda: ui.manager.buckets(), 20)
        trigger = ui.manager.buckets()[0]
        assert isinstance(trigger, BucketTrigger) and thumbs.is_dir()
        assert any("also s3://thumbnails" in line for line in trigger.details())
        (photos / "input").mkdir(exist_ok=True)
        (photos / "input" / "a b.txt").write_text("abc")
        await wait_for(lambda: (thumbs / "a b.txt").exists(), 30)
        assert (thumbs / "a b.txt").read_text() == "cba"
        await ui.manager.stop(trigger)
        await asyncio.sleep(0)
        assert trigger.endpoint is not None and not trigger.endpoint.running

    async def guarded() -> None:
        try:
            await scenario()
        finally:
            await ui.shutdown()

    run(qloop, guarded(), 90)
