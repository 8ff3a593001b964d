"""The package window's widgets and display: files, limit bars, layers, progress and outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.model import FunctionConfig
from workbench.packages.code_update import REPLACES, layers_bytes
from workbench.packages.limits import UNZIPPED_LIMIT, ZIPPED_LIMIT, folder_size
from workbench.packages.tools import PackageTools
from workbench.packages.zips import PackageInfo
from workbench.ui.packages.contents import ContentsTable, LimitBar
from workbench.ui.packages.jobs import Work, start_job
from workbench.ui.packages.layers_box import LayersBox

ConfigSource = Callable[[], FunctionConfig | None]
Deploy = Callable[[FunctionConfig], str | None]  # None when deployed, else why not


class PackageWindow(QDialog):
    """What the package view shows; PackageView adds what its buttons do."""

    sig_message = Signal(str)
    """A short status-bar message."""

    def __init__(
        self, config: ConfigSource, deploy: Deploy, tools: Callable[[], PackageTools | None],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Deployment package")
        self.resize(980, 700)
        self._config, self._deploy, self._tools = config, deploy, tools
        self.info: PackageInfo | None = None
        self._function = ""  # whose package is shown
        self._running = 0
        self._build_widgets()
        self._layout()

    @staticmethod
    def _button(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        return button

    def _build_widgets(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.build_button = self._button(
            "Build .zip", "Zip the folder (and requirements.txt's dependencies)"
        )
        self.build_button.setObjectName("primary")
        self.wheels = QLineEdit()
        self.wheels.setPlaceholderText("Wheel folder: none, pip uses the package index")
        self.wheels.setToolTip("Install requirements.txt from the wheels in this folder only")
        self.wheels_button = self._button(
            "Wheels…", "Choose a local folder of wheels for requirements.txt"
        )
        self.import_button = self._button(
            "Import .zip…", "Open an existing .zip package to inspect and deploy"
        )
        self.deploy_button = self._button(
            "Deploy this .zip", f"Deploy the package shown. {REPLACES}"
        )
        self.image_button = self._button(
            "Build image",
            "Build the folder's Dockerfile into a container image, then deploy it",
        )
        self.source = QLabel("No package yet: build the folder or import a .zip.")
        self.source.setObjectName("hint")
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source.setWordWrap(True)
        self.zipped_bar = LimitBar(
            "Zipped", ZIPPED_LIMIT, "direct upload limit",
            "The .zip's size; Lambda takes at most 50 MB uploaded directly",
        )  # fmt: skip
        self.unzipped_bar = LimitBar(
            "Unzipped", UNZIPPED_LIMIT, "limit, layers included",
            "Code and layers extracted; Lambda allows 250 MB in all",
        )  # fmt: skip
        self.table = ContentsTable()
        self.layers = LayersBox()
        self.layers.sig_message.connect(self.say)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.log.setToolTip("Progress: pip's and Docker's output, line by line")
        self.log.setPlaceholderText("Progress of builds appears here.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.replaces = QLabel(REPLACES)
        self.replaces.setObjectName("hint")
        self.replaces.setWordWrap(True)
        self.close_button = self._button("Close", "Close this window")
        self.close_button.clicked.connect(self.close)

    def _layout(self) -> None:
        actions = QHBoxLayout()
        for widget in (self.build_button, self.wheels_button):
            actions.addWidget(widget)
        actions.addWidget(self.wheels, 1)
        for widget in (self.import_button, self.deploy_button, self.image_button):
            actions.addWidget(widget)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.layers)
        split.setSizes([600, 360])
        split.setChildrenCollapsible(False)
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(split)
        vertical.addWidget(self.log)
        vertical.setSizes([420, 120])
        footer = QHBoxLayout()
        footer.addWidget(self.replaces, 1)
        footer.addWidget(self.close_button)
        column = QVBoxLayout(self)
        for widget in (self.title, self.source):
            column.addWidget(widget)
        column.addLayout(actions)
        column.addWidget(self.zipped_bar)
        column.addWidget(self.unzipped_bar)
        column.addWidget(vertical, 1)
        column.addWidget(self.message)
        column.addLayout(footer)

    # ----- state -------------------------------------------------------------------------
    def config(self) -> FunctionConfig | None:
        return self._config()

    def refresh(self) -> None:
        """Show the open function: its folder, layers, and its size before any build."""
        config = self.config()
        if config is None:
            self.title.setText("No function is open")
            return
        if config.name != self._function:  # another function: the package shown was not its
            self._function, self.info = config.name, None
            self.table.set_entries([])
            self.source.setText("No package yet: build the folder or import a .zip.")
        self.title.setText(f"{config.name}: deployment package")
        self.setWindowTitle(f"{config.name} — deployment package")
        self.layers.set_layers(config.layers)
        self.image_button.setVisible((config.code_dir / "Dockerfile").is_file())
        if self.info is not None:
            self.show_package(self.info)
        else:
            self._run("estimate", lambda _p: folder_size(config.code_dir), self._show_estimate)
        self._update_buttons()

    def _show_estimate(self, code: int) -> None:
        if self.info is not None:
            return  # a package arrived while the folder was measured: its sizes are the truth
        config = self.config()
        layers, words = layers_bytes(config)
        self.unzipped_bar.set_size(code + layers, f" · the folder, before a build{words}")
        self.zipped_bar.set_size(None, " · build the .zip to see")

    def show_package(self, info: PackageInfo) -> None:
        """Show a .zip's files and its sizes against the limits (the function's layers added)."""
        self.info = info
        config = self.config()
        self.table.set_entries(info.entries)
        layers, words = layers_bytes(config)
        self.zipped_bar.set_size(info.zipped_size)
        self.unzipped_bar.set_size(info.unzipped_size + layers, words)
        note = "" if info.console_editable else " Over 3 MB: the console's editor can't show it."
        self.source.setText(f"{info.path} — {len(info.entries)} files.{note}")
        self._update_buttons()

    def say(self, text: str, error: bool = False) -> None:
        """A result line for the learner under the table, also kept in the progress log."""
        self.message.setText(text)
        self.message.setObjectName("fieldError" if error else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.log.appendPlainText(text)
        self.sig_message.emit(text)

    def _update_buttons(self) -> None:
        idle = not self._running
        for button in (self.build_button, self.import_button, self.image_button):
            button.setEnabled(idle)
        self.deploy_button.setEnabled(idle and self.info is not None)

    def _run(
        self, title: str, work: Work, done: Callable[[Any], None],
        failed: str | Callable[[str], None] = "",
    ) -> None:  # fmt: skip
        """Run blocking work on a thread; its lines go to the log, a failure to the message."""
        self._running += 1
        self._update_buttons()

        def finished(value: Any) -> None:
            self._running -= 1  # first: `done` may refresh, which looks at what still runs
            self._update_buttons()
            done(value)

        def refused(text: str) -> None:
            self._running -= 1
            self._update_buttons()
            if callable(failed):
                failed(text)
            else:
                self.say(f"✗ {failed or title}: {text}", True)

        start_job(
            self, title, work, on_line=self.log.appendPlainText, on_done=finished, on_failed=refused
        )
