"""The lesson pane's widgets: navigator, step bar, the rendered page or quiz, and the actions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.lessons.flow import FlowLayout
from workbench.ui.lessons.navigator import LessonNavigator
from workbench.ui.lessons.quiz_view import QuizView
from workbench.ui.widgets.code_editor import is_dark

if TYPE_CHECKING:  # the lessons and Markdown load after the window is on screen
    from workbench.lesson_html.pages import Page
    from workbench.lessons import Problem


def _relative(problem: Problem, folder: Path | None) -> str:
    """path:line: message, the path shortened to the pack's folder when inside it."""
    try:
        path = problem.path.relative_to(folder) if folder else problem.path
    except ValueError:
        path = problem.path
    return f"{path}:{problem.line}: {problem.message}"


def _button(text: str, tip: str, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    if primary:
        button.setObjectName("primary")
    return button


def _flow(*buttons: QWidget) -> QWidget:
    row = QWidget()
    layout = FlowLayout(row)
    for button in buttons:
        layout.addWidget(button)
    return row


class LessonPane(QWidget):
    """Shows a pack of lessons; the reader (reader.py) decides what each action does."""

    sig_palette_changed = Signal()
    """Light or dark changed: the page should be rendered again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonPane")
        self.pack_label = QLabel("Lessons")
        self.pack_label.setObjectName("paneTitle")
        self.pack_label.setToolTip("The lesson pack shown here")
        self.course_button = QToolButton()
        self.course_button.setText("Back to the course")
        self.course_button.setToolTip("Leave this pack and show the workbench's own course")
        self.course_button.hide()
        self.problems_label = QLabel()
        self.problems_label.setObjectName("fieldError")
        self.problems_label.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(120)
        self.problems.setToolTip("What is wrong in this pack: file:line: problem")
        self.navigator = LessonNavigator()
        self._build_page()
        self._build_layout()
        self.set_problems(())

    def _build_page(self) -> None:
        self.lesson_title = QLabel()
        self.lesson_title.setObjectName("lessonTitle")
        self.lesson_title.setWordWrap(True)
        self.prev_button = QToolButton()
        self.prev_button.setArrowType(Qt.ArrowType.LeftArrow)
        self.prev_button.setToolTip("The previous step (Alt+Left)")
        self.prev_button.setShortcut("Alt+Left")
        self.next_button = QToolButton()
        self.next_button.setArrowType(Qt.ArrowType.RightArrow)
        self.next_button.setToolTip("The next step (Alt+Right)")
        self.next_button.setShortcut("Alt+Right")
        self.step_combo = QComboBox()
        self.step_combo.setToolTip("The lesson's steps: read, try it, the exercise, the quiz")
        self.step_combo.setMinimumContentsLength(10)
        self.browser = QTextBrowser()
        # Links are followed by the reader: action buttons run in the app, web links open in
        # the browser, #anchors scroll.
        self.browser.setOpenLinks(False)
        self.browser.document().setIndentWidth(18)  # Qt's 40 px list indent wastes a narrow dock
        self.browser.setToolTip("")  # a tooltip over the whole text would hide what it says
        self.quiz = QuizView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.browser)
        self.stack.addWidget(self.quiz)
        self.try_button = _button(
            "Load code and event",
            "Put the lesson's starter code in the editor and its event in the event pane",
            primary=True,
        )
        self.check_button = _button(
            "Check my work",
            "Run the exercise's checks on your code for this lesson, through the engine",
            primary=True,
        )
        self.open_code_button = _button(
            "Open my code", "Open your code for this lesson in the editor (the event stays)"
        )
        self.hint_button = _button("Hint", "Reveal the next hint, one at a time")
        self.solution_button = _button("Solution…", "Show the reference solution (asks first)")
        self.config_button = _button(
            "function.toml…",
            "Edit this lesson's function.toml: every setting, retries and destinations too",
        )
        self.reset_button = _button(
            "Reset lesson…", "Put the starter code back and forget this lesson's progress"
        )
        self.export_button = _button(
            "Export report…", "Save a progress report for your instructor (Markdown or HTML)"
        )
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.pack_label, 1)
        header.addWidget(self.course_button)
        steps = QHBoxLayout()
        steps.addWidget(self.prev_button)
        steps.addWidget(self.step_combo, 1)
        steps.addWidget(self.next_button)
        # The buttons wrap onto more lines in a narrow dock instead of clipping their labels.
        rows = [
            (self.try_button, self.check_button, self.open_code_button),
            (self.hint_button, self.solution_button, self.config_button),
            (self.reset_button, self.export_button),
        ]
        actions, helpers, footer = (_flow(*buttons) for buttons in rows)
        page = QWidget()
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 4, 0, 0)
        inner.addWidget(self.lesson_title)
        inner.addLayout(steps)
        inner.addWidget(self.stack, 1)
        inner.addWidget(actions)
        inner.addWidget(helpers)
        inner.addWidget(self.status)
        inner.addWidget(footer)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.navigator)
        self.split.addWidget(page)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([150, 600])
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.problems)
        layout.addWidget(self.split, 1)
        self.navigator.setMinimumHeight(70)

    # ----- what the reader shows -----------------------------------------------------------
    @property
    def dark(self) -> bool:
        """Whether the pane is drawn in a dark palette."""
        return is_dark(self.palette())

    def set_problems(self, problems: tuple[Problem, ...], folder: Path | None = None) -> None:
        """List a pack's problems (file:line: message) above the lessons; hidden when none."""
        count = len(problems)
        self.problems_label.setVisible(bool(count))
        self.problems.setVisible(bool(count))
        noun = "problem" if count == 1 else "problems"
        where = f" in {folder}" if folder else ""
        self.problems_label.setText(f"⚠ {count} {noun}{where}. Lessons with none still open.")
        self.problems.setPlainText("\n".join(_relative(p, folder) for p in problems))

    def set_pages(self, pages: list[Page], index: int) -> None:
        """Fill the step chooser and select one page, without emitting its signal."""
        self.step_combo.blockSignals(True)
        self.step_combo.clear()
        for number, page in enumerate(pages, 1):
            mark = {"try_it": "▶ ", "exercise": "✎ ", "quiz": "? "}.get(page.kind, "")
            self.step_combo.addItem(f"{number}/{len(pages)}  {mark}{page.title}")
        self.step_combo.setCurrentIndex(index)
        self.step_combo.blockSignals(False)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(pages) - 1)

    def show_html(self, html: str, anchor: str = "") -> None:
        """Show a rendered page, keeping the scroll position unless told where to go."""
        from workbench.lesson_html.render import colours, style_sheet  # loaded with the lessons

        scroll = self.browser.verticalScrollBar().value()
        self.browser.document().setDefaultStyleSheet(style_sheet(colours(self.dark)))
        self.browser.setHtml(html)
        if anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.verticalScrollBar().setValue(scroll)
        self.stack.setCurrentWidget(self.browser)

    def show_quiz(self) -> None:
        """Show the quiz instead of the text."""
        self.stack.setCurrentWidget(self.quiz)

    def set_actions(self, kind: str, hints_shown: int = 0, hints: int = 0) -> None:
        """Show the buttons a page of this kind needs."""
        exercise = kind == "exercise"
        self.try_button.setVisible(kind == "try_it")
        self.check_button.setVisible(exercise)
        self.open_code_button.setVisible(exercise)
        self.solution_button.setVisible(exercise)
        self.config_button.setVisible(exercise or kind == "try_it")
        self.hint_button.setVisible(exercise and hints > 0)
        left = hints - hints_shown
        self.hint_button.setEnabled(left > 0)
        self.hint_button.setText(
            f"Hint ({hints_shown + 1} of {hints})" if left > 0 else "All hints shown"
        )

    def set_checking(self, running: bool) -> None:
        """While checks run, Check my work is disabled and says so."""
        self.check_button.setEnabled(not running)
        self.reset_button.setEnabled(not running)  # never delete the folder being checked
        self.check_button.setText("Checking…" if running else "Check my work")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.sig_palette_changed.emit()
