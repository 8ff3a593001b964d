"""The HTML of a lesson's pages: the step's text plus what to watch, check results and hints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.lesson_html.render import Colours, MarkdownRenderer, callout, escape
from workbench.lessons import CheckResult, ExerciseResult, Lesson, LessonProgress

PageKind = Literal["read", "try_it", "exercise", "quiz"]
QUIZ_ID = "quiz"
# What each pane a lesson points at is, and where it sits in the window.
WATCH_TEXT = {
    "timeline": "the <b>Timeline</b> (bottom left): environments starting, serving, freezing",
    "logs": "the <b>Logs</b> (right): START, your prints, END and REPORT",
    "result": "the <b>Result</b> (right): the response or the error",
    "billing": "the <b>Billing</b> tab (bottom right): billed duration and cost",
    "editor": "the <b>code editor</b> (left): the handler's source",
}


@dataclass(frozen=True)
class Page:
    """One page of the reader: a step of lesson.md, or the quiz."""

    id: str
    title: str
    kind: PageKind


def pages_of(lesson: Lesson) -> list[Page]:
    """The lesson's steps in order, then its quiz."""
    pages = [Page(step.id, step.title, step.kind) for step in lesson.steps]
    if lesson.quiz:
        pages.append(Page(QUIZ_ID, "Quiz", "quiz"))
    return pages


def watch_html(watch: tuple[str, ...], c: Colours) -> str:
    """A tip box: which panes to watch after loading the try-it code."""
    items = "".join(f"<li>{WATCH_TEXT[w]}</li>" for w in watch if w in WATCH_TEXT)
    body = "<b>What to watch</b>"
    if items:
        body += f'<ul style="margin-top:2px; margin-bottom:0;">{items}</ul>'
    return callout(body, "tip", c)


def checked_html(function: str, folder: object, c: Colours) -> str:
    """Which function the checks ran on: the one in the editor."""
    where = f' <span style="color:{c.muted};">({escape(str(folder))})</span>' if folder else ""
    return f"<p>Checks of <b>{escape(function)}</b>, the code in the editor{where}</p>"


def check_rows(results: list[CheckResult], titles: list[str], running: bool, c: Colours) -> str:
    """One box per check: ✓ or ✗ with its feedback, then the running and waiting ones."""
    parts = []
    for result in results:
        sign = "✓" if result.passed else "✗"
        colour = c.ok if result.passed else c.error
        title = escape(result.title)
        text = f'<span style="color:{colour}; font-weight:600;">{sign} {title}</span>'
        if not result.passed:
            text += "<br>" + escape(result.message).replace("\n", "<br>")
        parts.append(callout(text, "tip" if result.passed else "alert", c))
    for index, title in enumerate(titles[len(results) :]):
        state = "⏳ running…" if running and index == 0 else "waiting"
        parts.append(
            callout(f'<span style="color:{c.muted};">○ {escape(title)} · {state}</span>', "note", c)
        )
    return "".join(parts)


def summary_html(result: ExerciseResult, c: Colours) -> str:
    """One line under the checks: passed, or how many failed."""
    if result.passed:
        return (
            f'<p><span style="color:{c.ok}; font-weight:600;">✓ {escape(result.summary())}.'
            "</span> Exercise passed: the lesson is marked ✓.</p>"
        )
    summary = escape(result.summary())
    return f'<p><span style="color:{c.error}; font-weight:600;">{summary}.</span></p>'


def exercise_extras(
    renderer: MarkdownRenderer,
    lesson: Lesson,
    progress: LessonProgress,
    checks: list[CheckResult] | None,
    outcome: ExerciseResult | None,
    running: bool,
) -> str:
    """Below the exercise text: the check results (live while running) and revealed hints."""
    c = renderer.c
    out = ['<a name="checks"></a><h3>Your checks</h3>']
    titles = [spec.title for spec in lesson.checks]
    if outcome is not None and outcome.setup_error:
        out.append(
            callout(
                f"<b>✗ Could not run the checks</b><br>{escape(outcome.setup_error)}", "alert", c
            )
        )
    elif checks is not None:
        out.append(check_rows(checks, titles, running, c))
        if outcome is not None:
            out.append(summary_html(outcome, c))
    else:
        if progress.exercise_passed:
            note = "✓ You passed this exercise. Check again any time."
        elif progress.last_summary:
            note = f"Last time: {escape(progress.last_summary)}."
        else:
            note = "Press <b>Check my work</b>: each check runs your function on the engine."
        out.append(f'<p class="muted">{note}</p>')
        out.append("".join(f'<p class="muted">○ {escape(t)}</p>' for t in titles))
    shown = lesson.hints[: progress.hints_shown]
    if shown:
        out.append('<a name="hints"></a><h3>Hints</h3>')
        for number, hint in enumerate(shown, 1):
            head = f"<b>Hint {number} of {len(lesson.hints)}</b><br>"
            out.append(callout(head + renderer.render_inline(hint), "note", c))
    return "".join(out)


def page_html(
    renderer: MarkdownRenderer,
    lesson: Lesson,
    page: Page,
    first: bool,
    extras: str = "",
) -> str:
    """A page: on the first, the lesson's intro; then the step's heading, text and extras."""
    c = renderer.c
    head = ""
    if first:
        head = (
            f'<p class="muted">Lesson {lesson.order} · {escape(lesson.concept)} · '
            f"about {lesson.minutes} min</p>"
            f"<h1>{escape(lesson.title)}</h1>{renderer.render(lesson.intro)}"
        )
    step = lesson.step(page.id)
    body = f"<h2>{escape(step.title)}</h2>{renderer.render(step.markdown)}"
    return f'<body style="color:{c.text};">{head}{body}{extras}</body>'
