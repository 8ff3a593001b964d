"""What a feature (triggers, lessons, packages, intents) may ask of the main window, by intent.

Features get this port, never the window's panes: they say "show this message", "add this
side tab", "the code's path", not `window.event_pane.editor.setPlainText`. MainWindow
implements it; a feature can be built against any object that does (mu's logic calls
`view.show_message` the same way). It names no MainWindow, so no feature imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction, QIcon
    from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

    from workbench.core.events import LogLine
    from workbench.core.service import LambdaService
    from workbench.packages.tools import PackageTools
    from workbench.ui.controller import Controller
    from workbench.ui.panes.load_pane import LoadPane
    from workbench.ui.triggers.manager import TriggerManager


class TriggerFeature(Protocol):
    """What intents use of the triggers feature (ui/triggers/wiring.py's TriggerUi)."""

    manager: TriggerManager
    buckets_dir: Path
    panel: QWidget
    bucket_view: QWidget
    load_pane: LoadPane


class WindowPort(Protocol):
    """The main window as features see it: intent-named calls, no panes."""

    controller: Controller
    settings: QSettings
    service: LambdaService | None
    trigger_ui: TriggerFeature
    # ui/intents.py's WorkspaceIntents (what lesson action links ask for); Any, because it is
    # built on this port and naming its type here would make the two modules import each other.
    intents: Any

    # ----- telling the learner -----------------------------------------------------------
    def show_message(self, text: str) -> None:
        """A transient status-bar message."""

    def add_logs(self, lines: Iterable[LogLine]) -> None:
        """Log lines for the log view (as the engine's own arrive)."""

    def dialog_parent(self) -> QWidget:
        """The widget dialogs, docks and window-wide actions belong to."""

    # ----- places features add to ---------------------------------------------------------
    def add_side_tab(
        self,
        page: QWidget,
        title: str,
        tip: str,
        icon: QIcon | None = None,
        after: QWidget | None = None,
    ) -> None:
        """A tab beside Function settings and Billing (right after `after` when given)."""

    def remove_side_tab(self, page: QWidget) -> None:
        """Take a side tab away (its page is kept)."""

    def show_side(self, page: QWidget) -> None:
        """Bring a side tab to the front."""

    def has_side_tab(self, page: QWidget) -> bool:
        """Whether a page is one of the side tabs now."""

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the left of the status bar's right-hand side."""

    def function_menu(self) -> QMenu:
        """The Function menu (Invoke, then what features add)."""

    def add_toolbar_action(self, action: QAction) -> None:
        """An action on the main toolbar, after Invoke."""

    def add_file_actions(self, actions: list[QAction]) -> None:
        """Actions in the File menu, right below Save."""

    def add_view_toggle(self, action: QAction) -> None:
        """An action at the top of the View menu, its shortcut live while menus are hidden."""

    def add_dock(self, dock: QDockWidget) -> None:
        """A dock at the window's left."""

    def resize_dock(self, dock: QDockWidget, width: int) -> None:
        """Set a dock's width."""

    def on_close(self, slot: Callable[[], None]) -> None:
        """Call slot when the window closes (before the engine shuts down)."""

    # ----- the workspace ------------------------------------------------------------------
    def follow_clock(self, now: Callable[[], float]) -> None:
        """The timeline's "now" follows the engine's clock (which runs fast while idle)."""

    def event_text(self) -> str:
        """The event editor's text (what the next Invoke sends)."""

    def set_event_text(self, text: str) -> None:
        """Put an event in the event editor."""

    def saved_events(self) -> dict[str, str]:
        """The open function's saved test events, name → JSON text."""

    def trigger_specs(self) -> list[Any]:
        """What the function's running triggers were added with (TriggerSpec each)."""

    def code_path(self) -> Path | None:
        """The file the code editor shows."""

    def code_modified(self) -> bool:
        """Whether the code editor has unsaved edits."""

    def save_code(self) -> bool:
        """Save the code editor's file; whether it was saved."""

    def show_code_file(self, path: Path) -> None:
        """Show another file of the function in the code editor."""

    def set_runtime_tools(self, tools: PackageTools) -> None:
        """The backend's runtimes and image builds, for the runtime picker."""

    def open_and_deploy(self, folder: Path, event_text: str = "") -> bool:
        """Open a function folder and deploy it, as File → Open does."""

    def show_pane(self, name: str) -> None:
        """Bring a pane to the front: timeline, logs, result, billing or editor."""
