"""Reading lesson folders into Lesson values, with every problem reported as path:line."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from workbench.catalogue import CatalogueError, generate
from workbench.lessons import fresh, markdown, schema
from workbench.lessons.check_kinds import kinds
from workbench.lessons.checks import template_names
from workbench.lessons.model import (
    CheckSpec,
    Choice,
    CodeReference,
    FacilitatorNotes,
    Lesson,
    LessonError,
    LessonEvent,
    Mistake,
    Problem,
    Question,
    Step,
    TryIt,
)
from workbench.lessons.tomllines import KeyLines, KeyPath, error_line
from workbench.paths import PROJECT_DIR

QUIZ_SIZE = (2, 4)  # questions per lesson
CHOICES_SIZE = (2, 6)


class _Reader:
    """Collects problems while one lesson folder is read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def toml(self, name: str, text: str | None = None, first: int = 1) -> tuple[Any, KeyLines]:
        """A TOML file (or text) parsed, and where its keys are; (None, …) after a problem."""
        path = self.folder / name
        if text is None:
            if not path.is_file():
                self.problem(path, 1, f"{name} is missing")
                return None, KeyLines("")
            text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.problem(path, error_line(exc, first), f"not valid TOML: {exc}")
            return None, KeyLines("")
        return data, KeyLines(text, first)

    def report(self, name: str, lines: KeyLines, found: schema.Found) -> None:
        for path, message in found:
            self.problem(self.folder / name, lines.line(path), message)


def load_lesson(folder: Path) -> Lesson:
    """Read one lesson folder; LessonError lists every problem found."""
    lesson, problems = read_lesson(folder)
    if lesson is None:
        raise LessonError(problems)
    return lesson


def read_lesson(folder: Path) -> tuple[Lesson | None, list[Problem]]:
    """Read one lesson folder: the lesson (None if anything is wrong) and the problems."""
    folder = Path(folder).resolve()
    r = _Reader(folder)
    md_path = folder / "lesson.md"
    if not md_path.is_file():
        r.problem(md_path, 1, "lesson.md is missing")
        return None, r.problems
    parts = markdown.split_front_matter(md_path.read_text(encoding="utf-8"))
    if parts is None:
        r.problem(md_path, 1, "lesson.md must start with TOML front matter between +++ lines")
        return None, r.problems
    meta, meta_lines = r.toml("lesson.md", parts.front_matter, parts.front_line)
    if meta is not None:
        r.report("lesson.md", meta_lines, schema.check_table(meta, schema.FRONT_MATTER))
    meta = meta or {}  # after a syntax error, read on to report the other files' problems
    references = _references(r, meta.get("code", {}), meta_lines)
    events = _events(r)
    try_it = _try_it(r, meta.get("try_it", {}), meta_lines, events)
    intro, sections = markdown.split_steps(parts.body)
    _check_sections(r, sections, parts.body_line, references)
    steps = [
        Step(s.id, s.title, s.kind, markdown.expand(s.markdown, references))
        for s in markdown.make_steps(sections)
    ]
    checks = _checks(r, events)
    quiz = _quiz(r)
    hints = _hints(r)
    facilitator = _facilitator(r)
    for code in ("starter", "solution"):
        if not any((folder / code).glob("*.py")):
            r.problem(folder / code, 1, f"{code}/ must hold the function's .py files")
    if r.problems:
        return None, r.problems
    lesson = Lesson(
        id=meta["id"],
        title=meta["title"],
        concept=meta["concept"],
        order=meta["order"],
        summary=meta["summary"],
        minutes=meta["minutes"],
        folder=folder,
        intro=markdown.expand(intro, references),
        steps=tuple(steps),
        events=events,
        checks=tuple(checks),
        quiz=tuple(quiz),
        hints=tuple(hints),
        try_it=try_it,
        references=references,
        facilitator=facilitator,
    )
    return lesson, []


def _references(r: _Reader, table: Any, lines: KeyLines) -> dict[str, CodeReference]:
    refs: dict[str, CodeReference] = {}
    for name, spec in (table or {}).items() if isinstance(table, dict) else []:
        found = schema.check_table(spec, schema.CODE_REFERENCE, ("code", name))
        r.report("lesson.md", lines, found)
        if found:
            continue
        line = lines.line(("code", name))
        if markdown.find_symbol(PROJECT_DIR / spec["path"], spec["symbol"]) is None:
            r.problem(r.folder / "lesson.md", line, f"no {spec['symbol']} in {spec['path']}")
        refs[name] = CodeReference(name, spec["path"], spec["symbol"], spec.get("caption", ""))
    return refs


