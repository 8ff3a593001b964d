"""Lessons: load a course from folders of data, check exercises on the engine, keep progress.

Pure Python on asyncio (no Qt), so the app, the CLI and tests share it:

    pack = load_pack()                        # lessons/ in course order
    store = ProgressStore()                   # the learner's progress and code
    code = store.open(lesson)                 # their copy of the starter
    result = await check_exercise(lesson, code, service)
    store.record(lesson, result)
"""

from workbench.lessons.check_kinds import kinds
from workbench.lessons.checks import CheckKind
from workbench.lessons.loader import load_lesson, read_lesson
from workbench.lessons.markdown import excerpt
from workbench.lessons.model import (
    CheckSpec,
    Choice,
    CodeReference,
    Lesson,
    LessonError,
    LessonEvent,
    LessonPack,
    Problem,
    Question,
    QuizFeedback,
    Step,
    TryIt,
    grade,
)
from workbench.lessons.pack import load_pack
from workbench.lessons.progress import LessonProgress, Progress, ProgressStore
from workbench.lessons.report import render as render_report
from workbench.lessons.runner import CheckResult, ExerciseResult, check_exercise, function_name

__all__ = [
    "CheckKind",
    "CheckResult",
    "CheckSpec",
    "Choice",
    "CodeReference",
    "ExerciseResult",
    "Lesson",
    "LessonError",
    "LessonEvent",
    "LessonPack",
    "LessonProgress",
    "Problem",
    "Progress",
    "ProgressStore",
    "Question",
    "QuizFeedback",
    "Step",
    "TryIt",
    "check_exercise",
    "excerpt",
    "function_name",
    "grade",
    "kinds",
    "load_lesson",
    "load_pack",
    "read_lesson",
    "render_report",
]
