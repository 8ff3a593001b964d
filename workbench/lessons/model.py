"""The lesson model: frozen values read from a lesson folder, and the problems found in one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

StepKind = Literal["read", "try_it", "exercise"]
WatchPane = Literal["timeline", "logs", "result", "billing", "editor"]
WATCH_PANES: tuple[str, ...] = ("timeline", "logs", "result", "billing", "editor")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson, pointing at a file and line (1-based)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LessonError(ValueError):
    """A lesson folder that cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Step:
    """One `## ` section of lesson.md: read it, try it, or do the exercise."""

    id: str
    title: str
    kind: StepKind
    markdown: str


@dataclass(frozen=True)
class LessonEvent:
    """A sample event a lesson offers: a JSON file in events/, or a catalogue key with params."""

    name: str
    description: str = ""
    path: Path | None = None  # events/<name>.json
    sample: str | None = None  # a key of workbench.catalogue
    params: Mapping[str, Any] = field(default_factory=dict)

    def value(self, fresh: Mapping[str, str] | None = None) -> Any:
        """The event as JSON data; a catalogue event is generated afresh (new ids, times).

        `${name}`-style placeholders get the values `fresh` gives (a check run draws new
        ones), or readable defaults (see workbench.lessons.fresh).
        """
        from workbench.lessons.fresh import substitute

        if self.path is not None:
            return substitute(json.loads(self.path.read_text(encoding="utf-8")), fresh)
        from workbench.catalogue import generate  # only lessons with catalogue events need it

        assert self.sample is not None
        return generate(self.sample, **substitute(dict(self.params), fresh))

    def payload(self, fresh: Mapping[str, str] | None = None) -> bytes:
        """The event as the bytes an invocation sends."""
        return json.dumps(self.value(fresh)).encode()

    def text(self) -> str:
        """The event pretty-printed, for an editor."""
        return json.dumps(self.value(), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class CodeReference:
    """A piece of the workbench's own source a lesson shows (read live, never copied)."""

    name: str
    path: str  # relative to the project folder, e.g. workbench/shim/bootstrap.py
    symbol: str  # a top-level function or class in it, e.g. main
    caption: str = ""


@dataclass(frozen=True)
class TryIt:
    """The guided "try it": which code folder and event to load, which panes to watch."""

    code: Literal["starter", "solution"] = "starter"
    event: str | None = None
    watch: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckSpec:
    """One check of the exercise: a named kind, its parameters, an optional feedback template."""

    index: int
    kind: str
    title: str
    params: Mapping[str, Any]
    message: str | None = None  # overrides the kind's feedback; may use {detail} and its fields
    line: int = 1  # where it starts in checks.toml


@dataclass(frozen=True)
class Choice:
    """One answer to a quiz question, with why it is right or wrong."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """A quiz question; more than one correct choice makes it a multiple-answer question."""

    prompt: str
    choices: tuple[Choice, ...]

    @property
    def answers(self) -> tuple[int, ...]:
        """The indices (0-based) of the correct choices."""
        return tuple(i for i, choice in enumerate(self.choices) if choice.correct)

    @property
    def multiple(self) -> bool:
        return len(self.answers) > 1


@dataclass(frozen=True)
class QuizFeedback:
    """How an answer went: right or not, and the explanation of each chosen choice."""

    correct: bool
    chosen: tuple[int, ...]
    explanations: tuple[str, ...]


def grade(question: Question, chosen: tuple[int, ...] | list[int]) -> QuizFeedback:
    """Mark an answer: correct when exactly the correct choices were picked."""
    picked = tuple(sorted({i for i in chosen if 0 <= i < len(question.choices)}))
    return QuizFeedback(
        correct=picked == question.answers,
        chosen=picked,
        explanations=tuple(question.choices[i].explanation for i in picked),
    )


@dataclass(frozen=True)
class Mistake:
    """A mistake seen in class, and what the checks say about it (facilitator notes)."""

    mistake: str
    check_says: str = ""
    wrong_answer: str = ""  # the lesson folder's wrong/<name>/ that reproduces it, if any


@dataclass(frozen=True)
class FacilitatorNotes:
    """An instructor's notes for one lesson (facilitator.toml): timing and common mistakes."""

    minutes_in_class: int
    timing: str = ""
    mistakes: tuple[Mistake, ...] = ()
    discuss: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A whole lesson: front matter, steps, events, the exercise's checks, quiz and hints."""

    id: str
    title: str
    concept: str
    order: int
    summary: str
    minutes: int
    folder: Path
    intro: str
    steps: tuple[Step, ...]
    events: Mapping[str, LessonEvent]
    checks: tuple[CheckSpec, ...]
    quiz: tuple[Question, ...]
    hints: tuple[str, ...]
    try_it: TryIt = TryIt()
    references: Mapping[str, CodeReference] = field(default_factory=dict)
    facilitator: FacilitatorNotes | None = None

    @property
    def wrong_dirs(self) -> tuple[Path, ...]:
        """Plausible wrong answers shipped with the lesson (wrong/<name>/): each must fail."""
        wrong = self.folder / "wrong"
        return tuple(sorted(p for p in wrong.iterdir() if p.is_dir())) if wrong.is_dir() else ()

    @property
    def starter_dir(self) -> Path:
        return self.folder / "starter"

    @property
    def solution_dir(self) -> Path:
        return self.folder / "solution"

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def event(self, name: str) -> LessonEvent:
        """The lesson's event of that name; KeyError if there is none."""
        return self.events[name]


@dataclass(frozen=True)
class LessonPack:
    """The lessons of a folder in order, and whatever stopped others from loading."""

    folder: Path
    title: str
    lessons: tuple[Lesson, ...]
    problems: tuple[Problem, ...] = ()
    solutions: str = "visible"  # workshop: visible | after-pass | instructor
    unlock_key_sha256: str = ""  # workshop: sha256 of the instructor's unlock key

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id; KeyError if there is none."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)
