"""The function's layers: list them, add a published version, publish a folder as a new one."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.model import MAX_LAYERS
from workbench.packages.layers import LayerVersion, list_layers, publish_layer, resolve_layer
from workbench.packages.limits import PackageError
from workbench.ui.packages.contents import SizeItem
from workbench.ui.packages.jobs import start_job

HINT = (
    "Layers are merged in order into /opt (a later layer's file wins); Python finds their "
    f"python/ folder on its path. At most {MAX_LAYERS}; they count toward the 250 MB unzipped."
)


class LayersBox(QGroupBox):
    """Edits the function's list of layer versions; changes are deployed by the owner."""

    sig_layers_changed = Signal(tuple)
    """The learner added or removed a layer: the function's new tuple of NAME:N references."""

    sig_message = Signal(str, bool)
    """A line for the learner: (text, whether it reports a failure)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Layers", parent)
        self.refs: tuple[str, ...] = ()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("Layer version", "Unzipped", "Published"))
        self.table.setToolTip("The function's layers, in the order they are merged into /opt")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.available = QComboBox()
        self.available.setToolTip("Published layer versions this function does not use yet")
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add the chosen layer version to the function and deploy")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected layer off the function and deploy")
        self.publish_button = QPushButton("Publish folder…")
        self.publish_button.setToolTip(
            "Publish a folder as the next version of a layer (its content becomes /opt)"
        )
        self.hint = QLabel(HINT)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.add_button.clicked.connect(self.add_chosen)
        self.remove_button.clicked.connect(self.remove_selected)
        self.publish_button.clicked.connect(self.choose_and_publish)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.available.currentIndexChanged.connect(self._update_buttons)
        self._layout()

    def _layout(self) -> None:
        add_row = QHBoxLayout()
        add_row.addWidget(self.available, 1)
        add_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.publish_button)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(add_row)
        column.addLayout(buttons)
        column.addWidget(self.hint)

    # ----- showing -----------------------------------------------------------------------
    def set_layers(self, refs: tuple[str, ...]) -> None:
        """Show the function's layers and the published versions it could add."""
        self.refs = tuple(refs)
        self.setTitle(f"Layers ({len(self.refs)} of {MAX_LAYERS})")
        self.table.setRowCount(len(self.refs))
        for row, ref in enumerate(self.refs):
            try:
                layer = resolve_layer(ref)
            except PackageError as exc:
                cells = [QTableWidgetItem(ref), QTableWidgetItem("—"), QTableWidgetItem("")]
                cells[0].setToolTip(exc.message)
                cells[0].setForeground(Qt.GlobalColor.red)
            else:
                cells = [QTableWidgetItem(layer.ref), SizeItem(layer.unzipped_size)]
                cells.append(QTableWidgetItem(layer.created.replace("T", " ")[:16]))
                cells[0].setToolTip(layer.arn)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self.refresh_published()

    def refresh_published(self) -> None:
        """List the published versions not on the function (newest first)."""
        self.available.clear()
        versions: list[LayerVersion] = [v for v in list_layers() if v.ref not in self.refs]
        for version in sorted(versions, key=lambda v: (v.name, -v.version)):
            self.available.addItem(f"{version.ref}  ({version.created[:10]})", version.ref)
            self.available.setItemData(
                self.available.count() - 1, version.arn, Qt.ItemDataRole.ToolTipRole
            )
        if not versions:
            self.available.addItem("No other published layers: publish a folder", None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        full = len(self.refs) >= MAX_LAYERS
        self.add_button.setEnabled(not full and self.available.currentData() is not None)
        self.add_button.setToolTip(
            f"A function has at most {MAX_LAYERS} layers: remove one first"
            if full
            else "Add the chosen layer version to the function and deploy"
        )
        self.remove_button.setEnabled(bool(self.table.selectedItems()))

    # ----- changing ----------------------------------------------------------------------
    def add_chosen(self) -> None:
        """Add the chosen published version (refused past 5 layers)."""
        ref = self.available.currentData()
        if ref is None:
            return
        if len(self.refs) >= MAX_LAYERS:
            self.sig_message.emit(f"A function has at most {MAX_LAYERS} layers", True)
            return
        self.sig_layers_changed.emit((*self.refs, ref))

    def remove_selected(self) -> None:
        """Take the selected layer off the function."""
        rows = {item.row() for item in self.table.selectedItems()}
        self.sig_layers_changed.emit(tuple(r for i, r in enumerate(self.refs) if i not in rows))

    def choose_and_publish(self) -> None:
        """Ask for a folder and a layer name, then publish."""
        folder = QFileDialog.getExistingDirectory(self, "Publish a folder as a layer version")
        if not folder:
            return
        suggested = re.sub(r"[^A-Za-z0-9_-]", "-", Path(folder).name) or "layer"
        name, ok = QInputDialog.getText(self, "Layer name", "Publish as layer:", text=suggested)
        if ok and name.strip():
            self.publish(Path(folder), name.strip())

    def publish(self, folder: Path, name: str) -> None:
        """Publish `folder` as the next version of `name` on a thread; it is then offered."""
        self.publish_button.setEnabled(False)
        self.sig_message.emit(f"Publishing {folder} as layer {name}…", False)
        start_job(
            self,
            f"layer {name}",
            lambda _progress: publish_layer(name, folder),
            on_done=self._published,
            on_failed=self._publish_failed,
        )

    def _published(self, layer: LayerVersion) -> None:
        self.publish_button.setEnabled(True)
        self.refresh_published()
        self.available.setCurrentIndex(max(0, self.available.findData(layer.ref)))
        self._update_buttons()
        self.sig_message.emit(f"Published {layer.arn}: press Add to use it", False)

    def _publish_failed(self, text: str) -> None:
        self.publish_button.setEnabled(True)
        self.sig_message.emit(f"✗ Could not publish the layer: {text}", True)
