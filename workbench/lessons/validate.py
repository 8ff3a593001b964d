"""Validating a lesson pack as `lessons check` does: files, code, and the exercise both ways.

Beyond what loading checks (schema, events, references), the code must compile and import,
each function.toml must be valid, and (given a service) the solution must pass every check
and the starter must fail at least one, through the real engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.model import CONFIG_FILE_NAME, ConfigError, load_function
from workbench.lessons.actions import ActionError, parse_action
from workbench.lessons.model import Lesson, Problem
from workbench.lessons.pack import load_pack
from workbench.lessons.runner import ExerciseResult, check_exercise, function_name
from workbench.lessons.terminal import action_links
from workbench.lessons.tomllines import KeyLines

if TYPE_CHECKING:  # the caller brings a service: `lessons check --no-run` needs no engine
    from workbench.core.service import LambdaService

IMPORT_LIMIT_S = 60.0
# Imports each module named on the command line from the current folder; prints the errors.
_IMPORTER = """
import importlib, json, sys, traceback
sys.path.insert(0, ".")
errors = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        errors[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(errors))
"""


def check_code(folder: Path) -> list[Problem]:
    """Problems with one code folder: syntax, imports (in a subprocess) and function.toml."""
    problems: list[Problem] = []
    modules = []
    for path in sorted(folder.glob("*.py")):
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        except SyntaxError as exc:
            problems.append(Problem(path, exc.lineno or 1, f"SyntaxError: {exc.msg}"))
            continue
        modules.append(path.stem)
    problems += _import_problems(folder, modules)
    try:
        load_function(folder)
    except ConfigError as exc:
        problems.append(Problem(folder / CONFIG_FILE_NAME, _setting_line(folder, exc), str(exc)))
    return problems


def _import_problems(folder: Path, modules: list[str]) -> list[Problem]:
    if not modules:
        return []
    with tempfile.TemporaryDirectory(prefix="lesson-import-") as tmp:
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": tmp, "HOME": tmp, "PYTHONDONTWRITEBYTECODE": "1"}
        # The function's own environment variables, as Lambda sets them before init (a bad
        # function.toml is reported by check_code).
        with contextlib.suppress(ConfigError):
            env = {**load_function(folder).environment, **env}
        try:
            done = subprocess.run(
                [sys.executable, "-c", _IMPORTER, *modules],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=IMPORT_LIMIT_S,
            )
            errors = json.loads(done.stdout.strip().splitlines()[-1])
        except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
            return [Problem(folder, 1, f"importing the code failed: {exc}")]
    return [
        Problem(folder / f"{name}.py", 1, f"does not import: {e}") for name, e in errors.items()
    ]


def _setting_line(folder: Path, exc: ConfigError) -> int:
    path = folder / CONFIG_FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError):
        return 1
    key = exc.setting.replace(" ", "_")
    lines = KeyLines(text)
    return max(lines.line((key,)), lines.line(("function", key)))


def check_actions(lesson: Lesson) -> list[Problem]:
    """Every action link of lesson.md parses, and names events and sample files that exist."""
    path = lesson.folder / "lesson.md"
    problems = []
    for line, label, href in action_links(path.read_text(encoding="utf-8")):
        try:
            action = parse_action(href)
        except ActionError as exc:
            problems.append(Problem(path, line, f"[{label}]: {exc}"))
            continue
        event = action.params.get("event")
        if action.kind == "invoke" and event and event not in lesson.events:
            known = ", ".join(lesson.events) or "none"
            problems.append(Problem(path, line, f"[{label}]: no event {event!r} (known: {known})"))
        sample = action.params.get("sample")
        if (
            action.kind == "bucket-put"
            and sample
            and not (lesson.folder / "events" / str(sample)).is_file()
        ):
            problems.append(
                Problem(path, line, f"[{label}]: no file events/{sample} in the lesson")
            )
    return problems


PARALLEL_CODE = 3  # code folders of one lesson checked at once (each its own function name)


async def check_exercise_both_ways(lesson: Lesson, service: LambdaService) -> list[Problem]:
    """The solution must pass every check; the starter and each wrong answer must fail one.

    The folders run concurrently, a few at a time, each deployed under its own name.
    """
    checks_file = lesson.folder / "checks.toml"
    slots = asyncio.Semaphore(PARALLEL_CODE)
    folders = {
        "solution": lesson.solution_dir,
        "starter": lesson.starter_dir,
        **{f"wrong-{w.name}": w for w in lesson.wrong_dirs},
    }

    async def run(suffix: str, folder: Path) -> ExerciseResult:
        async with slots:
            return await check_exercise(lesson, folder, service, name=function_name(lesson, suffix))

    results = dict(
        zip(folders, await asyncio.gather(*(run(k, v) for k, v in folders.items())), strict=True)
    )
    problems: list[Problem] = []
    solution = results.pop("solution")
    if solution.setup_error:
        problems.append(Problem(checks_file, 1, f"the solution: {solution.setup_error}"))
    for check in solution.checks:
        if not check.passed:
            spec = lesson.checks[check.index]
            first_line = check.message.splitlines()[0] if check.message else ""
            problems.append(
                Problem(checks_file, spec.line, f"the solution fails '{spec.title}': {first_line}")
            )
    if results.pop("starter").passed:
        problems.append(
            Problem(checks_file, 1, "the starter passes every check: nothing is left to do")
        )
    for suffix, result in results.items():
        if result.passed:
            wrong = folders[suffix]
            problems.append(
                Problem(wrong, 1, f"the wrong answer {wrong.name!r} passes every check")
            )
    return problems


Progress = Callable[[str], None]


async def check_pack(
    folder: Path,
    service: LambdaService | None = None,
    *,
    progress: Progress | None = None,
) -> list[Problem]:
    """Every problem with a lesson pack; with a service, each exercise is also run both ways.

    The service may use any backend; `lessons check` gives it local processes.
    """
    pack = load_pack(folder)
    problems = list(pack.problems)
    for lesson in pack.lessons:
        problems += check_actions(lesson)
        for code in (lesson.starter_dir, lesson.solution_dir, *lesson.wrong_dirs):
            problems += check_code(code)
    if service is None:
        return problems
    return problems + await _run_all(pack.lessons, service, progress)


async def _run_all(
    lessons: tuple[Lesson, ...], service: LambdaService, progress: Progress | None
) -> list[Problem]:
    problems: list[Problem] = []
    for lesson in lessons:
        if progress is not None:
            wrong = len(lesson.wrong_dirs)
            progress(f"running {lesson.folder.name}: solution, starter and {wrong} wrong answer(s)")
        problems += await check_exercise_both_ways(lesson, service)
    return problems
