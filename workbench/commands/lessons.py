"""`lambda-workbench lessons`: list the course, check a lesson pack, run an exercise, report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.backends.detect import BackendChoice, BackendUnavailable, select_backend
from workbench.backends.process import ProcessBackend
from workbench.core.service import LambdaService
from workbench.lessons import (
    ExerciseResult,
    Lesson,
    LessonPack,
    Problem,
    ProgressStore,
    check_exercise,
    load_pack,
    render_report,
)
from workbench.lessons.validate import check_pack
from workbench.paths import LESSONS_DIR


def register(subparsers: Any) -> None:
    """Add `lessons list|check|exercise|reset|report` to an argparse CLI."""
    parser = subparsers.add_parser(
        "lessons",
        help="the course: list lessons, check a lesson pack, run an exercise, report progress",
        description="Each lesson teaches one Lambda concept and checks an exercise on the engine.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the lessons in order, with your progress")
    _pack_options(listing)
    listing.set_defaults(func=run_list)

    check = actions.add_parser(
        "check",
        help="validate a folder of lessons (prints path:line: message; exit 1 on problems)",
        description="Validate a lesson pack: schema, files, events, code; then run every "
        "exercise's checks on the process backend (the solution must pass, the starter fail).",
    )
    check.add_argument("dir", help="the folder of lessons, e.g. lessons/")
    check.add_argument("--no-run", action="store_true", help="skip running the exercises")
    check.add_argument("--quiet", action="store_true", help="print only problems")
    check.set_defaults(func=run_check)

    exercise = actions.add_parser("exercise", help="check your code for one lesson's exercise")
    exercise.add_argument("lesson", help="the lesson's id, e.g. handler")
    exercise.add_argument("--code", metavar="DIR", help="the code to check (default: yours)")
    exercise.add_argument(
        "--backend", choices=["auto", "docker", "process"], default="auto", help="(default auto)"
    )
    _pack_options(exercise)
    exercise.set_defaults(func=run_exercise)

    reset = actions.add_parser("reset", help="forget a lesson's progress and restore its starter")
    reset.add_argument("lesson", help="the lesson's id")
    _pack_options(reset)
    reset.set_defaults(func=run_reset)

    report = actions.add_parser("report", help="your progress as a report for an instructor")
    report.add_argument("--format", choices=["markdown", "html"], default="markdown")
    report.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    report.add_argument("--learner", default="", help="a name to put on the report")
    _pack_options(report)
    report.set_defaults(func=run_report)


def _pack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=str(LESSONS_DIR), help="the lesson pack (default: ours)")
    parser.add_argument("--data-dir", help="where progress is kept (default: the user data folder)")


def _store(args: argparse.Namespace) -> ProgressStore:
    return ProgressStore(Path(args.data_dir) if args.data_dir else None)


def _pack(args: argparse.Namespace) -> LessonPack:
    pack = load_pack(Path(args.dir))
    for problem in pack.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return pack


def run_list(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    print(pack.title)
    for lesson in pack.lessons:
        status = store.progress.of(lesson.id).status()
        mark = {"done": "✓", "started": "…", "new": " "}[status]
        print(f" {mark} {lesson.order:2}. {lesson.title:<32} {lesson.minutes:>3} min  {lesson.id}")
        print(f"       {lesson.summary}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    say = None if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    problems = asyncio.run(_check_pack(folder, not args.no_run, say))
    for problem in problems:
        print(_relative(problem))
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{folder}: all lessons are valid", file=sys.stderr)
    return 0


def _relative(problem: Problem) -> str:
    """A problem as path:line: message, the path relative to here when it is below here."""
    try:
        path = problem.path.relative_to(Path.cwd())
    except ValueError:
        path = problem.path
    return f"{path}:{problem.line}: {problem.message}"


async def _check_pack(folder: Path, run: bool, say: Callable[[str], None] | None) -> list[Problem]:
    """Validate a pack; when running exercises, on local processes (fast, no Docker needed)."""
    if not run:
        return await check_pack(folder)
    async with LambdaService(ProcessBackend()) as service:
        return await check_pack(folder, service, progress=say)


def run_exercise(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    try:
        lesson = pack.lesson(args.lesson)
    except KeyError:
        print(f"error: no lesson {args.lesson!r}; see `lessons list`", file=sys.stderr)
        return 2
    code = Path(args.code) if args.code else store.open(lesson)
    result = asyncio.run(_check(lesson, code, args.backend))
    for check in result.checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.title}")
        if not check.passed:
            print("      " + check.message.replace("\n", "\n      "))
    print(result.summary())
    if not args.code:
        store.record(lesson, result)
    return 0 if result.passed else 1


async def _check(lesson: Lesson, code: Path, backend: BackendChoice) -> ExerciseResult:
    """Run the exercise's checks on a service of its own (Docker when asked or available)."""
    try:
        selection = await select_backend(backend, None)
    except BackendUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"backend: {selection.backend.description}", file=sys.stderr)
    async with LambdaService(selection.backend) as service:
        return await check_exercise(lesson, code, service)


def run_reset(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    try:
        lesson = pack.lesson(args.lesson)
    except KeyError:
        print(f"error: no lesson {args.lesson!r}; see `lessons list`", file=sys.stderr)
        return 2
    print(f"{lesson.title}: progress cleared, starter code restored in {store.reset(lesson)}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    text = render_report(pack, store.progress, args.format, args.learner)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
