"""Puts triggers, the load panel and the clock control into the main window, and stops them.

Kept apart from main_window.py so that the window's own wiring stays a line long.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from workbench.core.service import LambdaService
from workbench.triggers.registry import kind_titles
from workbench.ui.panes.clock_control import ClockControl
from workbench.ui.panes.load_pane import LoadPane
from workbench.ui.triggers.add_dialog import AddTriggerDialog
from workbench.ui.triggers.bucket_view import BucketView
from workbench.ui.triggers.icons import kind_icon
from workbench.ui.triggers.manager import TriggerManager
from workbench.ui.triggers.panel import TriggersPanel

if TYPE_CHECKING:
    from workbench.ui.window_port import WindowPort

ADD_TIP = f"Add a trigger to the function: {kind_titles()}"
BUCKET_TIP = "The bucket trigger's objects: preview them, or drop files in to fire the trigger"


class TriggerUi(QObject):
    """The window's triggers, load panel and teaching clock control."""

    def __init__(self, window: WindowPort, data_dir: Path) -> None:
        super().__init__(window.dialog_parent())
        self.window = window
        self.buckets_dir = Path(data_dir) / "buckets"
        controller = window.controller
        self.manager = TriggerManager(controller, window.add_logs, self)
        self.panel = TriggersPanel(self.manager)
        self.bucket_view = BucketView(self.panel)  # parented, so it goes with the window
        self.bucket_view.hide()  # until a bucket trigger runs and its tab is added
        self.load_pane = LoadPane(controller)
        self.clock = ClockControl()
        self.dialog: AddTriggerDialog | None = None
        window.add_side_tab(self.panel, "Triggers", ADD_TIP, kind_icon("trigger"))
        window.add_side_tab(
            self.load_pane, "Load",
            "Send invocations at a rate: latency, cold starts, throttles, environments, cost",
            kind_icon("load"),
        )  # fmt: skip
        window.add_status_widget(self.clock)
        self.add_action = QAction(kind_icon("trigger"), "Add &trigger…", window.dialog_parent())
        self.add_action.setToolTip(ADD_TIP)
        self.add_action.setStatusTip(ADD_TIP)
        self.add_action.triggered.connect(lambda *_: self.show_add_dialog())
        self._place_action()
        self.panel.add_button.clicked.connect(lambda: self.show_add_dialog())
        controller.sig_config_changed.connect(self.manager.config_changed)
        controller.sig_attached.connect(self.attach)
        for source in (self.manager, self.clock, self.bucket_view):
            source.sig_message.connect(window.show_message)
        self.manager.sig_changed.connect(self._sync_bucket_tab)
        self.manager.sig_bucket_changed.connect(self.bucket_view.refresh)
        self.panel.sig_show_bucket.connect(lambda: window.show_side(self.bucket_view))

    def _sync_bucket_tab(self) -> None:
        """A Bucket tab beside Triggers while a bucket trigger runs."""
        buckets = self.manager.buckets()
        shown = buckets[-1] if buckets else None
        if shown is not self.bucket_view.trigger:
            self.bucket_view.set_trigger(shown)
        tabbed = self.window.has_side_tab(self.bucket_view)
        if shown is not None and not tabbed:
            self.window.add_side_tab(
                self.bucket_view, "Bucket", BUCKET_TIP, kind_icon("bucket"), after=self.panel
            )
        elif shown is None and tabbed:
            self.window.remove_side_tab(self.bucket_view)

    def _place_action(self) -> None:
        """Function menu and main toolbar, next to Invoke."""
        menu = self.window.function_menu()
        menu.addSeparator()
        menu.addAction(self.add_action)
        self.window.add_toolbar_action(self.add_action)

    def attach(self, service: LambdaService) -> None:
        """The engine is running: the clock control and the timeline follow its clock."""
        self.clock.attach(service)
        # Events carry the engine's clock, which runs fast while idle: "now" must too.
        self.window.follow_clock(service.clock.now)

    def show_add_dialog(self, kind: str = "api") -> AddTriggerDialog:
        """Open the Add trigger dialog (non-modal, so the window stays usable)."""
        config = self.window.controller.config
        function = config.name if config is not None else "function"
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AddTriggerDialog(
            self.manager,
            function,
            self.buckets_dir / function,
            self.window.controller.service,
            self.window.dialog_parent(),
        )
        self.dialog.accepted.connect(self._added)
        self.dialog.show_kind(kind)
        self.dialog.show()
        return self.dialog

    def _added(self) -> None:
        added = self.dialog.added if self.dialog is not None else None
        bucket = added is not None and added is self.bucket_view.trigger
        self.window.show_side(self.bucket_view if bucket else self.panel)
        if added is not None:
            self.window.show_message(f"Added: {added.title}")

    async def shutdown(self) -> None:
        """Stop the load run and every trigger (before the service closes)."""
        self.load_pane.cancel()
        await self.manager.stop_all()


def install_trigger_ui(window: WindowPort, data_dir: Path) -> TriggerUi:
    """Add the triggers, load and clock controls to a main window."""
    return TriggerUi(window, data_dir)
