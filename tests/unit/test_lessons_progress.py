"""Progress: pure updates, the store on disk (atomic, resumable, resettable) and the report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.lesson_factory import make_lesson
from workbench.lessons import load_pack
from workbench.lessons.progress import (
    Progress,
    ProgressStore,
    exercise_checked,
    from_json,
    step_done,
    to_json,
    write_atomically,
)
from workbench.lessons.report import render
from workbench.lessons.runner import CheckResult, ExerciseResult


@pytest.fixture
def pack(tmp_path):
    make_lesson(tmp_path / "pack", "a")
    return load_pack(tmp_path / "pack")


def result(passed: bool) -> ExerciseResult:
    check = CheckResult(0, "returns", "Says hi", passed, "msg", 0.1)
    return ExerciseResult("sample", Path("."), (check,))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_pure_updates_leave_the_original_alone():
    """Updates return new values; a passed exercise stays passed after a later failure."""
    empty = Progress()
    one = step_done(empty, "x", "intro")
    assert empty.of("x").steps_done == () and one.of("x").steps_done == ("intro",)
    assert step_done(one, "x", "intro") is one
    passed = exercise_checked(one, "x", result(True), 5.0)
    again = exercise_checked(passed, "x", result(False), 6.0)
    assert again.of("x").exercise_passed and again.of("x").attempts == 2
    assert again.of("x").passed_at == 5.0 and again.of("x").status() == "done"


def test_json_round_trip():
    progress = exercise_checked(step_done(Progress(current="x"), "x", "s"), "x", result(True), 1)
    assert from_json(json.loads(json.dumps(to_json(progress)))) == progress
    with pytest.raises(ValueError):
        from_json({"version": 99})


def test_the_store_resumes_where_the_learner_was(tmp_path, pack):
    """Open copies the starter once; steps, answers, hints and attempts survive a restart."""
    lesson = pack.lessons[0]
    store = ProgressStore(tmp_path / "data", clock=Clock())
    code = store.open(lesson)
    assert (code / "lambda_function.py").read_text() == (
        lesson.starter_dir / "lambda_function.py"
    ).read_text()
    (code / "lambda_function.py").write_text("# my work\n")
    store.mark_step(lesson, "try-it")
    verdict = store.answer(lesson, 0, (0,))
    assert verdict.correct and verdict.explanations == ("Because.",)
    assert not store.answer(lesson, 1, (0,)).correct
    assert store.reveal_hint(lesson) == "First."
    store.record(lesson, result(False))

    again = ProgressStore(tmp_path / "data")
    assert again.open(lesson) == code
    assert (code / "lambda_function.py").read_text() == "# my work\n"  # not copied over
    mine = again.of(lesson)
    assert mine.steps_done == ("try-it",) and dict(mine.quiz) == {0: (0,), 1: (0,)}
    assert again.shown_hints(lesson) == ("First.",)
    assert mine.attempts == 1 and again.progress.current == lesson.id
    assert mine.quiz_score(lesson) == (1, 2)


def test_hints_run_out(tmp_path, pack):
    lesson = pack.lessons[0]
    store = ProgressStore(tmp_path)
    assert [store.reveal_hint(lesson) for _ in range(3)] == ["First.", "Second.", None]


def test_reset_restores_the_starter_and_forgets_progress(tmp_path, pack):
    lesson = pack.lessons[0]
    store = ProgressStore(tmp_path)
    code = store.open(lesson)
    (code / "lambda_function.py").write_text("broken(")
    (code / "extra.py").write_text("")
    store.record(lesson, result(True))
    assert store.reset(lesson) == code
    assert not (code / "extra.py").exists()
    assert "return {}" in (code / "lambda_function.py").read_text()
    assert store.of(lesson).attempts == 0 and not store.of(lesson).exercise_passed


def test_an_unreadable_file_is_kept_aside_not_lost(tmp_path):
    (tmp_path / "progress.json").write_text("{not json")
    store = ProgressStore(tmp_path, clock=lambda: 42.0)
    assert store.progress == Progress()
    assert store.recovered_from == tmp_path / "progress.json.unreadable-42"
    assert store.recovered_from.read_text() == "{not json"


def test_writes_are_atomic(tmp_path, monkeypatch):
    """A failed write leaves the old file whole and no temporary file behind."""
    target = tmp_path / "progress.json"
    write_atomically(target, "old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("workbench.lessons.progress.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]


def test_the_report_renders_in_markdown_and_html(tmp_path, pack):
    """A table row per lesson with status, steps, quiz, hints and attempts."""
    lesson = pack.lessons[0]
    store = ProgressStore(tmp_path)
    store.mark_step(lesson, "exercise")
    store.answer(lesson, 0, (0,))
    store.record(lesson, result(True))
    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    markdown = render(pack, store.progress, "markdown", "Ada <3", when)
    assert markdown.startswith("# Lessons: progress report — Ada <3\n")
    assert "1 of 1 exercises passed · generated 2026-01-02 03:04 UTC" in markdown
    assert "| 1 | Sample | ✅ passed | 1/3 | 1/2 | 0/2 | 1 | The check passed |" in markdown
    html = render(pack, store.progress, "html", "Ada <3", when)
    assert "<h1>Lessons: progress report — Ada &lt;3</h1>" in html
    assert "<td>✅ passed</td>" in html and html.startswith("<!doctype html>")
