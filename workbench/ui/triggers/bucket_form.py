"""The Add trigger form for a local S3 bucket: folder, prefix, suffix and event types."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from workbench.triggers.bucket import ENDPOINT_VARIABLE, bucket_name_for, parse_buckets
from workbench.triggers.bucket_trigger import BucketSpec, check_events, check_folder, loop_risk
from workbench.ui.triggers.form_base import (
    FormContext,
    Message,
    TriggerForm,
    form_layout,
    hint,
    stacked,
)

if TYPE_CHECKING:
    from workbench.ui.triggers.cards import TriggerCard


class BucketForm(TriggerForm):
    """A folder as a bucket; warns about recursive loops and names the S3 endpoint."""

    title = "S3 bucket"
    summary = (
        "A folder is the bucket: each complete new file fires ObjectCreated:Put, each removed "
        "one ObjectRemoved:Delete (asynchronous invocation, one record per event)."
    )

    def __init__(self, default_folder: Path, bind_host: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = QLineEdit(str(default_folder))
        self.folder.setToolTip("The bucket's folder: created if it does not exist yet")
        self.choose = QPushButton("Choose…")
        self.choose.setToolTip("Pick the folder to use as the bucket")
        self.choose.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose)
        self.folder_message = Message("Whether the folder can be a bucket")
        self.prefix = QLineEdit("input/")
        self.prefix.setPlaceholderText("any prefix, e.g. input/")
        self.prefix.setToolTip("Only keys starting with this fire the trigger (case-sensitive)")
        self.suffix = QLineEdit()
        self.suffix.setPlaceholderText("any suffix, e.g. .jpg")
        self.suffix.setToolTip("Only keys ending with this fire the trigger (case-sensitive)")
        self.put = QCheckBox("Put — s3:ObjectCreated:Put")
        self.put.setChecked(True)
        self.put.setToolTip("Fire when a complete new object (file) appears")
        self.delete = QCheckBox("Delete — s3:ObjectRemoved:Delete")
        self.delete.setToolTip("Fire when an object (file) is removed")
        events = QHBoxLayout()
        events.addWidget(self.put)
        events.addWidget(self.delete)
        events.addStretch(1)
        self.events_message = Message("Which event types are chosen")
        self.loop_warning = Message("Why writing back into the bucket can loop")
        self.others = QLineEdit()
        self.others.setPlaceholderText("none, e.g. thumbnails=~/thumbs")
        self.others.setToolTip(
            "More buckets on the same S3 endpoint, without a trigger: NAME=FOLDER, separated "
            "by commas. Write results there, as AWS recommends, and no loop can happen"
        )
        self.others_message = Message("The other buckets the function can reach")
        self.endpoint = hint(
            f"Handlers get {ENDPOINT_VARIABLE}=http://{bind_host}:<port chosen at start> and "
            "credentials of their own, so boto3 code written for AWS (s3.get_object, "
            "s3.put_object, upload_file…) runs unchanged. A policy.json in the function's "
            "folder acts as its execution role.",
            "The local S3 endpoint answers Get/Put/Head/Delete/CopyObject, multipart uploads, "
            "DeleteObjects, ListObjects (v1 and v2), ListBuckets and presigned URLs",
        )
        form = form_layout(self)
        form.addRow(hint(self.summary))
        form.addRow("Folder", stacked(row, self.folder_message))
        form.addRow("Prefix", self.prefix)
        form.addRow("Suffix", self.suffix)
        form.addRow("Events", stacked(events, self.events_message))
        form.addRow("Other buckets", stacked(self.others, self.others_message))
        form.addRow("S3 endpoint", self.endpoint)
        form.addRow("", self.loop_warning)
        for field in (self.folder, self.prefix, self.suffix, self.others):
            field.textChanged.connect(self.revalidate)
        for box in (self.put, self.delete):
            box.toggled.connect(self.revalidate)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose the bucket's folder")
        if chosen:
            self.folder.setText(chosen)

    def _others(self, folder: Path | None) -> tuple[tuple[str, Path], ...] | None:
        """The other buckets typed in, or None (with the reason shown) if one is wrong."""
        items = [item for item in self.others.text().split(",") if item.strip()]
        taken = {bucket_name_for(folder): folder} if folder is not None else {}
        try:
            found = parse_buckets(items, taken)
            for path in found.values():
                check_folder(str(path))
        except ValueError as exc:
            self.others_message.show_error(str(exc))
            return None
        names = ", ".join(f"s3://{name}" for name in found)
        self.others_message.show_ok(f"also serves {names}" if names else "")
        return tuple(found.items())

    def spec(self) -> BucketSpec | None:
        try:
            folder = check_folder(self.folder.text())
        except ValueError as exc:
            self.folder_message.show_error(str(exc))
            folder = None
        else:
            created = "" if folder.exists() else " (the folder will be created)"
            self.folder_message.show_ok(f"bucket s3://{bucket_name_for(folder)}{created}")
        try:
            kinds = check_events(self.put.isChecked(), self.delete.isChecked())
        except ValueError as exc:
            self.events_message.show_error(str(exc))
            kinds = None
        else:
            self.events_message.show_ok("")
        others = self._others(folder)
        if folder is None or kinds is None or others is None:
            self.loop_warning.show_ok("")
            return None
        spec = BucketSpec(folder, self.prefix.text(), self.suffix.text(), kinds, others)
        self.loop_warning.show_warning(loop_risk(spec))
        return spec


def make_form(context: FormContext) -> BucketForm:
    return BucketForm(context.bucket_folder, context.bind_host)


def card_actions(card: TriggerCard) -> QHBoxLayout:
    """Show objects: the Bucket tab, to list, preview and add objects."""
    row = QHBoxLayout()
    button = card.controls["objects_button"] = QPushButton("Show objects")
    button.setToolTip("Open the Bucket tab: list, preview and add objects")
    button.clicked.connect(lambda: card.sig_show_objects.emit(card.trigger))
    row.addWidget(button)
    row.addStretch(1)
    return row
