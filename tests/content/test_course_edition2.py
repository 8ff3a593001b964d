"""The second edition of the course (issue 13): ≥ 18 complete lessons, and checks that cannot
be fooled: every shipped wrong answer fails through the real engine, with the feedback the
lesson's facilitator notes promise.

Runtime (2 cores, process backend): about 2-3 minutes for all lessons' wrong answers; each
lesson's answers run concurrently (different function names, one shared service).
"""

from __future__ import annotations

import asyncio
import re

import pytest

from workbench.core.service import LambdaService
from workbench.lessons import check_exercise, function_name, load_pack
from workbench.lessons.validate import check_actions
from workbench.paths import LESSONS_DIR

PACK = load_pack(LESSONS_DIR)
LESSON_IDS = [lesson.id for lesson in PACK.lessons]
FACT = re.compile(r"<!-- fact: [A-C]\.?\d+(?:, [A-C]\.?\d+)* -->")
NUMBER_SENTENCE = re.compile(r"\*\*[^*]*\d[^*]*\*\*")  # a bold figure: "**29 seconds**"
PARALLEL_ANSWERS = 3  # wrong answers of one lesson checked at once (2 cores, shared machine)


def test_the_course_has_at_least_18_complete_lessons():
    """≥ 18 lessons (19 here, the execution role lands separately), each checked and quizzed."""
    assert len(PACK.lessons) >= 18, LESSON_IDS
    for lesson in PACK.lessons:
        assert lesson.checks, lesson.id
        assert 2 <= len(lesson.quiz) <= 4, lesson.id
        assert all(c.explanation.strip() for q in lesson.quiz for c in q.choices), lesson.id
        assert lesson.hints, lesson.id


def test_index_lists_the_execution_role_where_it_belongs():
    """15-execution-role is listed (optional until it lands) after the deployment package."""
    text = (LESSONS_DIR / "index.toml").read_text(encoding="utf-8")
    listed = re.findall(r'^\s*"([\w-]+)",', text, re.M)
    assert listed.index("15-execution-role") == listed.index("04b-deployment-package") + 1
    assert 'optional = ["15-execution-role"]' in text


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_ships_wrong_answers_and_facilitator_notes(lesson_id):
    lesson = PACK.lesson(lesson_id)
    assert len(lesson.wrong_dirs) >= 2, lesson.folder
    notes = lesson.facilitator
    assert notes is not None and notes.minutes_in_class > 0
    named = {m.wrong_answer for m in notes.mistakes}
    assert named == {w.name for w in lesson.wrong_dirs}  # every wrong answer is explained


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_action_links_are_valid_and_try_it_needs_no_terminal(lesson_id):
    """Every Try-it uses action links; a terminal command is only ever offered in passing."""
    lesson = PACK.lesson(lesson_id)
    assert check_actions(lesson) == []
    try_it = next(step for step in lesson.steps if step.kind == "try_it")
    assert "](action:" in try_it.markdown, lesson_id
    for line in try_it.markdown.splitlines():
        if "lambda-workbench " in line or "`aws " in line:
            assert re.search(r"terminal|From a terminal|shell", try_it.markdown), line


def test_statements_with_figures_cite_facts_in_the_new_and_fixed_lessons():
    """The lessons written or corrected for this edition cite LAMBDA_FACTS for their figures."""
    for folder in ("14-context-config", "17-memory-cpu", "18-async-destinations"):
        text = (LESSONS_DIR / folder / "lesson.md").read_text(encoding="utf-8")
        assert FACT.search(text), folder
    fixed = {
        "08-concurrency": ["drops them", "maximum event\nage"],
        "10-limits": ["since June 2024", "504"],
        "11-trigger": ["**504**", "29 seconds** by default"],
        "03-event": ["s3:ListBucket", "403 `AccessDenied`"],
        "05-environment": ["retries init at the first invocation", "**timeout**"],
        "09-invocation-types": ["an S3 bucket"],
    }
    for folder, phrases in fixed.items():
        text = (LESSONS_DIR / folder / "lesson.md").read_text(encoding="utf-8")
        assert FACT.search(text), folder
        for phrase in phrases:
            assert phrase in text, (folder, phrase)
    quiz = (LESSONS_DIR / "11-trigger" / "quiz.toml").read_text(encoding="utf-8")
    assert "June 2024" in quiz and "whatever the function's timeout" not in quiz
    greeting = (LESSONS_DIR / "12-greeting-api" / "lesson.md").read_text(encoding="utf-8")
    assert "application/json" in greeting and "plain text `Hello`" not in greeting


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lesson_id", [lid for lid in LESSON_IDS if PACK.lesson(lid).wrong_dirs])
async def test_every_wrong_answer_fails_with_the_feedback_the_notes_promise(
    lesson_id, service: LambdaService
):
    """Through the real engine (processes): each wrong answer fails a check, and the failing
    checks' feedback contains what facilitator.toml says the check answers to that mistake."""
    lesson = PACK.lesson(lesson_id)
    assert lesson.facilitator is not None
    says = {m.wrong_answer: m.check_says for m in lesson.facilitator.mistakes}
    slots = asyncio.Semaphore(PARALLEL_ANSWERS)

    async def run(wrong):
        async with slots:
            name = function_name(lesson, f"wrong-{wrong.name}")
            return wrong.name, await check_exercise(lesson, wrong, service, name=name)

    results = await asyncio.gather(*(run(w) for w in lesson.wrong_dirs))
    for name, result in results:
        assert result.setup_error is None, (name, result.setup_error)
        assert not result.passed, f"{lesson.folder.name}/wrong/{name} passes every check"
        feedback = "\n".join(c.message for c in result.checks if not c.passed)
        assert says[name].lower() in feedback.lower(), (name, feedback)


def test_fact_citations_stay_in_the_source_not_on_the_page():
    """`<!-- fact: … -->` is for authors; the app renders Markdown without HTML, so the
    loaded lesson text must not carry it."""
    cited = sum(
        (lesson.folder / "lesson.md").read_text(encoding="utf-8").count("<!-- fact:")
        for lesson in PACK.lessons
    )
    assert cited >= 30
    for lesson in PACK.lessons:
        assert "<!--" not in lesson.intro, lesson.id
        assert not [s.id for s in lesson.steps if "<!--" in s.markdown], lesson.id
