"""Workshop reports: a learner's progress exported as JSON, and many merged into a class summary.

A learner runs `lessons report --format json --learner NAME --output me.json` and hands the
file in; the instructor runs `lessons report --merge *.json --output class.csv --chart
class.png`. The summary has one row per lesson: how many learners passed, started or did not
start it, their attempts, quiz score and hints, in course order.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.lessons.model import LessonPack
from workbench.lessons.progress import Progress

EXPORT_KIND = "lambda-workbench-progress-report"
EXPORT_VERSION = 1


class ReportError(ValueError):
    """A file that is not a learner's exported report; the message names the file and why."""


def export(pack: LessonPack, progress: Progress, learner: str, now: datetime | None = None) -> str:
    """A learner's progress as JSON, one entry per lesson of the pack in order."""
    lessons = []
    for lesson in pack.lessons:
        lp = progress.of(lesson.id)
        right, total = lp.quiz_score(lesson)
        lessons.append(
            {
                "id": lesson.id,
                "title": lesson.title,
                "order": lesson.order,
                "status": lp.status(),
                "attempts": lp.attempts,
                "quiz_right": right,
                "quiz_total": total,
                "hints_shown": lp.hints_shown,
                "hints_total": len(lesson.hints),
                "last_check": lp.last_summary,
            }
        )
    data = {
        "kind": EXPORT_KIND,
        "version": EXPORT_VERSION,
        "learner": learner,
        "course": pack.title,
        "generated": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "lessons": lessons,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class LessonSummary:
    """One lesson across the class."""

    id: str
    title: str
    order: int
    learners: int
    passed: int
    started: int
    not_started: int
    attempts: int
    quiz_right: int
    quiz_total: int
    hints_shown: int

    @property
    def passed_pct(self) -> float:
        return 100.0 * self.passed / self.learners if self.learners else 0.0

    @property
    def mean_attempts(self) -> float:
        tried = self.passed + self.started
        return self.attempts / tried if tried else 0.0

    @property
    def quiz_pct(self) -> float:
        return 100.0 * self.quiz_right / self.quiz_total if self.quiz_total else 0.0


def read_export(path: Path) -> dict[str, Any]:
    """One learner's exported report; ReportError says what is wrong with the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise ReportError(
            f"{path}: not JSON ({exc}); export reports with `lessons report --format json`"
        ) from None
    if not isinstance(data, dict) or data.get("kind") != EXPORT_KIND:
        raise ReportError(
            f"{path}: not a learner's report; export one with `lessons report --format json`"
        )
    if data.get("version") != EXPORT_VERSION or not isinstance(data.get("lessons"), list):
        raise ReportError(f"{path}: a report of version {data.get('version')!r}; expected 1")
    return data


def merge(paths: list[Path]) -> tuple[list[str], list[LessonSummary]]:
    """The learners' names and one summary per lesson, in course order (first seen)."""
    if not paths:
        raise ReportError("no reports to merge")
    reports = [read_export(p) for p in paths]
    names = [str(r.get("learner") or Path(p).stem) for r, p in zip(reports, paths, strict=True)]
    totals: dict[str, dict[str, Any]] = {}
    for report in reports:
        for entry in report["lessons"]:
            row = totals.setdefault(
                str(entry["id"]),
                {
                    "title": entry.get("title", entry["id"]),
                    "order": int(entry.get("order", 0)),
                    "learners": 0,
                    "done": 0,
                    "started": 0,
                    "new": 0,
                    "attempts": 0,
                    "quiz_right": 0,
                    "quiz_total": 0,
                    "hints": 0,
                },
            )
            row["learners"] += 1
            row[
                entry.get("status", "new") if entry.get("status") in ("done", "started") else "new"
            ] += 1
            row["attempts"] += int(entry.get("attempts", 0))
            row["quiz_right"] += int(entry.get("quiz_right", 0))
            row["quiz_total"] += int(entry.get("quiz_total", 0))
            row["hints"] += int(entry.get("hints_shown", 0))
    summaries = [
        LessonSummary(
            lesson_id,
            r["title"],
            r["order"],
            r["learners"],
            r["done"],
            r["started"],
            r["new"],
            r["attempts"],
            r["quiz_right"],
            r["quiz_total"],
            r["hints"],
        )
        for lesson_id, r in totals.items()
    ]
    summaries.sort(key=lambda s: s.order)
    return names, summaries


CSV_HEAD = (
    "order",
    "lesson",
    "title",
    "learners",
    "passed",
    "started",
    "not_started",
    "passed_pct",
    "mean_attempts",
    "quiz_pct",
    "hints_shown",
)


def to_csv(summaries: list[LessonSummary]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEAD)
    for s in summaries:
        writer.writerow(
            (
                s.order,
                s.id,
                s.title,
                s.learners,
                s.passed,
                s.started,
                s.not_started,
                f"{s.passed_pct:.1f}",
                f"{s.mean_attempts:.2f}",
                f"{s.quiz_pct:.1f}",
                s.hints_shown,
            )
        )
    return out.getvalue()


def chart(summaries: list[LessonSummary], learners: int, path: Path) -> None:
    """A stacked bar per lesson (passed / started / not started), saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: this runs from a terminal or a test
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = [s.id for s in summaries]
    passed = [s.passed for s in summaries]
    started = [s.started for s in summaries]
    waiting = [s.not_started for s in summaries]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(labels) + 2), 4.5))
    ax.bar(labels, passed, color="#2e7d32", label="passed")
    ax.bar(labels, started, bottom=passed, color="#f9a825", label="in progress")
    ax.bar(
        labels,
        waiting,
        bottom=[a + b for a, b in zip(passed, started, strict=True)],
        color="#cfd8dc",
        label="not started",
    )
    ax.set_ylabel("learners")
    ax.set_ylim(0, max(learners, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # learners come whole
    ax.set_title(f"Class progress per lesson ({learners} learners)", pad=28)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