def _try_it(r: _Reader, table: Any, lines: KeyLines, events: dict[str, LessonEvent]) -> TryIt:
    found = schema.check_table(table, schema.TRY_IT, ("try_it",))
    r.report("lesson.md", lines, found)
    if found:
        return TryIt()
    event = table.get("event")
    if event is not None and event not in events:
        r.problem(r.folder / "lesson.md", lines.line(("try_it", "event")), _no_event(event, events))
    return TryIt(table.get("code", "starter"), event, tuple(table.get("watch", ())))


def _check_sections(
    r: _Reader, sections: list[tuple[str, str, int]], first: int, refs: dict[str, CodeReference]
) -> None:
    path = r.folder / "lesson.md"
    kinds_seen: list[str] = [markdown.step_kind(title) for title, _, _ in sections]
    for needed in ("try_it", "exercise"):
        if kinds_seen.count(needed) != 1:
            heading = "## Try it" if needed == "try_it" else "## Exercise"
            r.problem(path, first, f"lesson.md needs exactly one '{heading}' section")
    ids = [markdown.slug(title) for title, _, _ in sections]
    for title, text, offset in sections:
        if ids.count(markdown.slug(title)) > 1:
            r.problem(path, first + offset, f"two sections are called {title!r}")
        for n, line in enumerate(text.splitlines()):
            match = markdown.SHOW.match(line.strip())
            if match and match.group(1) not in refs:
                r.problem(path, first + offset + n + 1, f"no [code.{match.group(1)}] to show")


