"""The Add trigger form for a local S3 bucket: folder, prefix, suffix and event types."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from workbench.triggers.bucket import ENDPOINT_VARIABLE, bucket_name_for
from workbench.ui.triggers.form_base import Message, TriggerForm, form_layout, hint, stacked
from workbench.ui.triggers.specs import BucketSpec, check_events, check_folder, loop_risk


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
        self.endpoint = hint(
            f"Handlers get {ENDPOINT_VARIABLE}=http://{bind_host}:<port chosen at start> and "
            "dummy credentials, so boto3 code written for AWS (s3.get_object, s3.put_object) "
            "runs unchanged.",
            "The local S3 endpoint answers GetObject, PutObject, HeadObject, DeleteObject and "
            "ListObjectsV2",
        )
        form = form_layout(self)
        form.addRow(hint(self.summary))
        form.addRow("Folder", stacked(row, self.folder_message))
        form.addRow("Prefix", self.prefix)
        form.addRow("Suffix", self.suffix)
        form.addRow("Events", stacked(events, self.events_message))
        form.addRow("S3 endpoint", self.endpoint)
        form.addRow("", self.loop_warning)
        for field in (self.folder, self.prefix, self.suffix):
            field.textChanged.connect(self.revalidate)
        for box in (self.put, self.delete):
            box.toggled.connect(self.revalidate)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose the bucket's folder")
        if chosen:
            self.folder.setText(chosen)

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
        if folder is None or kinds is None:
            self.loop_warning.show_ok("")
            return None
        spec = BucketSpec(folder, self.prefix.text(), self.suffix.text(), kinds)
        self.loop_warning.show_warning(loop_risk(spec))
        return spec
