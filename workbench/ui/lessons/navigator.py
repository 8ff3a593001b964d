"""The list of a pack's lessons, in course order, each marked with the learner's progress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

if TYPE_CHECKING:  # the lessons package loads after the window is on screen
    from workbench.lessons import Lesson, LessonProgress

MARKS = {"done": "✓", "started": "◐", "new": "○"}
STATUS_TEXT = {
    "done": "Exercise passed",
    "started": "Started",
    "new": "Not started yet",
}
ID_ROLE = Qt.ItemDataRole.UserRole
DONE_COLOUR = QColor("#2da44e")  # readable on light and dark backgrounds


def mark(progress: LessonProgress) -> str:
    """✓ when the exercise passed, ◐ once started, ○ before."""
    return MARKS[progress.status()]


class LessonNavigator(QListWidget):
    """Lessons with progress marks; choosing one emits its id."""

    sig_lesson_chosen = Signal(str)
    """The learner chose a lesson (its id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonNavigator")
        self.setToolTip("The lessons, in order: ✓ exercise passed, ◐ started, ○ not started")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setStyleSheet("QListWidget#lessonNavigator::item { padding: 2px 2px; }")
        self.currentItemChanged.connect(self._changed)

    def set_lessons(
        self, lessons: tuple[Lesson, ...], progress: Mapping[str, LessonProgress]
    ) -> None:
        """Show these lessons (replacing any), marked with their progress (one per lesson)."""
        self.blockSignals(True)
        self.clear()
        for lesson in lessons:
            item = QListWidgetItem()
            item.setData(ID_ROLE, lesson.id)
            self.addItem(item)
            self._decorate(item, lesson, progress[lesson.id])
        self.blockSignals(False)

    def update_progress(self, lesson: Lesson, progress: LessonProgress) -> None:
        """Refresh one lesson's mark."""
        item = self._item(lesson.id)
        if item is not None:
            self._decorate(item, lesson, progress)

    def select(self, lesson_id: str) -> None:
        """Highlight a lesson without emitting sig_lesson_chosen."""
        item = self._item(lesson_id)
        if item is not None:
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)
            self.scrollToItem(item)

    def lesson_ids(self) -> list[str]:
        """The listed lessons' ids, in order."""
        return [self.item(row).data(ID_ROLE) for row in range(self.count())]

    def texts(self) -> list[str]:
        """The rows as shown (mark, number, title)."""
        return [self.item(row).text() for row in range(self.count())]

    def _item(self, lesson_id: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            if self.item(row).data(ID_ROLE) == lesson_id:
                return self.item(row)
        return None

    @staticmethod
    def _decorate(item: QListWidgetItem, lesson: Lesson, progress: LessonProgress) -> None:
        status = progress.status()
        item.setText(f"{MARKS[status]}  {lesson.order:>2}. {lesson.title}")
        # A passed lesson reads green, as a done item does in most checklists.
        item.setData(Qt.ItemDataRole.ForegroundRole, DONE_COLOUR if status == "done" else None)
        item.setToolTip(
            f"{lesson.title} ({lesson.concept}, about {lesson.minutes} min)\n"
            f"{lesson.summary}\n{STATUS_TEXT[status]}"
        )

    def _changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.sig_lesson_chosen.emit(current.data(ID_ROLE))
