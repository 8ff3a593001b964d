"""A learner's progress: pure values and updates, plus a store that saves them atomically.

progress.json (in the user data folder) keeps, per lesson: steps done, quiz answers, hints
revealed, exercise attempts and whether it passed. The learner's code for each lesson lives
beside it in lessons/<id>/, copied from the lesson's starter on first open.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import platformdirs

from workbench.lessons.model import Lesson, QuizFeedback, grade

if TYPE_CHECKING:  # progress records results; it never runs a check
    from workbench.lessons.runner import ExerciseResult

APP_NAME = "lambda-workbench"
FILE_NAME = "progress.json"
FORMAT_VERSION = 1
Status = Literal["new", "started", "done"]


@dataclass(frozen=True)
class LessonProgress:
    """One lesson's progress."""

    steps_done: tuple[str, ...] = ()
    quiz: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # question → choices
    hints_shown: int = 0
    attempts: int = 0
    exercise_passed: bool = False
    last_summary: str = ""
    opened_at: float | None = None
    passed_at: float | None = None

    def status(self) -> Status:
        if self.exercise_passed:
            return "done"
        touched = self.steps_done or self.quiz or self.hints_shown or self.attempts
        return "started" if touched or self.opened_at else "new"

    def quiz_score(self, lesson: Lesson) -> tuple[int, int]:
        """(answered correctly, questions) for this lesson's quiz."""
        right = sum(
            grade(q, self.quiz[i]).correct for i, q in enumerate(lesson.quiz) if i in self.quiz
        )
        return right, len(lesson.quiz)


@dataclass(frozen=True)
class Progress:
    """Every lesson's progress, and the lesson last opened (to resume)."""

    lessons: Mapping[str, LessonProgress] = field(default_factory=dict)
    current: str | None = None

    def of(self, lesson_id: str) -> LessonProgress:
        return self.lessons.get(lesson_id, LessonProgress())


# --- pure updates ----------------------------------------------------------------------------


def _with(progress: Progress, lesson_id: str, **changes: Any) -> Progress:
    lessons = dict(progress.lessons)
    lessons[lesson_id] = replace(progress.of(lesson_id), **changes)
    return replace(progress, lessons=lessons)


def opened(progress: Progress, lesson_id: str, now: float) -> Progress:
    """The lesson is opened: it becomes the one to resume."""
    first = progress.of(lesson_id).opened_at or now
    return replace(_with(progress, lesson_id, opened_at=first), current=lesson_id)


def step_done(progress: Progress, lesson_id: str, step_id: str) -> Progress:
    done = progress.of(lesson_id).steps_done
    return progress if step_id in done else _with(progress, lesson_id, steps_done=(*done, step_id))


def quiz_answered(
    progress: Progress, lesson_id: str, question: int, chosen: tuple[int, ...]
) -> Progress:
    answers = dict(progress.of(lesson_id).quiz)
    answers[question] = tuple(sorted(set(chosen)))
    return _with(progress, lesson_id, quiz=answers)


def hint_revealed(progress: Progress, lesson_id: str, total: int) -> Progress:
    shown = progress.of(lesson_id).hints_shown
    return _with(progress, lesson_id, hints_shown=min(shown + 1, total))


def exercise_checked(
    progress: Progress, lesson_id: str, result: ExerciseResult, now: float
) -> Progress:
    """An attempt is recorded; once passed, the exercise stays passed."""
    before = progress.of(lesson_id)
    passed = before.exercise_passed or result.passed
    return _with(
        progress,
        lesson_id,
        attempts=before.attempts + 1,
        exercise_passed=passed,
        last_summary=result.summary(),
        passed_at=before.passed_at or (now if result.passed else None),
    )


def lesson_reset(progress: Progress, lesson_id: str) -> Progress:
    lessons = {k: v for k, v in progress.lessons.items() if k != lesson_id}
    return replace(progress, lessons=lessons)


# --- JSON ------------------------------------------------------------------------------------


