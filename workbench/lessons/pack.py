"""A folder of lessons (a course or an instructor's pack), in order, with index.toml optional."""

from __future__ import annotations

import tomllib
from pathlib import Path

from workbench.lessons import schema
from workbench.lessons.loader import read_lesson
from workbench.lessons.model import Lesson, LessonPack, Problem
from workbench.lessons.tomllines import KeyLines, error_line
from workbench.paths import LESSONS_DIR

INDEX = "index.toml"
DEFAULT_TITLE = "Lessons"


def load_pack(folder: Path = LESSONS_DIR) -> LessonPack:
    """Every lesson of a folder, in index.toml's order (else by front-matter order).

    Lessons with problems are left out and their problems kept, so a course with one broken
    lesson still opens.
    """
    folder = Path(folder).resolve()
    problems: list[Problem] = []
    title, names, workshop = _read_index(folder, problems)
    lessons: list[Lesson] = []
    for name in names:
        lesson, found = read_lesson(folder / name)
        problems.extend(found)
        if lesson is not None:
            lessons.append(lesson)
    if not (folder / INDEX).is_file():
        lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    _check_order(folder, lessons, problems)
    return LessonPack(
        folder,
        title,
        tuple(lessons),
        tuple(problems),
        solutions=str(workshop.get("solutions", "visible")),
        unlock_key_sha256=str(workshop.get("unlock_key_sha256", "")).lower(),
    )


def _read_index(folder: Path, problems: list[Problem]) -> tuple[str, list[str], dict[str, object]]:
    """The pack's title, its lesson folders (index.toml's list, or every lesson.md folder)
    and its [workshop] settings.

    A folder listed in `optional` may be missing: it is skipped (a lesson landing later).
    """
    path = folder / INDEX
    if not folder.is_dir():
        problems.append(Problem(folder, 1, "not a folder"))
        return DEFAULT_TITLE, [], {}
    if not path.is_file():
        found_here = sorted(p.parent.name for p in folder.glob("*/lesson.md"))
        if not found_here:
            problems.append(Problem(folder, 1, "no lesson folders (each holds a lesson.md)"))
        return DEFAULT_TITLE, found_here, {}
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path, error_line(exc), f"not valid TOML: {exc}"))
        return DEFAULT_TITLE, [], {}
    lines = KeyLines(text)
    found = schema.check_table(data, schema.INDEX)
    if not found and "workshop" in data:
        found = schema.check_table(data["workshop"], schema.WORKSHOP, ("workshop",))
    problems.extend(Problem(path, lines.line(p), m) for p, m in found)
    if found:
        return DEFAULT_TITLE, [], {}
    optional = set(data.get("optional", []))
    names: list[str] = []
    for name in data["lessons"]:
        line = _line_naming(text, name, lines.line(("lessons",)))
        if name in optional and not (folder / name).exists():
            continue
        if not (folder / name / "lesson.md").is_file():
            problems.append(Problem(path, line, f"no lesson folder {name}/ (with a lesson.md)"))
        elif name in names:
            problems.append(Problem(path, line, f"{name} is listed twice"))
        else:
            names.append(name)
    return data.get("title", DEFAULT_TITLE), names, dict(data.get("workshop", {}))


def _line_naming(text: str, name: str, default: int) -> int:
    """The line of index.toml that names a lesson folder in its list."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= default and (f'"{name}"' in line or f"'{name}'" in line):
            return number
    return default


def _check_order(folder: Path, lessons: list[Lesson], problems: list[Problem]) -> None:
    """Lesson ids must be unique and their front-matter order must follow the pack's."""
    seen: dict[str, Lesson] = {}
    previous: Lesson | None = None
    for lesson in lessons:
        md = lesson.folder / "lesson.md"
        if lesson.id in seen:
            problems.append(Problem(md, 2, f"id {lesson.id!r} is also {seen[lesson.id].folder}"))
        seen[lesson.id] = lesson
        if previous is not None and lesson.order <= previous.order:
            problems.append(
                Problem(
                    md,
                    2,
                    f"order {lesson.order} does not come after {previous.id}'s "
                    f"{previous.order} (index.toml lists it later)",
                )
            )
        previous = lesson
