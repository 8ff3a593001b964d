"""The main window: composes the panes, menus and status bar and wires them together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
)

from workbench.core.billing_meter import BillingMeter
from workbench.core.events import Event
from workbench.core.service import LambdaService
from workbench.ui import theme
from workbench.ui.bridge import EventBridge
from workbench.ui.controller import Controller
from workbench.ui.intents import WorkspaceIntents
from workbench.ui.lessons.dock import install_lessons
from workbench.ui.packages.feature import PackageFeature
from workbench.ui.panes.billing_pane import BillingPane
from workbench.ui.panes.editor_pane import AskRestore, EditorPane, ask_restore_with_dialog
from workbench.ui.panes.event_pane import EventPane
from workbench.ui.panes.result_pane import ResultPane
from workbench.ui.panes.settings_pane import SettingsPane
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.shortcuts import ShortcutsDialog
from workbench.ui.tasks import spawn
from workbench.ui.triggers.wiring import install_trigger_ui
from workbench.ui.unsaved import ask_unsaved
from workbench.ui.window_actions import WindowActions, icon
from workbench.ui.window_hosting import PortHost
from workbench.ui.window_layout import (
    DEFAULT_SIZE,
    LAYOUT_KEY,
    LAYOUTS,
    ScrollingTabs,
    WindowLayout,
)
from workbench.ui.workspace import NewFunctionDialog, RecentFolders
from workbench.workspace.recovery import RecoveryStore
from workbench.workspace.saved_events import SavedEvents

__all__ = ["MainWindow", "icon"]


class MainWindow(QMainWindow, PortHost, WindowLayout, WindowActions):
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
        self.data_dir = Path(data_dir)
        self.recent = RecentFolders(self.settings)
        self.recovery = RecoveryStore(self.data_dir / "recovery")
        self.editor_pane = EditorPane(self.recovery, ask_restore)
        self._close_confirmed = False  # set once the learner answered "unsaved changes?"
        self.unsaved_box: QMessageBox | None = None
        self.start_maximized = False  # set by _restore_layout on a small screen
        self.exit_code = 0  # what the app exits with (a test driver's failure sets 1)
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
        self.build_actions()
        self.toolbar.setVisible(self.layout_name == "explore")  # the lesson layout needs room
        self.packages = PackageFeature(self)  # Function menu: Package…, image, export
        self.lessons = install_lessons(self, Path(data_dir))  # the Lessons dock
        self.trigger_ui = install_trigger_ui(self, Path(data_dir))  # Triggers, Load, clock
        self.intents = WorkspaceIntents(self)  # what lesson action buttons ask for
        self.request_panel = self.intents.request_panel
        self.add_side_tab(
            self.request_panel,
            "Request",
            "Send HTTP requests to the function's API Gateway trigger",
        )
        self._wire()
        self._restore_layout()
        self.set_theme(str(self.settings.value("view/theme", "system")))

    # ----- composition -------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.side_tabs = ScrollingTabs()
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.settings_pane, "Function settings")
        self.side_tabs.addTab(self.billing_pane, "Billing")
        self.side_tabs.setTabToolTip(0, "Handler, memory and timeout; Apply redeploys")
        self.side_tabs.setTabToolTip(1, "What these invocations would cost on AWS")
        saved = str(self.settings.value(LAYOUT_KEY, "explore"))
        self.arrange(saved if saved in LAYOUTS else "explore")

    def set_layout(self, name: str) -> None:
        """Switch between the lesson and explore layouts (View → Layout), remembered."""
        if name not in LAYOUTS:
            return
        if name != self.layout_name:
            self.save_splitters()
            dock_width = self.lessons.width()
            self.arrange(name)
            self.restore_splitters()
            # A new central widget lets the dock take the surplus: keep the lesson's width
            # (once the new widgets are laid out, else Qt sizes the dock from stale hints).
            QApplication.sendPostedEvents()
            self.resizeDocks([self.lessons], [dock_width], Qt.Orientation.Horizontal)
            QTimer.singleShot(0, lambda: self.fit_lessons(dock_width))
        self.settings.setValue(LAYOUT_KEY, name)
        for action in self.layout_actions.actions():
            action.setChecked(action.data() == name)

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

    def fit_lessons(self, wanted: int | None = None) -> None:
        """In the lesson layout, narrow the lesson panel (to its minimum at most) so the code
        and event column and the response column keep the room they need."""
        dock = self.lessons
        wanted = wanted or dock.width()
        if self.layout_name == "lesson" and dock.isVisible() and not dock.isFloating():
            room = self.width() - self.lesson_central_width()
            wanted = max(dock.minimumSizeHint().width(), min(wanted, room))
        self.resizeDocks([dock], [wanted], Qt.Orientation.Horizontal)
        if self.layout_name == "lesson":
            self.fit_lesson_columns()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.layout_name == "lesson":
            QTimer.singleShot(0, self.fit_lessons)

    def set_backend_text(self, text: str, reason: str = "") -> None:
        """Say in the status bar which backend runs environments."""
        self.backend_label.setText(text)
        self.backend_label.setToolTip(reason or "Where execution environments run")

    def open_function(self, folder: Path) -> bool:
        """Open a function folder (and remember it under File → Open recent)."""
        if not self.controller.open_function(folder):
            return False
        self.recent.add(Path(folder))
        return True

    def start(self, folder: Path | None, fallback: Path) -> None:
        """The first workspace: `folder` when given; else the lesson (resumed, or lesson 1)
        when the Lessons panel is open; else the last function folder, else `fallback`."""
        if folder is not None:
            self.open_and_deploy(folder)
            return
        if self.lessons.isVisible():
            if self.settings.value(LAYOUT_KEY) is None:
                self.set_layout("lesson")  # the first launch: the layout that fits a laptop
            self.lessons.drive_workspace = True  # the reader loads the lesson's code and event
            return
        last = self.recent.last()
        self.open_and_deploy(last if last is not None else fallback)

    def open_and_deploy(self, folder: Path, event_text: str = "") -> bool:
        """Open a folder as File → Open does: save the old code, deploy, clear stale output."""
        if self.editor_pane.modified:
            self.editor_pane.save()
        if not self.open_function(Path(folder)):
            return False
        if self.controller.config is not None:
            self.controller.apply_settings(self.controller.config)
        self.clear_outputs()
        event = Path(folder) / "event.json"
        if not event_text and event.is_file():
            event_text = event.read_text(encoding="utf-8")
        if event_text:
            self.event_pane.editor.setPlainText(event_text)
        return True

    def clear_outputs(self) -> None:
        """Forget what belonged to the previous function: response, logs, sample label."""
        name = self.controller.config.name if self.controller.config else "the function"
        self.result_pane.show_message(
            f"No invocation of “{name}” yet: press Invoke (Ctrl+Enter).", "", "idle"
        )
        self.result_pane.clear_logs()
        self.event_pane.samples.setCurrentIndex(0)

    def new_function(self) -> NewFunctionDialog:
        """File → New function…: a copy of a blueprint, opened and deployed when created."""
        dialog = NewFunctionDialog(self.data_dir / "functions", self)
        dialog.setObjectName("newFunctionDialog")

        def created() -> None:
            if dialog.created is not None:
                self.open_and_deploy(dialog.created, dialog.chosen.event_text)
                self.show_message(f"Created {dialog.created.name} from “{dialog.chosen.summary}”")

        dialog.accepted.connect(created)
        dialog.open()
        return dialog

    def choose_folder(self) -> None:
        """Ask for a function folder and open it."""
        folder = QFileDialog.getExistingDirectory(self, "Open a function folder")
        if folder:
            self.open_and_deploy(Path(folder))

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
            size = self.default_size()
            self.resize(*size)
            # A laptop screen smaller than the default: fill it (the frame fits, too).
            self.start_maximized = size != DEFAULT_SIZE
        self.restore_splitters()

    def save_layout(self) -> None:
        """Remember geometry and splitter positions for the next start."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.save_splitters()
        self.settings.sync()

    def reveal(self, pane: str) -> None:
        """Make sure a pane (timeline, logs, result, billing, editor) is on screen."""
        widget = {
            "timeline": self.timeline_pane,
            "logs": self.result_pane,
            "result": self.result_pane,
            "billing": self.side_tabs,
            "editor": self.editor_pane,
        }.get(pane)
        if widget is None:
            return
        for split in self.splitters().values():
            sizes = split.sizes()
            for index in range(split.count()):
                child = split.widget(index)
                if (child is widget or child.isAncestorOf(widget)) and sizes[index] == 0:
                    sizes[index] = max(sizes) // 2
                    split.setSizes(sizes)

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

    def close_now(self) -> None:
        """Close without asking (Ctrl+C, SIGTERM): unsaved text stays in the recovery file."""
        self._close_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved edits (Save / Discard / Cancel), remember the layout, then close.

        The question is window-modal but not a nested event loop (qasync keeps running), so
        the close is refused now and repeated once the learner answered.
        """
        if self.editor_pane.modified and not self._close_confirmed:
            event.ignore()
            self.ask_unsaved()
            return
        self.editor_pane.write_recovery()
        self.save_layout()
        super().closeEvent(event)
        self.sig_closed.emit()

    def ask_unsaved(self) -> QMessageBox:
        """Save / Discard / Cancel for the editor's unsaved changes, then close accordingly."""
        if self.unsaved_box is None or not self.unsaved_box.isVisible():
            self.unsaved_box = ask_unsaved(self, self.editor_pane, self.recovery, self.close_now)
        return self.unsaved_box
