"""The bucket view: a bucket folder's objects, a preview, and dropping files in to fire it."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.triggers.bucket_folder import TEMP_PREFIX, BadKey, key_path, scan
from workbench.triggers.bucket_trigger import BucketTrigger
from workbench.ui.triggers.previews import Preview, load_preview

REFRESH_MS = 1000  # a listing of a teaching bucket is cheap; polling misses nothing
MAX_LISTED = 5000


def size_text(size: int) -> str:
    """Bytes as people read them: 812 B, 14.2 KB, 3.1 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def upload(root: Path, source: Path, prefix: str) -> str:
    """Copy a file into the bucket under prefix; returns its key."""
    # Written under a temporary name, then renamed: the trigger sees only the whole object.
    key = f"{prefix}{source.name}"
    target = key_path(root, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(TEMP_PREFIX + target.name)
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)
    return key


class _ObjectItem(QTreeWidgetItem):
    """A listed object that sorts by its byte size in the Size column, not by the text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        if column == 1:
            role = Qt.ItemDataRole.UserRole
            return int(self.data(1, role) or 0) < int(other.data(1, role) or 0)
        return self.text(column) < other.text(column)


class BucketView(QWidget):
    """Lists a bucket folder's objects (key, size, modified) and previews the selected one."""

    sig_message = Signal(str)
    """A short status-bar message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trigger: BucketTrigger | None = None
        self._listed: dict[str, tuple[int, int]] = {}
        self.setAcceptDrops(True)
        self.heading = QLabel("No bucket")
        self.heading.setObjectName("paneTitle")
        self.heading.setToolTip("The bucket and the folder that holds its objects")
        self.add_button = QPushButton("Add file…")
        self.add_button.setToolTip(
            "Copy a file into the bucket (under the trigger's prefix) to fire the trigger; "
            "you can also drop files here"
        )
        self.add_button.clicked.connect(self.choose_files)
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the bucket's folder in the file manager")
        self.open_button.clicked.connect(self._open_folder)
        self.where = QLabel()
        self.where.setObjectName("hint")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setToolTip("The folder that holds the objects, and what fires the trigger")
        self.objects = QTreeWidget()
        self.objects.setHeaderLabels(["Key", "Size", "Modified"])
        self.objects.setRootIsDecorated(False)
        self.objects.setAlternatingRowColors(True)
        self.objects.setSortingEnabled(True)
        self.objects.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.objects.setToolTip("The bucket's objects; select one to preview it")
        header = self.objects.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.objects.currentItemChanged.connect(lambda *_: self.show_preview())
        self.image = QLabel("Select an object to preview it.\nDrop files here to upload them.")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(140, 110)
        self.image.setWordWrap(True)
        self.image.setObjectName("preview")
        self.image.setStyleSheet(
            "QLabel#preview { border: 1px solid palette(mid); border-radius: 3px;"
            " background: palette(base); }"
        )
        self.image.setToolTip("A preview of the selected object")
        self.caption = QLabel()
        self.caption.setObjectName("hint")
        self.caption.setWordWrap(True)
        self.caption.setToolTip("The selected object's format and size")
        self._pixmap: QPixmap | None = None
        self._build_layout()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.heading, 1)
        header.addWidget(self.add_button)
        header.addWidget(self.open_button)
        preview = QWidget()
        column = QVBoxLayout(preview)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.image, 1)
        column.addWidget(self.caption)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.objects)
        self.split.addWidget(preview)
        self.split.setSizes([330, 220])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.where)
        layout.addWidget(self.split, 1)

    # ----- which bucket ----------------------------------------------------------------
    def set_trigger(self, trigger: BucketTrigger | None) -> None:
        """Show this bucket trigger's folder (None: none)."""
        self.trigger = trigger
        self._listed = {}
        self.objects.clear()
        self._pixmap = None
        self.image.setPixmap(QPixmap())
        self.caption.clear()
        if trigger is None:
            self._timer.stop()
            return
        name = trigger.bucket.name if trigger.bucket else trigger.root.name
        self.heading.setText(f"s3://{name}")
        self.heading.setToolTip(f"The bucket s3://{name} is the folder {trigger.root}")
        self.where.setText(
            f"{trigger.root} · {trigger.trigger_text()} → {trigger.function}. "
            "Drop files here to upload them."
        )
        self._timer.start()
        self.refresh()

    # ----- listing -----------------------------------------------------------------------
    def refresh(self) -> None:
        """List the folder again when its objects changed."""
        if self.trigger is None:
            return
        try:
            found = scan(self.trigger.root)
        except OSError as exc:
            self.caption.setText(f"cannot read the bucket folder: {exc}")
            return
        listed = {key: (v.size, v.mtime_ns) for key, v in list(found.items())[:MAX_LISTED]}
        if listed == self._listed:
            return
        self._listed = listed
        current = self.objects.currentItem()
        selected = current.text(0) if current else None
        self.objects.setSortingEnabled(False)
        self.objects.clear()
        for key, (size, mtime_ns) in listed.items():
            modified = datetime.fromtimestamp(mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")
            item = _ObjectItem([key, size_text(size), modified])
            item.setData(1, Qt.ItemDataRole.UserRole, size)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, f"{key} — {size:,} bytes")
            self.objects.addTopLevelItem(item)
            if key == selected:
                self.objects.setCurrentItem(item)
        self.objects.setSortingEnabled(True)
        self.heading.setText(f"{self.heading.text().split(' · ')[0]} · {len(listed)} object(s)")

    def object_keys(self) -> list[str]:
        """The keys listed now."""
        count = self.objects.topLevelItemCount()
        return [self.objects.topLevelItem(i).text(0) for i in range(count)]

    def select(self, key: str) -> bool:
        """Select (and preview) an object by key."""
        for index in range(self.objects.topLevelItemCount()):
            item = self.objects.topLevelItem(index)
            if item.text(0) == key:
                self.objects.setCurrentItem(item)
                return True
        return False

    # ----- preview -----------------------------------------------------------------------
    def show_preview(self) -> Preview | None:
        """Preview the selected object."""
        item = self.objects.currentItem()
        if item is None or self.trigger is None:
            return None
        try:
            path = key_path(self.trigger.root, item.text(0))
        except BadKey:
            return None
        preview = load_preview(path)
        self._pixmap = QPixmap.fromImage(preview.image) if preview.image is not None else None
        if self._pixmap is None:
            self.image.setPixmap(QPixmap())
            self.image.setText(preview.text or "")
        self._fit_pixmap()
        self.caption.setText(f"{item.text(0)} · {item.text(1)} · {preview.caption}")
        return preview

    def preview_pixmap(self) -> QPixmap | None:
        """The decoded image being previewed, if any."""
        return self._pixmap

    def _fit_pixmap(self) -> None:
        if self._pixmap is None:
            return
        area = self.image.contentsRect().size()
        scaled = self._pixmap
        if scaled.width() > area.width() or scaled.height() > area.height():
            scaled = scaled.scaled(
                area, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self.image.setPixmap(scaled)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_pixmap()

    # ----- uploading ---------------------------------------------------------------------
    def add_files(self, paths: list[Path]) -> list[str]:
        """Copy files into the bucket under the trigger's prefix; returns their keys."""
        if self.trigger is None:
            return []
        keys = []
        for path in paths:
            if not path.is_file():
                self.sig_message.emit(f"{path.name} is not a file: only files become objects")
                continue
            try:
                keys.append(upload(self.trigger.root, path, self.trigger.spec.prefix))
            except (OSError, BadKey) as exc:
                self.sig_message.emit(f"Could not add {path.name}: {exc}")
        if keys:
            self.sig_message.emit(f"Added {', '.join(keys)} to the bucket: watch the trigger fire")
            self.refresh()
            self.select(keys[-1])
        return keys

    def choose_files(self) -> None:
        """Ask for files and add them to the bucket."""
        names, _ = QFileDialog.getOpenFileNames(self, "Add files to the bucket")
        self.add_files([Path(name) for name in names])

    def _open_folder(self) -> None:
        if self.trigger is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.trigger.root)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.trigger is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.add_files(paths)
            event.acceptProposedAction()
