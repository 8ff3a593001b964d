"""The shipped course: every lesson is valid, and every exercise fails on its starter and
passes on its solution, through the real engine (the Done-when of issue 7)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.core.service import LambdaService
from workbench.lessons import check_exercise, function_name, kinds, load_pack
from workbench.lessons.validate import check_code
from workbench.paths import LESSONS_DIR, PROJECT_DIR

PACK = load_pack(LESSONS_DIR)
LESSON_IDS = [lesson.id for lesson in PACK.lessons]
EXPECTED_ORDER = [  # AWS's concept order: Function, Trigger, Event, Execution environment, …
    "function",
    "handler",
    "trigger",
    "event",
    "environment",
    "context-config",
    "runtime",
    "deployment-package",
    # "execution-role" (lessons/15-execution-role/) lands separately; index.toml lists it
    "billing",
    "memory-cpu",
    "cold-starts",
    "versions-aliases",
    "concurrency",
    "invocation-types",
    "async-destinations",
    "sqs-batches",
    "limits",
    "greeting-api",
    "thumbnail-pipeline",
]
PROBLEM_LINE = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+): (?P<message>.+)$")
CHECK_RUN_LIMIT_S = 110
COURSE_CHECK_LIMIT_S = 400  # the whole course, with wrong answers, on a loaded machine


def test_every_shipped_lesson_loads_without_problems():
    """The course loads whole: no schema, file or reference problems."""
    assert [str(p) for p in PACK.problems] == []
    assert [i for i in LESSON_IDS if i != "execution-role"] == EXPECTED_ORDER


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_is_complete(lesson_id):
    """Explanation, try-it, exercise, 2-4 quiz questions with explanations, hints, events."""
    lesson = PACK.lesson(lesson_id)
    kinds_of_steps = [step.kind for step in lesson.steps]
    assert kinds_of_steps.count("try_it") == 1 and kinds_of_steps.count("exercise") == 1
    assert "read" in kinds_of_steps
    assert 2 <= len(lesson.quiz) <= 4
    assert all(choice.explanation for q in lesson.quiz for choice in q.choices)
    assert lesson.hints and lesson.checks
    if lesson.try_it.event:
        assert lesson.event(lesson.try_it.event).payload()


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_code_compiles_imports_and_configures(lesson_id):
    """Starter and solution compile, import and have a valid function.toml."""
    lesson = PACK.lesson(lesson_id)
    problems = check_code(lesson.starter_dir) + check_code(lesson.solution_dir)
    assert [str(p) for p in problems] == []


@pytest.mark.timeout(CHECK_RUN_LIMIT_S)
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
async def test_solution_passes_and_starter_fails(lesson_id, service: LambdaService):
    """Through the real engine: every check passes on solution/, at least one fails on starter/."""
    lesson = PACK.lesson(lesson_id)
    solution = await check_exercise(
        lesson, lesson.solution_dir, service, name=function_name(lesson, "solution")
    )
    assert solution.passed, [(c.title, c.message) for c in solution.checks if not c.passed]
    starter = await check_exercise(
        lesson, lesson.starter_dir, service, name=function_name(lesson, "starter")
    )
    assert not starter.passed
    failing = [c for c in starter.checks if not c.passed]
    assert failing and all(c.message for c in failing)  # specific feedback, never blank


def test_every_check_kind_is_documented_for_instructors():
    """lessons/README.md describes every kind the code knows."""
    readme = (LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    missing = [name for name in kinds() if f"| `{name}` |" not in readme]
    assert missing == []


def run_cli(*args: str, timeout: float = 100) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.timeout(COURSE_CHECK_LIMIT_S)
def test_lessons_check_passes_on_the_shipped_lessons():
    """`lambda-workbench lessons check lessons/` exits 0 and prints no problem (it runs every
    starter, solution and wrong answer: about 1-2 minutes on 2 cores)."""
    done = run_cli("lessons", "check", "lessons/", "--quiet", timeout=COURSE_CHECK_LIMIT_S - 20)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def _broken_pack(root: Path) -> Path:
    """Two lessons: one with schema mistakes, one whose solution fails its own check."""
    pack = root / "pack"
    shutil.copytree(LESSONS_DIR / "01-function", pack / "01-function")
    shutil.copytree(LESSONS_DIR / "02-handler", pack / "02-handler")
    checks = pack / "01-function" / "checks.toml"
    text = checks.read_text(encoding="utf-8")
    checks.write_text(text.replace('kind = "logs_contain"', 'kind = "logs_contains"'), "utf-8")
    (pack / "01-function" / "events" / "grace.json").write_text('{"name": \n  "Grace",,}\n')
    (pack / "02-handler" / "solution" / "function.toml").write_text('handler = "app.handler"\n')
    return pack


@pytest.mark.timeout(CHECK_RUN_LIMIT_S)
def test_lessons_check_reports_each_problem_with_file_and_line(tmp_path):
    """A broken pack: `path:line: message` per problem, exit status 1."""
    pack = _broken_pack(tmp_path)
    done = run_cli("lessons", "check", str(pack), "--quiet")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines and all(PROBLEM_LINE.match(line) for line in lines), lines
    found = {
        (Path(m["path"]).relative_to(pack).as_posix(), int(m["line"])): m["message"]
        for m in map(PROBLEM_LINE.match, lines)
        if m
    }
    checks_text = (pack / "01-function" / "checks.toml").read_text().splitlines()
    kind_line = next(i for i, line in enumerate(checks_text, 1) if "logs_contains" in line)
    assert "unknown check kind 'logs_contains'" in found[("01-function/checks.toml", kind_line)]
    assert "not valid JSON" in found[("01-function/events/grace.json", 2)]
    # 02-handler loads, but its solution now names a missing function: the check's line.
    handler_checks = (pack / "02-handler" / "checks.toml").read_text().splitlines()
    first_check = handler_checks.index("[[checks]]") + 1
    message = found[("02-handler/checks.toml", first_check)]
    assert "the solution fails 'Lambda finds and loads the handler'" in message
    assert "Runtime.HandlerNotFound" in message
