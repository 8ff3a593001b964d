"""Puts the lesson reader into the main window: a dock beside the work area, and its actions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QDockWidget

from workbench.ui.lessons.dialogs import Dialogs
from workbench.ui.lessons.lesson_pane import LessonPane

if TYPE_CHECKING:
    from workbench.ui.lessons.reader import LessonReader
    from workbench.ui.window_port import WindowPort

DOCK_WIDTH = 370
MIN_WIDTH = 210  # the lesson layout needs the dock this narrow at 1280 px


def _action(window: WindowPort, text: str, tip: str, slot, keys: str = "") -> QAction:
    action = QAction(text, window.dialog_parent())
    if keys:
        action.setShortcut(QKeySequence(keys))
        tip = f"{tip} ({keys})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda *_: slot())
    return action


class LessonDock(QDockWidget):
    """The Lessons dock: the pane, its reader, and the layout it remembers."""

    def __init__(self, window: WindowPort, data_dir: Path, dialogs: Dialogs | None = None):
        super().__init__("Lessons", window.dialog_parent())
        self.setObjectName("lessonsDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.window_ = window
        self.pane = LessonPane()
        self.pane.setMinimumWidth(MIN_WIDTH)
        self.setWidget(self.pane)
        self.reader: LessonReader | None = None
        # Set by the app at start-up: the resumed lesson then loads its code and event (tests
        # that open a function of their own leave it off).
        self.drive_workspace = False
        self._data_dir, self._dialogs = Path(data_dir), dialogs
        window.add_dock(self)
        self._add_actions()
        self._title_button_tips()
        self._restore()
        window.on_close(self.save_layout)
        # Loading the course and Markdown takes ~0.25 s: only once the pane is first painted,
        # so the window reaches the screen first.
        self.pane.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pane and event.type() == QEvent.Type.Paint:
            self.pane.removeEventFilter(self)
            QTimer.singleShot(0, self.ensure_loaded)
        return False

    def ensure_loaded(self) -> LessonReader:
        """Create the reader, load the pack and resume the last lesson, once."""
        if self.reader is None:
            from workbench.ui.lessons.reader import LessonReader  # see eventFilter

            window = self.window_
            self.reader = LessonReader(
                self.pane, window, self._data_dir, window.settings, self._dialogs
            )
            self.reader.resume(load_workspace=self.drive_workspace)
        return self.reader

    def _add_actions(self) -> None:
        w = self.window_
        self.open_pack_action = _action(
            w, "Open &lesson pack…", "Open an instructor's folder of lessons", self._choose_pack
        )
        self.export_action = _action(
            w,
            "&Export progress report…",
            "Save your progress as a report for an instructor",
            self._export,
        )
        w.add_file_actions([self.open_pack_action, self.export_action])
        toggle = self.toggleViewAction()
        toggle.setText("&Lessons")
        toggle.setShortcut(QKeySequence("Ctrl+3"))
        toggle.setToolTip("Show or hide the lessons (Ctrl+3)")
        w.add_view_toggle(toggle)

    def _title_button_tips(self) -> None:
        # Qt's own float and close buttons on the title bar come without tooltips.
        tips = {
            "qt_dockwidget_closebutton": "Hide the lessons (View → Lessons, Ctrl+3, shows them)",
            "qt_dockwidget_floatbutton": "Float the lessons in a window of their own, or dock them",
        }
        for button in self.findChildren(QAbstractButton):
            if button.objectName() in tips:
                button.setToolTip(tips[button.objectName()])

    def _choose_pack(self) -> None:
        self.show()
        self.ensure_loaded().choose_pack()

    def _export(self) -> None:
        self.ensure_loaded().export_report()

    def _restore(self) -> None:
        settings = self.window_.settings
        self.setVisible(str(settings.value("lessons/dock/visible", "true")) != "false")
        width = int(settings.value("lessons/dock/width", DOCK_WIDTH) or DOCK_WIDTH)
        self.window_.resize_dock(self, max(width, MIN_WIDTH))
        split = settings.value("lessons/dock/split")
        if isinstance(split, QByteArray):
            self.pane.split.restoreState(split)

    def save_layout(self) -> None:
        """Remember whether the dock is shown, its width and the navigator's height."""
        settings = self.window_.settings
        if self.reader is not None:
            self.reader.remember_workspace()
        settings.setValue("lessons/dock/visible", "false" if self.isHidden() else "true")
        settings.setValue("lessons/dock/width", self.width())
        settings.setValue("lessons/dock/split", self.pane.split.saveState())
        settings.sync()


def install_lessons(
    window: WindowPort, data_dir: Path, dialogs: Dialogs | None = None
) -> LessonDock:
    """Add the Lessons dock and its menu actions to the window."""
    return LessonDock(window, data_dir, dialogs)
