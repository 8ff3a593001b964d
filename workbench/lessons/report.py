"""A learner's progress as a short report for an instructor, in Markdown or HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from workbench.lessons.model import LessonPack
from workbench.lessons.progress import Progress

Format = Literal["markdown", "html"]
_STATUS = {"done": "✅ passed", "started": "◐ in progress", "new": "— not started"}


@dataclass(frozen=True)
class ReportRow:
    """One lesson's line of the report."""

    order: int
    title: str
    status: str
    steps: str
    quiz: str
    hints: str
    attempts: int
    last: str


def rows(pack: LessonPack, progress: Progress) -> list[ReportRow]:
    """The report's table, one row per lesson in course order."""
    table = []
    for lesson in pack.lessons:
        lp = progress.of(lesson.id)
        steps = f"{len([s for s in lesson.steps if s.id in lp.steps_done])}/{len(lesson.steps)}"
        right, total = lp.quiz_score(lesson)
        table.append(
            ReportRow(
                order=lesson.order,
                title=lesson.title,
                status=_STATUS[lp.status()],
                steps=steps,
                quiz=f"{right}/{total}",
                hints=f"{lp.hints_shown}/{len(lesson.hints)}",
                attempts=lp.attempts,
                last=lp.last_summary,
            )
        )
    return table


def render(
    pack: LessonPack,
    progress: Progress,
    fmt: Format = "markdown",
    learner: str = "",
    now: datetime | None = None,
) -> str:
    """The whole report: a heading, a summary line and the table."""
    table = rows(pack, progress)
    passed = sum(row.status == _STATUS["done"] for row in table)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    who = f" — {learner}" if learner else ""
    title = f"{pack.title}: progress report{who}"
    summary = f"{passed} of {len(table)} exercises passed · generated {when}"
    if fmt == "html":
        return _html(title, summary, table)
    return _markdown(title, summary, table)


_HEAD = ("#", "Lesson", "Exercise", "Steps", "Quiz", "Hints", "Attempts", "Last check")


def _cells(row: ReportRow) -> tuple[str, ...]:
    values = (row.order, row.title, row.status, row.steps, row.quiz, row.hints, row.attempts)
    return (*(str(v) for v in values), row.last)


def _markdown(title: str, summary: str, table: list[ReportRow]) -> str:
    lines = [f"# {title}", "", summary, "", "| " + " | ".join(_HEAD) + " |"]
    lines.append("|" + "---|" * len(_HEAD))
    for row in table:
        cells = [cell.replace("|", "\\|") for cell in _cells(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _html(title: str, summary: str, table: list[ReportRow]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEAD)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(row)) + "</tr>"
        for row in table
    )
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    )
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head>\n<body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(summary)}</p>\n<table><tr>{head}</tr>\n{body}\n</table></body></html>\n"
    )
