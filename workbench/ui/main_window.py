"""The main window: composes the panes, menus and status bar and wires them together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
)

from workbench.core.billing import BillingMeter
from workbench.core.events import Event
from workbench.core.service import LambdaService
from workbench.ui import theme
from workbench.ui.bridge import EventBridge
from workbench.ui.controller import Controller
from workbench.ui.lessons.dock import install_lessons
from workbench.ui.packages.feature import PackageFeature
from workbench.ui.panes.billing_pane import BillingPane
from workbench.ui.panes.editor_pane import AskRestore, EditorPane, ask_restore_with_dialog
from workbench.ui.panes.event_pane import EventPane
from workbench.ui.panes.result_pane import ResultPane
from workbench.ui.panes.settings_pane import SettingsPane
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.recovery import RecoveryStore
from workbench.ui.saved_events import SavedEvents
from workbench.ui.shortcuts import ShortcutsDialog
from workbench.ui.tasks import spawn
from workbench.ui.triggers.wiring import install_trigger_ui
from workbench.ui.window_actions import build_actions, icon

DEFAULT_SIZE = (1400, 900)
__all__ = ["MainWindow", "icon"]


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
        self.event_pane.set_saved_events(SavedEvents(Path(data_dir) / "test-events"))
        self.result_pane = ResultPane()
        self.timeline_pane = TimelinePane()
        self.settings_pane = SettingsPane()
        self.billing_pane = BillingPane()
        self.billing_pane.set_meter(self.meter)
        self.controller = Controller(
            self.editor_pane, self.event_pane, self.result_pane, self.settings_pane, self
        )
        self.billing_pane.sweep.set_host(self.controller)
        self._build_layout()
        self._build_status_bar()
        build_actions(self)
        self.packages = PackageFeature(self)  # Function menu: Package…, image, export
        self.lessons = install_lessons(self, Path(data_dir))  # the Lessons dock
        self.trigger_ui = install_trigger_ui(self, Path(data_dir))  # Triggers, Load, clock
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
        self.bottom_split.setSizes([830, 570])
        self.outer_split = QSplitter(Qt.Orientation.Vertical)
        self.outer_split.addWidget(self.work_split)
        self.outer_split.addWidget(self.bottom_split)
        self.outer_split.setSizes([540, 360])
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

    def _wire(self) -> None:
        self.bridge.sig_event.connect(self.timeline_pane.on_event)
        self.bridge.sig_event.connect(self.billing_pane.on_event)
        self.bridge.sig_event.connect(self._update_warm_count)
        self.bridge.sig_logs.connect(self.result_pane.add_logs)
        self.bridge.sig_event.connect(self.result_pane.on_event)  # Stop: which invocations run
        self.controller.sig_attached.connect(self.result_pane.attach_service)
        self.controller.sig_config_changed.connect(self.result_pane.set_config)
        self.timeline_pane.sig_request_selected.connect(self.result_pane.select_request)
        self.billing_pane.sig_request_selected.connect(self.result_pane.select_request)
        self.billing_pane.sig_request_selected.connect(self.timeline_pane.select_request)
        self.event_pane.sig_invoke.connect(
            lambda payload, times, at_once, asynchronous: spawn(
                self.controller.invoke(payload, times, at_once, asynchronous)
            )
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
        self.packages.attach(service)
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
            if self.open_function(Path(folder)) and self.controller.config is not None:
                self.controller.apply_settings(self.controller.config)

    def _config_changed(self, config) -> None:
        self.setWindowTitle(f"{config.name} — Lambda Workbench")
        self.billing_pane.set_config(config)

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

    def focus_code(self) -> None:
        """Put the cursor in the code editor."""
        self.editor_pane.editor.setFocus()

    def focus_event(self) -> None:
        """Put the cursor in the event editor."""
        self.event_pane.editor.setFocus()

    def focus_logs(self) -> None:
        """Put the cursor in the log filter, its text selected."""
        self.result_pane.filter.setFocus()
        self.result_pane.filter.selectAll()

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help → Keyboard shortcuts (non-modal, so it can stay open while working)."""
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

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
