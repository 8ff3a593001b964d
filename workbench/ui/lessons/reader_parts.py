"""What the lesson reader's helpers (exercise.py, actions_runner.py) use of the reader.

They are called by LessonReader and handed the reader itself; typing them against this
Protocol rather than LessonReader keeps reader.py the only module that knows the reader
whole, so the helpers and the reader do not import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from workbench.lesson_html.render import MarkdownRenderer
    from workbench.lessons import Lesson
    from workbench.ui.lessons.dialogs import Dialogs
    from workbench.ui.lessons.lesson_pane import LessonPane
    from workbench.ui.window_port import WindowPort


class ReaderParts(Protocol):
    """The lesson reader as its helpers see it."""

    window: WindowPort
    pane: LessonPane
    dialogs: Dialogs
    renderer: MarkdownRenderer
    solution_dialog: QDialog | None
    lesson: Lesson | None

    def try_it(self, code: str | None = None) -> None:
        """Load the lesson's try-it code and event into the workspace."""
