"""The workshop kit: when learners may see a lesson's solution, and the instructor's unlocks.

A pack's index.toml may say, for a class:

    [workshop]
    solutions = "after-pass"      # visible (default) | after-pass | instructor
    unlock_key_sha256 = "…"       # sha256 of the key an instructor gives out to unlock

- `visible`: solutions are always shown (self-study).
- `after-pass`: a lesson's solution is shown once the learner's exercise has passed, or
  once it is unlocked.
- `instructor`: only an unlock shows it (`lessons unlock ID --key KEY`, or `--all`).

Unlocks are kept beside the learner's progress, in unlocked.json, per pack title.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.lessons.model import Lesson, LessonPack
from workbench.lessons.progress import ProgressStore, write_atomically

SolutionPolicy = Literal["visible", "after-pass", "instructor"]
POLICIES: tuple[str, ...] = ("visible", "after-pass", "instructor")
UNLOCK_FILE = "unlocked.json"


class UnlockError(ValueError):
    """An unlock that was refused; the message says why."""


@dataclass(frozen=True)
class Visibility:
    visible: bool
    reason: str


def key_digest(key: str) -> str:
    """What index.toml stores for an unlock key: its sha256, so the pack does not reveal it."""
    return hashlib.sha256(key.strip().encode()).hexdigest()


def _unlocked(store: ProgressStore, pack: LessonPack) -> set[str]:
    path = store.data_dir / UNLOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    ids = data.get(pack.title, []) if isinstance(data, dict) else []
    return {str(i) for i in ids} if isinstance(ids, list) else set()


def solution_visibility(pack: LessonPack, lesson: Lesson, store: ProgressStore) -> Visibility:
    """Whether this learner may see this lesson's solution now, and why (not)."""
    policy = pack.solutions
    if policy == "visible":
        return Visibility(True, "solutions are open in this course")
    if lesson.id in _unlocked(store, pack) or "*" in _unlocked(store, pack):
        return Visibility(True, "your instructor unlocked it")
    if policy == "after-pass" and store.of(lesson).exercise_passed:
        return Visibility(True, "your exercise passed")
    if policy == "after-pass":
        return Visibility(False, "the solution opens once your exercise passes")
    return Visibility(False, "the solution opens when your instructor unlocks it")


def unlock(store: ProgressStore, pack: LessonPack, lesson_ids: list[str], key: str) -> list[str]:
    """Record unlocks (`*` for all) after checking the pack's key; returns what is unlocked."""
    if pack.solutions == "visible":
        raise UnlockError("this course shows its solutions already; there is nothing to unlock")
    if not pack.unlock_key_sha256:
        raise UnlockError("this pack has no unlock key (index.toml [workshop] unlock_key_sha256)")
    if key_digest(key) != pack.unlock_key_sha256:
        raise UnlockError("that key does not unlock this pack; ask your instructor")
    for lesson_id in lesson_ids:
        if lesson_id != "*":
            pack.lesson(lesson_id)  # KeyError for an unknown lesson
    path = store.data_dir / UNLOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    now = sorted(_unlocked(store, pack) | set(lesson_ids))
    data[pack.title] = now
    write_atomically(path, json.dumps(data, indent=2) + "\n")
    return now


def solution_files(lesson: Lesson) -> list[Path]:
    """The solution's files, for showing them (code and function.toml)."""
    return sorted(
        p for p in lesson.solution_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
