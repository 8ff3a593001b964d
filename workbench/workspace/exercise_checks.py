"""Running an exercise's checks for the reader: results as they arrive, and what they change."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from workbench.core.service import LambdaService
from workbench.lessons import (
    CheckResult,
    ExerciseResult,
    Lesson,
    ProgressStore,
    check_exercise,
)
from workbench.paths import LESSONS_DIR


class CheckRun:
    """One exercise check in progress or done: the results so far and the outcome."""

    def __init__(self, function: str = "", folder: Path | None = None) -> None:
        self.function = function  # the function checked: the one the learner looks at
        self.folder = folder
        self.results: list[CheckResult] = []
        self.outcome: ExerciseResult | None = None

    @property
    def running(self) -> bool:
        """Whether the checks are still going."""
        return self.outcome is None


async def run_checks(
    lesson: Lesson,
    code_dir: Path,
    service: LambdaService,
    run: CheckRun,
    on_update: Callable[[], None],
    name: str | None = None,
) -> ExerciseResult:
    """Run the lesson's checks, filling `run` and calling on_update after each one."""

    def on_check(result: CheckResult) -> None:
        run.results.append(result)
        on_update()

    try:
        run.outcome = await check_exercise(lesson, code_dir, service, name=name, on_check=on_check)
    except BaseException:
        # Never leave the button disabled: an interrupted check is over too.
        run.outcome = ExerciseResult(lesson.id, code_dir, tuple(run.results), "interrupted")
        on_update()
        raise
    return run.outcome


def record(store: ProgressStore, lesson: Lesson, outcome: ExerciseResult) -> None:
    """Count the attempt; a pass also marks the exercise step done."""
    store.record(lesson, outcome)
    step = next((s.id for s in lesson.steps if s.kind == "exercise"), None)
    if outcome.passed and step:
        store.mark_step(lesson, step)


def pack_key(folder: Path) -> str:
    """A short stable name for a pack folder: progress and settings are kept under it."""
    if folder.resolve() == LESSONS_DIR.resolve():
        return "course"
    digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:8]
    return f"{re.sub(r'[^A-Za-z0-9_-]', '-', folder.name)[:40]}-{digest}"


def store_for(key: str, data_dir: Path) -> ProgressStore:
    """The course keeps progress where the CLI does; each other pack in a folder of its own."""
    return ProgressStore(data_dir if key == "course" else data_dir / "packs" / key)
