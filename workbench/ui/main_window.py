"""The main window: composes the panes, menus and status bar and wires them together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
)

from workbench.core.billing import BillingMeter
from workbench.core.events import Event
from workbench.core.service import LambdaService
from workbench.paths import RESOURCES_DIR
from workbench.ui import theme
from workbench.ui.bridge import EventBridge
from workbench.ui.controller import Controller
from workbench.ui.panes.billing_pane import BillingPane
from workbench.ui.panes.editor_pane import AskRestore, EditorPane, ask_restore_with_dialog
from workbench.ui.panes.event_pane import EventPane
from workbench.ui.panes.result_pane import ResultPane
from workbench.ui.panes.settings_pane import SettingsPane
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.recovery import RecoveryStore
from workbench.ui.tasks import spawn

ICONS_DIR = RESOURCES_DIR / "icons"
DEFAULT_SIZE = (1400, 900)


def icon(name: str) -> QIcon:
    """An icon from resources/icons (empty if the file is missing)."""
    return QIcon(str(ICONS_DIR / f"{name}.svg"))


class MainWindow(QMainWindow):
    """Lambda Workbench's window: editor, event, result and logs, timeline, settings, billing."""

    sig_closed = Signal()
    """The window was closed: the app should shut the engine down and quit."""

    def __init__(
        self,
        data_dir: Path,
        *,
        settings: QSettings | None = None,
        ask_restore: AskRestore = ask_restore_with_dialog,
        samples: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Lambda Workbench")
        self.setWindowIcon(icon("app"))
        self.settings = settings or QSettings()
        self.service: LambdaService | None = None
        self.meter = BillingMeter()
        self.bridge = EventBridge(self)
        self.editor_pane = EditorPane(RecoveryStore(Path(data_dir) / "recovery"), ask_restore)
        self.event_pane = EventPane()
        self.event_pane.set_samples(samples or {})
        self.result_pane = ResultPane()
        self.timeline_pane = TimelinePane()
        self.settings_pane = SettingsPane()
        self.billing_pane = BillingPane()
        self.billing_pane.set_meter(self.meter)
        self.controller = Controller(
            self.editor_pane, self.event_pane, self.result_pane, self.settings_pane, self
        )
        self._build_layout()
        self._build_status_bar()
        self._build_actions()
        self._wire()
        self._restore_layout()
        self.set_theme(str(self.settings.value("view/theme", "system")))

    # ----- composition -------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.work_split = QSplitter(Qt.Orientation.Horizontal)
        self.work_split.addWidget(self.editor_pane)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(self.event_pane)
        self.right_split.addWidget(self.result_pane)
        self.right_split.setSizes([210, 490])
        self.work_split.addWidget(self.right_split)
        self.work_split.setSizes([720, 680])
        self.side_tabs = QTabWidget()
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.settings_pane, "Function settings")
        self.side_tabs.addTab(self.billing_pane, "Billing")
        self.side_tabs.setTabToolTip(0, "Handler, memory and timeout; Apply redeploys")
        self.side_tabs.setTabToolTip(1, "What these invocations would cost on AWS")
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal)
        self.bottom_split.addWidget(self.timeline_pane)
        self.bottom_split.addWidget(self.side_tabs)
        self.bottom_split.setSizes([1020, 380])
        self.outer_split = QSplitter(Qt.Orientation.Vertical)
        self.outer_split.addWidget(self.work_split)
        self.outer_split.addWidget(self.bottom_split)
        self.outer_split.setSizes([600, 300])
        for split in self._splitters().values():
            split.setChildrenCollapsible(False)
        self.setCentralWidget(self.outer_split)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "work": self.work_split,
            "right": self.right_split,
            "bottom": self.bottom_split,
            "outer": self.outer_split,
        }

    def _build_status_bar(self) -> None:
        self.backend_label = QLabel("Looking for a Docker engine…")
        self.backend_label.setToolTip("Where execution environments run")
        self.warm_label = QLabel("No environments")
        self.warm_label.setToolTip("Execution environments alive now (warm: ready for reuse)")
        self.statusBar().addPermanentWidget(self.warm_label)
        self.statusBar().addPermanentWidget(self.backend_label)

    def _build_actions(self) -> None:
        self.save_action = self._action(
            "&Save",
            "save",
            QKeySequence.StandardKey.Save,
            "Save the handler file (Ctrl+S)",
            self.editor_pane.save,
        )
        self.open_action = self._action(
            "&Open function folder…",
            "open",
            QKeySequence.StandardKey.Open,
            "Open another function's folder",
            self.choose_folder,
        )
        self.invoke_action = self._action(
            "&Invoke",
            "invoke",
            QKeySequence("Ctrl+Return"),
            "Save and invoke the function (Ctrl+Enter)",
            self.event_pane.request_invoke,
        )
        # Enter on the keypad is a different key: bind it too so Ctrl+Enter always works.
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.event_pane.request_invoke)
        quit_action = self._action(
            "&Quit",
            None,
            QKeySequence.StandardKey.Quit,
            "Quit and remove every environment",
            self.close,
        )
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.open_action, self.save_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        function_menu = self.menuBar().addMenu("F&unction")
        function_menu.addAction(self.invoke_action)
        view_menu = self.menuBar().addMenu("&View")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for name in theme.THEMES:
            action = QAction(name.capitalize(), self, checkable=True)
            action.setData(name)
            action.setToolTip(f"Use the {name} colour scheme")
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_actions.addAction(action)
            theme_menu.addAction(action)
        follow = QAction("&Follow now", self, checkable=True, checked=True)
        follow.setToolTip("Keep the timeline scrolled to the present")
        follow.toggled.connect(self.timeline_pane.follow.setChecked)
        self.timeline_pane.follow.toggled.connect(follow.setChecked)
        view_menu.addAction(follow)
        clear_logs = self._action(
            "&Clear logs", None, None, "Empty the log view", self.result_pane.clear_logs
        )
        view_menu.addAction(clear_logs)
        help_menu = self.menuBar().addMenu("&Help")
        about = self._action("&About", None, None, "About Lambda Workbench", self.show_about)
        help_menu.addAction(about)
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.open_action, self.save_action, self.invoke_action])
        self.addToolBar(toolbar)

    def _action(
        self,
        text: str,
        icon_name: str | None,
        shortcut: QKeySequence | QKeySequence.StandardKey | None,
        tip: str,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        return action

    def _wire(self) -> None:
        self.bridge.sig_event.connect(self.timeline_pane.on_event)
        self.bridge.sig_event.connect(self.billing_pane.on_event)
        self.bridge.sig_event.connect(self._update_warm_count)
        self.bridge.sig_logs.connect(self.result_pane.add_logs)
        self.event_pane.sig_invoke.connect(
            lambda payload, times, at_once: spawn(self.controller.invoke(payload, times, at_once))
        )
        self.event_pane.sig_can_invoke.connect(self.invoke_action.setEnabled)
        self.invoke_action.setEnabled(self.event_pane.invoke_button.isEnabled())
        self.settings_pane.sig_apply.connect(self.controller.apply_settings)
        self.result_pane.sig_source_line.connect(self.controller.go_to_source)
        self.editor_pane.sig_message.connect(self.show_message)
        self.controller.sig_message.connect(self.show_message)
        self.controller.sig_config_changed.connect(self._config_changed)

    # ----- the engine --------------------------------------------------------------------
    def attach_service(self, service: LambdaService, backend_text: str, reason: str = "") -> None:
        """Start observing a started service and deploy the open function to it."""
        self.service = service
        # The meter subscribes before the bridge so the billing pane reads updated totals.
        self.meter.attach(service.bus)
        self.bridge.attach(service.bus)
        self.controller.attach(service)
        self.set_backend_text(backend_text, reason)

    def set_backend_text(self, text: str, reason: str = "") -> None:
        """Say in the status bar which backend runs environments."""
        self.backend_label.setText(text)
        self.backend_label.setToolTip(reason or "Where execution environments run")

    def open_function(self, folder: Path) -> bool:
        """Open a function folder."""
        return self.controller.open_function(folder)

    def choose_folder(self) -> None:
        """Ask for a function folder and open it."""
        folder = QFileDialog.getExistingDirectory(self, "Open a function folder")
        if folder:
            if self.editor_pane.modified:
                self.editor_pane.save()
            self.open_function(Path(folder))
            if self.service and self.controller.config:
                self.service.deploy(self.controller.config)

    def _config_changed(self, config) -> None:
        self.setWindowTitle(f"{config.name} — Lambda Workbench")

    def _update_warm_count(self, _event: Event | None = None) -> None:
        alive = self.timeline_pane.model.alive_lanes()
        busy = sum(lane.busy for lane in alive)
        if not alive:
            text = "No environments"
        else:
            noun = "environment" if len(alive) == 1 else "environments"
            text = f"{len(alive)} {noun} warm" + (f" ({busy} busy)" if busy else "")
        self.warm_label.setText(text)

    def show_message(self, text: str) -> None:
        """A transient status-bar message."""
        self.statusBar().showMessage(text, 8000)

    # ----- theme and layout ----------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        """Apply "system", "light" or "dark" and remember it."""
        name = name if name in theme.THEMES else "system"
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, name)
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == name)
        self.settings.setValue("view/theme", name)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(*DEFAULT_SIZE)
        for name, split in self._splitters().items():
            state = self.settings.value(f"split/{name}")
            if isinstance(state, QByteArray):
                split.restoreState(state)

    def save_layout(self) -> None:
        """Remember geometry and splitter positions for the next start."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        for name, split in self._splitters().items():
            self.settings.setValue(f"split/{name}", split.saveState())
        self.settings.sync()

    def show_about(self) -> None:
        """The About box."""
        QMessageBox.about(
            self,
            "About Lambda Workbench",
            "Lambda Workbench: learn AWS Lambda by watching it happen.\n\n"
            "Your handler runs in execution environments managed by a local Lambda service; "
            "the workbench only watches their events and never runs your code itself.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Keep unsaved text in the recovery file, remember the layout, then close."""
        self.editor_pane.write_recovery()
        self.save_layout()
        super().closeEvent(event)
        self.sig_closed.emit()
