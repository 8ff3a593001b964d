"""The main window's side of the WindowPort (window_port.py): what features ask, done on the
window's own panes, menus and status bar. A mixin of MainWindow, kept apart so main_window.py
stays composition and wiring; every attribute it uses is the window's own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from workbench.core.events import LogLine
from workbench.packages.tools import PackageTools


class PortHost:
    """WindowPort calls for MainWindow (mixed into it: `self` is the window)."""

    # What the mixin uses of the window, set up by MainWindow (Any: widgets of many kinds).
    result_pane: Any
    event_pane: Any
    editor_pane: Any
    settings_pane: Any
    billing_pane: Any
    timeline_pane: Any
    side_tabs: Any
    toolbar: Any
    file_menu: Any
    view_menu: Any
    function_menu_: Any
    save_action: Any
    sig_closed: Any

    def dialog_parent(self) -> QWidget:
        """The widget dialogs, docks and window-wide actions belong to."""
        return self

    def add_logs(self, lines: Iterable[LogLine]) -> None:
        """Log lines for the log view."""
        self.result_pane.add_logs(lines)

    def add_side_tab(
        self,
        page: QWidget,
        title: str,
        tip: str,
        icon: QIcon | None = None,
        after: QWidget | None = None,
    ) -> None:
        """A tab beside Function settings and Billing (right after `after` when given)."""
        tabs = self.side_tabs
        index = tabs.count() if after is None else tabs.indexOf(after) + 1
        if icon is None:
            index = tabs.insertTab(index, page, title)
        else:
            index = tabs.insertTab(index, page, icon, title)
        tabs.setTabToolTip(index, tip)

    def remove_side_tab(self, page: QWidget) -> None:
        """Take a side tab away (its page is kept)."""
        index = self.side_tabs.indexOf(page)
        if index >= 0:
            self.side_tabs.removeTab(index)

    def show_side(self, page: QWidget) -> None:
        """Bring a side tab to the front."""
        self.side_tabs.setCurrentWidget(page)

    def has_side_tab(self, page: QWidget) -> bool:
        """Whether a page is one of the side tabs now."""
        return self.side_tabs.indexOf(page) >= 0

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the left of the status bar's right-hand side."""
        self.statusBar().insertPermanentWidget(0, widget)

    def function_menu(self) -> QMenu:
        """The Function menu (built in window_actions.py)."""
        return self.function_menu_

    def add_toolbar_action(self, action: QAction) -> None:
        """An action on the main toolbar, after Invoke."""
        self.toolbar.addAction(action)

    def add_file_actions(self, actions: list[QAction]) -> None:
        """Actions in the File menu, right below Save (and window-wide, as every action)."""
        self.addActions(actions)
        menu = self.file_menu
        listed = menu.actions()
        after = listed.index(self.save_action) + 1 if self.save_action in listed else len(listed)
        menu.insertActions(listed[after] if after < len(listed) else None, actions)

    def add_view_toggle(self, action: QAction) -> None:
        """An action at the top of the View menu, its shortcut live while menus are hidden."""
        self.addAction(action)
        listed = self.view_menu.actions()
        self.view_menu.insertAction(listed[0] if listed else None, action)

    def add_dock(self, dock: QDockWidget) -> None:
        """A dock at the window's left."""
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def resize_dock(self, dock: QDockWidget, width: int) -> None:
        """Set a dock's width."""
        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def on_close(self, slot: Callable[[], None]) -> None:
        """Call slot when the window closes."""
        self.sig_closed.connect(slot)

    def follow_clock(self, now: Callable[[], float]) -> None:
        """The timeline's "now" follows the engine's clock (which runs fast while idle)."""
        self.timeline_pane.canvas.now = now

    def event_text(self) -> str:
        """The event editor's text."""
        return self.event_pane.editor.toPlainText()

    def set_event_text(self, text: str) -> None:
        """Put an event in the event editor."""
        self.event_pane.editor.setPlainText(text)

    def saved_events(self) -> dict[str, str]:
        """The open function's saved test events."""
        return self.event_pane.saved.saved()

    def trigger_specs(self) -> list[Any]:
        """What the function's running triggers were added with."""
        return [t.spec for t in self.trigger_ui.manager.triggers if t.status == "running"]

    def code_path(self) -> Path | None:
        """The file the code editor shows."""
        return self.editor_pane.path

    def code_modified(self) -> bool:
        """Whether the code editor has unsaved edits."""
        return self.editor_pane.modified

    def save_code(self) -> bool:
        """Save the code editor's file."""
        return self.editor_pane.save()

    def show_code_file(self, path: Path) -> None:
        """Show another file of the function in the code editor."""
        self.editor_pane.open_file(path)

    def set_runtime_tools(self, tools: PackageTools) -> None:
        """The backend's runtimes and image builds, for the runtime picker."""
        self.settings_pane.runtime.set_tools(tools)

    def show_pane(self, name: str) -> None:
        """Bring a pane to the front: timeline, logs, result, billing or editor."""
        if name == "billing":
            self.side_tabs.setCurrentWidget(self.billing_pane)
        elif name == "editor":
            self.focus_code()
        elif name == "logs":
            self.focus_logs()
        self.reveal(name)
