"""`lambda-workbench lessons`: list the course, check a lesson pack, run an exercise, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.lessons import (
    ExerciseResult,
    Lesson,
    LessonPack,
    Problem,
    ProgressStore,
    check_exercise,
    classroom,
    load_pack,
    render_report,
    terminal,
    workshop,
)
from workbench.paths import LESSONS_DIR

if TYPE_CHECKING:  # the engine loads only for commands that run code (list and show stay quick)
    from workbench.backends.detect import BackendChoice


def register(subparsers: Any) -> None:
    """Add `lessons list|show|check|exercise|reset|report|unlock|notes` to an argparse CLI."""
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

    show = actions.add_parser(
        "show",
        help="read a lesson in the terminal: a page, the quiz, the hints or the solution",
        description="Print a lesson page by page. Action links (buttons in the app) are shown "
        "as what to click in the app and the equivalent command.",
    )
    show.add_argument("lesson", help="the lesson's id, e.g. handler")
    which = show.add_mutually_exclusive_group()
    which.add_argument("--page", type=int, default=1, help="the page to show (default 1)")
    which.add_argument("--quiz", action="store_true", help="the quiz, with every explanation")
    which.add_argument("--hints", action="store_true", help="all the hints")
    which.add_argument(
        "--solution", action="store_true", help="the solution (when the course lets you see it)"
    )
    _pack_options(show)
    show.set_defaults(func=run_show)

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

    report = actions.add_parser(
        "report",
        help="your progress as a report for an instructor, or merge a class's reports",
        description="Without --merge: your progress (json is the format to hand in). With "
        "--merge: learners' JSON reports as one class summary (CSV) and a chart (PNG).",
    )
    report.add_argument("--format", choices=["markdown", "html", "json"], default="markdown")
    report.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    report.add_argument("--learner", default="", help="a name to put on the report")
    report.add_argument("--merge", nargs="+", metavar="FILE", help="learners' JSON reports")
    report.add_argument("--chart", metavar="PNG", help="with --merge: a progress chart")
    _pack_options(report)
    report.set_defaults(func=run_report)

    unlock = actions.add_parser(
        "unlock", help="workshop: unlock solutions with the instructor's key"
    )
    unlock.add_argument("lesson", nargs="?", help="the lesson's id (or --all)")
    unlock.add_argument("--all", action="store_true", help="every lesson of the pack")
    unlock.add_argument("--key", required=True, help="the key your instructor gave out")
    _pack_options(unlock)
    unlock.set_defaults(func=run_unlock)

    notes = actions.add_parser("notes", help="workshop: a lesson's facilitator notes")
    notes.add_argument("lesson", help="the lesson's id")
    _pack_options(notes)
    notes.set_defaults(func=run_notes)


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
    for position, lesson in enumerate(pack.lessons, 1):
        status = store.progress.of(lesson.id).status()
        mark = {"done": "✓", "started": "…", "new": " "}[status]
        print(f" {mark} {position:2}. {lesson.title:<36} {lesson.minutes:>3} min  {lesson.id}")
        print(f"       {lesson.summary}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    import asyncio  # list and show, which never run code, start faster without it

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
    from workbench.lessons.validate import check_pack

    if not run:
        return await check_pack(folder)
    from workbench.backends.process import ProcessBackend
    from workbench.core.service import LambdaService

    async with LambdaService(ProcessBackend()) as service:
        return await check_pack(folder, service, progress=say)


def _lesson(pack: LessonPack, lesson_id: str) -> Lesson | None:
    try:
        return pack.lesson(lesson_id)
    except KeyError:
        known = ", ".join(lesson.id for lesson in pack.lessons)
        print(f"error: no lesson {lesson_id!r}; the lessons are: {known}", file=sys.stderr)
        return None


def run_show(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    lesson = _lesson(pack, args.lesson)
    if lesson is None:
        return 2
    if args.quiz:
        sys.stdout.write(terminal.show_quiz(lesson))
    elif args.hints:
        sys.stdout.write(terminal.show_hints(lesson))
    elif args.solution:
        seen = workshop.solution_visibility(pack, lesson, store)
        if not seen.visible:
            print(f"The solution is hidden: {seen.reason}.", file=sys.stderr)
            return 1
        for path in workshop.solution_files(lesson):
            print(f"--- {path.relative_to(lesson.solution_dir)}")
            print(path.read_text(encoding="utf-8", errors="replace"))
    else:
        try:
            text = terminal.show_page(lesson, args.page, store.open(lesson))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        sys.stdout.write(text)
    return 0


def run_exercise(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    lesson = _lesson(pack, args.lesson)
    if lesson is None:
        return 2
    code = Path(args.code) if args.code else store.open(lesson)
    if not args.code:
        files = ", ".join(sorted(p.name for p in code.iterdir() if p.is_file())) or "no files"
        print(
            f"your code: {code} ({files})\n"
            "  edit it with any editor, e.g. `$EDITOR "
            f"{code / 'lambda_function.py'}`, or open the lesson in the app; "
            f"`lessons reset {lesson.id}` restores the starter",
            file=sys.stderr,
        )
    import asyncio

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
    from workbench.backends.detect import BackendUnavailable, select_backend
    from workbench.core.service import LambdaService

    try:
        selection = await select_backend(backend, None)
    except BackendUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"backend: {selection.backend.description}", file=sys.stderr)
    async with LambdaService(selection.backend) as service:
        return await check_exercise(lesson, code, service)


def run_reset(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    lesson = _lesson(pack, args.lesson)
    if lesson is None:
        return 2
    print(f"{lesson.title}: progress cleared, starter code restored in {store.reset(lesson)}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    if args.merge:
        return _merge_reports(args)
    pack, store = _pack(args), _store(args)
    if args.format == "json":
        text = classroom.export(pack, store.progress, args.learner)
    else:
        text = render_report(pack, store.progress, args.format, args.learner)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _merge_reports(args: argparse.Namespace) -> int:
    try:
        names, summaries = classroom.merge([Path(p) for p in args.merge])
    except classroom.ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = classroom.to_csv(summaries)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(names)} learners)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.chart:
        classroom.chart(summaries, len(names), Path(args.chart))
        print(f"wrote {args.chart}", file=sys.stderr)
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    pack, store = _pack(args), _store(args)
    if args.all == bool(args.lesson):
        print("error: name one lesson or give --all", file=sys.stderr)
        return 2
    try:
        unlocked = workshop.unlock(store, pack, ["*"] if args.all else [args.lesson], args.key)
    except KeyError:
        print(f"error: no lesson {args.lesson!r}; see `lessons list`", file=sys.stderr)
        return 2
    except workshop.UnlockError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    shown = "every lesson" if "*" in unlocked else ", ".join(unlocked)
    print(f"solutions unlocked: {shown}")
    return 0


def run_notes(args: argparse.Namespace) -> int:
    pack = _pack(args)
    lesson = _lesson(pack, args.lesson)
    if lesson is None:
        return 2
    notes = lesson.facilitator
    if notes is None:
        print(f"{lesson.title}: no facilitator notes (facilitator.toml)", file=sys.stderr)
        return 1
    print(f"{lesson.title} — facilitator notes")
    print(f"Plan {notes.minutes_in_class} min in class. {notes.timing}".rstrip())
    if notes.mistakes:
        print("\nMistakes seen in class:")
        for m in notes.mistakes:
            print(f"- {m.mistake}")
            if m.check_says:
                print(f"    the check says: {m.check_says}")
            if m.wrong_answer:
                print(
                    f"    reproduce it: lessons exercise {lesson.id} --code "
                    f"{lesson.folder / 'wrong' / m.wrong_answer}"
                )
    if notes.discuss:
        print("\nTo discuss:")
        for question in notes.discuss:
            print(f"- {question}")
    return 0