def to_json(progress: Progress) -> dict[str, Any]:
    lessons = {}
    for lesson_id, lp in progress.lessons.items():
        data = asdict(lp)
        data["steps_done"] = list(lp.steps_done)
        data["quiz"] = {str(q): list(c) for q, c in lp.quiz.items()}
        lessons[lesson_id] = data
    return {"version": FORMAT_VERSION, "current": progress.current, "lessons": lessons}


def from_json(data: Any) -> Progress:
    """Progress from its JSON; ValueError if it is not progress of a known version."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError("not a progress file of version 1")
    lessons = {}
    for lesson_id, raw in dict(data.get("lessons", {})).items():
        known = {k: v for k, v in raw.items() if k in LessonProgress.__dataclass_fields__}
        known["steps_done"] = tuple(known.get("steps_done", ()))
        known["quiz"] = {int(q): tuple(c) for q, c in dict(known.get("quiz", {})).items()}
        lessons[str(lesson_id)] = LessonProgress(**known)
    current = data.get("current")
    return Progress(lessons, current if isinstance(current, str) else None)


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def default_data_dir() -> Path:
    """The user data folder the app uses too."""
    return Path(platformdirs.user_data_dir(APP_NAME))


class ProgressStore:
    """The learner's progress on disk: every change is saved at once, atomically."""

    def __init__(self, data_dir: Path | None = None, clock: Callable[[], float] = time.time):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.data_dir / FILE_NAME
        self.code_root = self.data_dir / "lessons"
        self.recovered_from: Path | None = None  # where an unreadable file was moved aside
        self._clock = clock
        self.progress = self._load()

    def _load(self) -> Progress:
        if not self.path.is_file():
            return Progress()
        try:
            return from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError):
            # Keep the unreadable file for a human to look at; start afresh.
            aside = self.path.with_name(f"{FILE_NAME}.unreadable-{int(self._clock())}")
            os.replace(self.path, aside)
            self.recovered_from = aside
            return Progress()

    def _save(self, progress: Progress) -> None:
        self.progress = progress
        write_atomically(self.path, json.dumps(to_json(progress), indent=2) + "\n")

    def of(self, lesson: Lesson) -> LessonProgress:
        return self.progress.of(lesson.id)

    def code_dir(self, lesson: Lesson) -> Path:
        """The learner's own copy of the lesson's code (not created here)."""
        return self.code_root / lesson.id

    def open(self, lesson: Lesson) -> Path:
        """Open a lesson: copy its starter on first open; returns the learner's code folder."""
        target = self.code_dir(lesson)
        if not target.exists():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(lesson.starter_dir, target, ignore=ignore)
        self._save(opened(self.progress, lesson.id, self._clock()))
        return target

    def mark_step(self, lesson: Lesson, step_id: str) -> None:
        lesson.step(step_id)  # KeyError for a step the lesson does not have
        self._save(step_done(self.progress, lesson.id, step_id))

    def answer(self, lesson: Lesson, question: int, chosen: tuple[int, ...]) -> QuizFeedback:
        """Record an answer to a quiz question and return how it went."""
        verdict = grade(lesson.quiz[question], chosen)
        self._save(quiz_answered(self.progress, lesson.id, question, verdict.chosen))
        return verdict

    def reveal_hint(self, lesson: Lesson) -> str | None:
        """The next hint (now counted as shown), or None when all are out."""
        shown = self.of(lesson).hints_shown
        if shown >= len(lesson.hints):
            return None
        self._save(hint_revealed(self.progress, lesson.id, len(lesson.hints)))
        return lesson.hints[shown]

    def shown_hints(self, lesson: Lesson) -> tuple[str, ...]:
        return lesson.hints[: self.of(lesson).hints_shown]

    def record(self, lesson: Lesson, result: ExerciseResult) -> None:
        self._save(exercise_checked(self.progress, lesson.id, result, self._clock()))

    def reset(self, lesson: Lesson) -> Path:
        """Forget a lesson's progress and put its starter code back; returns the code folder."""
        shutil.rmtree(self.code_dir(lesson), ignore_errors=True)
        self._save(lesson_reset(self.progress, lesson.id))
        return self.open(lesson)