def _events(r: _Reader) -> dict[str, LessonEvent]:
    events: dict[str, LessonEvent] = {}
    for path in sorted((r.folder / "events").glob("*.json")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            r.problem(path, exc.lineno, f"not valid JSON: {exc.msg}")
            continue
        events[path.stem] = LessonEvent(path.stem, path=path)
    if not (r.folder / "events.toml").is_file():
        return events
    data, lines = r.toml("events.toml")
    if data is None:
        return events
    for name, spec in data.items():
        found = schema.check_table(spec, schema.SAMPLE_EVENT, (name,))
        r.report("events.toml", lines, found)
        if found:
            continue
        params = spec.get("params", {})
        try:
            generate(spec["sample"], **fresh.substitute(params))
        except CatalogueError as exc:
            r.problem(r.folder / "events.toml", lines.line((name, "sample")), str(exc))
            continue
        if name in events:
            r.problem(r.folder / "events.toml", lines.line((name,)), f"events/{name}.json too")
        events[name] = LessonEvent(name, spec.get("description", ""), None, spec["sample"], params)
    return events


def _no_event(name: str, events: dict[str, LessonEvent]) -> str:
    known = ", ".join(events) or "none"
    return f"no event {name!r} in events/ or events.toml (the lesson's events: {known})"


def _checks(r: _Reader, events: dict[str, LessonEvent]) -> list[CheckSpec]:
    data, lines = r.toml("checks.toml")
    registry, specs = kinds(), []
    if data is None:
        return []
    raw = data.get("checks")
    if not isinstance(raw, list) or not raw:
        r.problem(r.folder / "checks.toml", 1, "checks.toml needs one or more [[checks]]")
        return []
    for index, check in enumerate(raw):
        where: KeyPath = ("checks", index)
        if not isinstance(check, dict) or not isinstance(check.get("kind"), str):
            r.problem(r.folder / "checks.toml", lines.line(where), "each check needs a kind")
            continue
        kind = registry.get(check["kind"])
        if kind is None:
            known = ", ".join(sorted(registry))
            r.problem(
                r.folder / "checks.toml",
                lines.line((*where, "kind")),
                f"unknown check kind {check['kind']!r}; known kinds: {known}",
            )
            continue
        found = schema.check_table(check, {**schema.CHECK_COMMON, **kind.params}, where)
        params = {k: v for k, v in check.items() if k not in schema.CHECK_COMMON}
        if not found and kind.static is not None:
            found = [((*where, *p), m) for p, m in kind.static(fresh.substitute(params))]
        for name in fresh.unknown(params):
            found.append(
                (where, f"unknown placeholder ${{{name}}}; known: {', '.join(fresh.NAMES)}")
            )
        for key in kind.event_keys:
            if isinstance(params.get(key), str) and params[key] not in events:
                found.append(((*where, key), _no_event(params[key], events)))
        template = fresh.PLACEHOLDER.sub("", str(check.get("message", "")))  # ${…} are fresh values
        unknown = set(template_names(template)) - {"detail", *kind.fields}
        if unknown:
            fields = ", ".join(("detail", *kind.fields))
            found.append(
                (
                    (*where, "message"),
                    f"unknown placeholder(s) {sorted(unknown)}; {kind.name} offers {fields}",
                )
            )
        r.report("checks.toml", lines, found)
        specs.append(
            CheckSpec(
                index,
                kind.name,
                check.get("title", ""),
                params,
                check.get("message"),
                lines.line(where),
            )
        )
    return specs


def _quiz(r: _Reader) -> list[Question]:
    data, lines = r.toml("quiz.toml")
    if data is None:
        return []
    raw = data.get("questions", [])
    count = len(raw) if isinstance(raw, list) else 0
    if not QUIZ_SIZE[0] <= count <= QUIZ_SIZE[1]:
        r.problem(r.folder / "quiz.toml", 1, f"quiz.toml has {count} question(s); write 2 to 4")
    questions = []
    for i, question in enumerate(raw if isinstance(raw, list) else []):
        found = schema.check_table(question, schema.QUESTION, ("questions", i))
        choices = question.get("choices", []) if isinstance(question, dict) else []
        for j, choice in enumerate(choices if isinstance(choices, list) else []):
            found += schema.check_table(choice, schema.CHOICE, ("questions", i, "choices", j))
        if not found and not CHOICES_SIZE[0] <= len(choices) <= CHOICES_SIZE[1]:
            found.append((("questions", i), "a question needs 2 to 6 choices"))
        if not found and not any(c.get("correct") for c in choices):
            found.append((("questions", i), "no choice is marked correct = true"))
        r.report("quiz.toml", lines, found)
        if not found:
            made = tuple(
                Choice(c["text"], bool(c.get("correct")), c["explanation"]) for c in choices
            )
            questions.append(Question(question["prompt"], made))
    return questions


def _hints(r: _Reader) -> list[str]:
    data, lines = r.toml("hints.toml")
    if data is None:
        return []
    raw = data.get("hints", [])
    if not isinstance(raw, list) or not raw:
        r.problem(r.folder / "hints.toml", 1, "hints.toml needs one or more [[hints]]")
        return []
    hints = []
    for i, hint in enumerate(raw):
        found = schema.check_table(hint, schema.HINT, ("hints", i))
        r.report("hints.toml", lines, found)
        if not found:
            hints.append(hint["text"].strip())
    return hints


def _facilitator(r: _Reader) -> FacilitatorNotes | None:
    """facilitator.toml, optional: an instructor's timing and the mistakes seen in class."""
    if not (r.folder / "facilitator.toml").is_file():
        return None
    data, lines = r.toml("facilitator.toml")
    if data is None:
        return None
    found = schema.check_table(data, schema.FACILITATOR)
    for i, mistake in enumerate(data.get("mistakes", []) if not found else []):
        found += schema.check_table(mistake, schema.MISTAKE, ("mistakes", i))
        wrong = mistake.get("wrong_answer") if isinstance(mistake, dict) else None
        if isinstance(wrong, str) and not (r.folder / "wrong" / wrong).is_dir():
            found.append((("mistakes", i, "wrong_answer"), f"no folder wrong/{wrong}/"))
    r.report("facilitator.toml", lines, found)
    if found:
        return None
    return FacilitatorNotes(
        minutes_in_class=data["minutes_in_class"],
        timing=data.get("timing", ""),
        mistakes=tuple(
            Mistake(m["mistake"], m.get("check_says", ""), m.get("wrong_answer", ""))
            for m in data.get("mistakes", [])
        ),
        discuss=tuple(data.get("discuss", ())),
    )
