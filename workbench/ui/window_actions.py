"""The main window's menus, toolbar and shortcuts, bound from the table in shortcuts.py."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QToolBar

from workbench.paths import RESOURCES_DIR
from workbench.ui import theme
from workbench.ui.shortcuts import keys_of

ICONS_DIR = RESOURCES_DIR / "icons"


def icon(name: str) -> QIcon:
    """An icon from resources/icons (empty if the file is missing)."""
    return QIcon(str(ICONS_DIR / f"{name}.svg"))


class WindowActions:
    """The main window's half that builds its actions, menus and toolbar (MainWindow inherits
    it): the actions are stored as the window's own attributes."""

    def make_action(
        self,
        text: str,
        shortcut_id: str | None,
        tip: str,
        slot: Callable[[], object],
        icon_name: str | None = None,
    ) -> QAction:
        """An action with its shortcut(s) from the table, a tooltip and a status tip."""
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut_id:
            action.setShortcuts(keys_of(shortcut_id))
            keys = action.shortcut().toString()
            tip = f"{tip} ({keys.replace('Return', 'Enter')})" if keys else tip
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def build_actions(self) -> None:
        """Create the window's actions, menus and toolbar (stored as the window's attributes)."""
        w = self
        w.save_action = w.make_action(
            "&Save", "save", "Save the handler file", w.editor_pane.save, "save"
        )
        w.open_action = w.make_action(
            "&Open function folder…",
            "open",
            "Open another function's folder",
            w.choose_folder,
            "open",
        )
        w.invoke_action = w.make_action(
            "&Invoke",
            "invoke",
            "Save and invoke the function",
            w.event_pane.request_invoke,
            "invoke",
        )
        w.new_action = w.make_action(
            "&New function…",
            None,
            "A new function from a blueprint: hello world, API, S3 or SQS handler",
            w.new_function,
        )
        quit_action = w.make_action("&Quit", "quit", "Quit and remove every environment", w.close)
        file_menu = w.menuBar().addMenu("&File")
        file_menu.addActions([w.new_action, w.open_action])
        w.recent_menu = file_menu.addMenu("Open &recent")
        w.recent_menu.setToolTipsVisible(True)
        w.recent_menu.aboutToShow.connect(lambda: w._fill_recent())
        file_menu.addAction(w.save_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = w.menuBar().addMenu("&Edit")
        w.find_action = w.make_action("&Find…", "find", "Find in the code", w.editor_pane.show_find)
        edit_menu.addAction(w.find_action)
        edit_menu.addAction(
            w.make_action(
                "Format &event JSON",
                "format_event",
                "Pretty-print the event",
                w.event_pane.format_json,
            )
        )
        edit_menu.addSeparator()
        for text, shortcut_id, tip, slot in (
            ("Go to &code", "focus_code", "Put the cursor in the code editor", w.focus_code),
            ("Go to e&vent", "focus_event", "Put the cursor in the event editor", w.focus_event),
            ("Filter &logs", "focus_logs", "Type a request id to filter the logs", w.focus_logs),
        ):
            edit_menu.addAction(w.make_action(text, shortcut_id, tip, slot))

        w.file_menu = file_menu
        w.function_menu_ = w.menuBar().addMenu("F&unction")  # features add theirs (WindowPort)
        w.function_menu_.addAction(w.invoke_action)
        w._build_view_menu()
        help_menu = w.menuBar().addMenu("&Help")
        help_menu.addAction(
            w.make_action(
                "&Keyboard shortcuts",
                "shortcuts",
                "Every shortcut and mouse gesture",
                w.show_shortcuts,
            )
        )
        help_menu.addAction(w.make_action("&About", None, "About Lambda Workbench", w.show_about))
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([w.open_action, w.save_action, w.invoke_action])
        w.addToolBar(toolbar)
        w.toolbar = toolbar

    def _fill_recent(self) -> None:
        """File → Open recent: the function folders opened last, newest first."""
        w = self
        w.recent_menu.clear()
        folders = w.recent.all()
        for folder in folders:
            action = w.recent_menu.addAction(folder.name)
            action.setToolTip(str(folder))
            action.triggered.connect(lambda *_, f=folder: w.open_and_deploy(f))
        if not folders:
            w.recent_menu.addAction("No recent functions").setEnabled(False)

    def _build_view_menu(self) -> None:
        w = self
        view_menu = w.view_menu = w.menuBar().addMenu("&View")
        layout_menu = view_menu.addMenu("&Layout")
        w.layout_actions = QActionGroup(w)
        for name, text, tip in (
            (
                "lesson",
                "&Lesson",
                "Code over event beside the lesson; response, timeline, tabs right",
            ),
            ("explore", "&Explore", "Code and event side by side; timeline and tabs below"),
        ):
            action = layout_menu.addAction(text)
            action.setCheckable(True)
            action.setData(name)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setChecked(w.layout_name == name)
            action.triggered.connect(lambda *_, n=name: w.set_layout(n))
            w.layout_actions.addAction(action)
        theme_menu = view_menu.addMenu("&Theme")
        w.theme_actions = QActionGroup(w)
        for name in theme.THEMES:
            action = QAction(name.capitalize(), w, checkable=True)
            action.setData(name)
            action.setToolTip(f"Use the {name} colour scheme")
            action.triggered.connect(lambda _=False, n=name: w.set_theme(n))
            w.theme_actions.addAction(action)
            theme_menu.addAction(action)
        timeline = w.timeline_pane
        view_menu.addSeparator()
        view_menu.addAction(
            w.make_action(
                "Zoom timeline &in", "zoom_in", "Show less time in more detail", timeline.zoom_in
            )
        )
        view_menu.addAction(
            w.make_action("Zoom timeline &out", "zoom_out", "Show more time", timeline.zoom_out)
        )
        follow = w.make_action(
            "&Follow now",
            "follow",
            "Keep the timeline scrolled to the present",
            timeline.follow_now,
        )
        view_menu.addAction(follow)
        view_menu.addSeparator()
        view_menu.addAction(
            w.make_action("&Clear logs", None, "Empty the log view", w.result_pane.clear_logs)
        )
