"""A lesson's quiz: one box per question, radio buttons or check boxes, graded on Submit."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from workbench.lesson_html.render import Colours
    from workbench.lessons import Question, QuizFeedback


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported when a quiz is first shown, not at start-up

    return MarkdownIt("commonmark", {"html": False})


def inline(text: str) -> str:
    """A line of Markdown (`code`, **bold**) as label rich text."""
    return _markdown().renderInline(text)


def feedback_html(question: Question, verdict: QuizFeedback, c: Colours) -> str:
    """Right or not, then every choice's explanation, the learner's picks marked."""
    if verdict.correct:
        head = f'<span style="color:{c.ok}; font-weight:600;">✓ Right.</span>'
    else:
        head = f'<span style="color:{c.error}; font-weight:600;">✗ Not quite.</span>'
    rows = []
    for index, choice in enumerate(question.choices):
        sign = "✓" if choice.correct else "✗"
        colour = c.ok if choice.correct else c.error
        picked = " <i>(your answer)</i>" if index in verdict.chosen else ""
        rows.append(
            f'<p style="margin:3px 0;"><span style="color:{colour};">{sign}</span> '
            f"<b>{inline(choice.text)}</b>{picked}: {inline(choice.explanation)}</p>"
        )
    return head + "".join(rows)


class ChoiceLabel(QLabel):
    """A choice's text, wrapped (a radio button's own text cannot wrap); a click picks it."""

    def __init__(self, text: str, button: QAbstractButton) -> None:
        super().__init__(inline(text))
        self._button = button
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setToolTip(button.toolTip())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._button.click()
        event.accept()


def _choice_row(button: QAbstractButton, text: str) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(6)
    row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(ChoiceLabel(text, button), 1)
    return row


class QuestionBox(QGroupBox):
    """One question: its prompt, its choices, Submit, and the feedback once answered."""

    sig_submit = Signal(int, tuple)
    """(question index, chosen choice indices)."""

    def __init__(self, index: int, total: int, question: Question) -> None:
        super().__init__(f"Question {index + 1} of {total}")
        self.index, self.question = index, question
        prompt = QLabel(inline(question.prompt))
        prompt.setWordWrap(True)
        prompt.setTextFormat(Qt.TextFormat.RichText)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not question.multiple)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        if question.multiple:
            hint = QLabel("Choose every answer that applies.")
            hint.setObjectName("hint")
            layout.addWidget(hint)
        for number, choice in enumerate(question.choices):
            button: QAbstractButton = QCheckBox() if question.multiple else QRadioButton()
            button.setToolTip("Pick this answer, then Submit")
            button.setAccessibleName(choice.text)
            self.group.addButton(button, number)
            layout.addLayout(_choice_row(button, choice.text))
        self.submit = QPushButton("Submit")
        self.submit.setToolTip("Check this answer and see why each choice is right or wrong")
        self.submit.clicked.connect(self._submit)
        row = QHBoxLayout()
        row.addWidget(self.submit)
        row.addStretch(1)
        layout.addLayout(row)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.setObjectName("quizFeedback")
        self.feedback.hide()
        layout.addWidget(self.feedback)
        self.group.buttonToggled.connect(self._update_submit)
        self._update_submit()

    def chosen(self) -> tuple[int, ...]:
        """The choices ticked now (0-based)."""
        return tuple(sorted(self.group.id(b) for b in self.group.buttons() if b.isChecked()))

    def set_chosen(self, chosen: tuple[int, ...]) -> None:
        """Tick exactly these choices."""
        for button in self.group.buttons():
            button.setChecked(self.group.id(button) in chosen)

    def show_feedback(self, verdict: QuizFeedback, c: Colours) -> None:
        """Show how an answer went under the question."""
        self.feedback.setText(feedback_html(self.question, verdict, c))
        self.feedback.show()

    def _submit(self) -> None:
        if self.chosen():
            self.sig_submit.emit(self.index, self.chosen())

    def _update_submit(self, *_: object) -> None:
        self.submit.setEnabled(bool(self.chosen()))


class QuizView(QScrollArea):
    """Every question of a lesson's quiz, scrolled together."""

    sig_answer = Signal(int, tuple)
    """(question index, chosen choice indices): grade and save this answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.boxes: list[QuestionBox] = []
        self.setWidget(QWidget())

    def set_quiz(
        self,
        questions: tuple[Question, ...],
        answered: Mapping[int, tuple[int, ...]],
        verdicts: Mapping[int, QuizFeedback],
        c: Colours,
    ) -> None:
        """Show a quiz, with earlier answers and their feedback restored."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 8, 10, 8)
        title = QLabel("Check your understanding")
        title.setObjectName("paneTitle")
        layout.addWidget(title)
        self.boxes = []
        for index, question in enumerate(questions):
            box = QuestionBox(index, len(questions), question)
            if index in answered:
                box.set_chosen(answered[index])
                box.show_feedback(verdicts[index], c)
            box.sig_submit.connect(self.sig_answer)
            layout.addWidget(box)
            self.boxes.append(box)
        layout.addStretch(1)
        self.setWidget(page)

    def show_feedback(self, index: int, verdict: QuizFeedback, c: Colours) -> None:
        """Show how an answer went under the question."""
        self.boxes[index].show_feedback(verdict, c)
