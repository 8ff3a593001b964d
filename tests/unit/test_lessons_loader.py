"""Loading lesson folders: the model built, and every mistake reported as file:line."""

from __future__ import annotations

import pytest

from tests.support.lesson_factory import LESSON_MD, make_lesson
from workbench.lessons import LessonError, load_lesson, load_pack, read_lesson


def problems_of(folder):
    lesson, problems = read_lesson(folder)
    assert lesson is None
    return {(p.path.relative_to(folder).as_posix(), p.line): p.message for p in problems}


def test_a_valid_lesson_loads_into_the_model(tmp_path):
    """Front matter, steps in order with their kinds, checks, quiz and hints."""
    lesson = load_lesson(make_lesson(tmp_path))
    assert (lesson.id, lesson.title, lesson.order, lesson.minutes) == ("sample", "Sample", 1, 5)
    assert lesson.intro == "Intro."
    assert [(s.id, s.kind) for s in lesson.steps] == [
        ("read-this", "read"),
        ("try-it", "try_it"),
        ("exercise", "exercise"),
    ]
    assert lesson.checks[0].kind == "returns" and lesson.checks[0].line == 1
    assert lesson.checks[0].params == {"expect": {"hi": True}}
    assert [q.answers for q in lesson.quiz] == [(0,), (1,)]
    assert lesson.hints == ("First.", "Second.")


def test_events_come_from_files_and_the_catalogue(tmp_path):
    """events/*.json by file stem; events.toml generates from the catalogue with params."""
    folder = make_lesson(
        tmp_path,
        **{
            "events/ada.json": '{"name": "Ada"}',
            "events.toml": '[upload]\nsample = "s3-put"\nparams = { key = "a b.txt" }\n',
        },
    )
    lesson = load_lesson(folder)
    assert lesson.event("ada").value() == {"name": "Ada"}
    upload = lesson.event("upload").value()
    assert upload["Records"][0]["s3"]["object"]["key"] == "a+b.txt"


def test_toml_syntax_errors_point_at_their_line(tmp_path):
    """tomllib's own line, in checks.toml and in the front matter (offset by the +++ line)."""
    broken_md = LESSON_MD.replace('title = "Sample"', 'title = "Sample')
    folder = make_lesson(
        tmp_path,
        **{
            "checks.toml": '[[checks]]\nkind = "returns"\ntitle = = "x"\n',
            "lesson.md": broken_md,
        },
    )
    found = problems_of(folder)
    assert any(k == ("checks.toml", 3) and "not valid TOML" in v for k, v in found.items())
    assert any(k == ("lesson.md", 3) and "not valid TOML" in v for k, v in found.items())


def test_schema_errors_point_at_the_key(tmp_path):
    """Unknown keys (with a suggestion), wrong types and missing keys, each at its line."""
    checks = """\
[[checks]]
kind = "returns"
title = "ok"

[[checks]]
kind = "returns"
title = "bad"
expekt = { hi = true }
event = 3
"""
    found = problems_of(make_lesson(tmp_path, **{"checks.toml": checks}))
    assert "did you mean 'expect'?" in found[("checks.toml", 8)]
    assert found[("checks.toml", 9)] == "event must be a string, not an integer"


def test_front_matter_and_quiz_problems(tmp_path):
    """A bad id pattern, a missing summary, a choice without explanation, no correct answer."""
    md = LESSON_MD.replace('id = "sample"', 'id = "Sample Lesson"').replace(
        'summary = "A lesson written by a test."\n', ""
    )
    quiz = (
        '[[questions]]\nprompt = "?"\n\n[[questions.choices]]\ntext = "a"\n\n'
        '[[questions.choices]]\ntext = "b"\nexplanation = "no"\n'
    )
    found = problems_of(make_lesson(tmp_path, **{"lesson.md": md, "quiz.toml": quiz}))
    assert "must match" in found[("lesson.md", 2)]
    assert any("lacks the required key 'summary'" in v for v in found.values())
    assert "lacks the required key 'explanation'" in found[("quiz.toml", 4)]
    assert "1 question(s)" in found[("quiz.toml", 1)]


def test_references_to_missing_things_are_reported(tmp_path):
    """An unknown kind, an unknown event, a bad template placeholder, a missing try-it event."""
    checks = """\
[[checks]]
kind = "retruns"
title = "typo"

[[checks]]
kind = "returns"
title = "no such event"
event = "nobody"
message = "{detail} {whatever}"
"""
    md = LESSON_MD.replace("+++\n\nIntro", '[try_it]\nevent = "ghost"\n+++\n\nIntro')
    found = problems_of(make_lesson(tmp_path, **{"checks.toml": checks, "lesson.md": md}))
    assert "unknown check kind 'retruns'" in found[("checks.toml", 2)]
    assert "no event 'nobody'" in found[("checks.toml", 8)]
    assert "unknown placeholder(s) ['whatever']" in found[("checks.toml", 9)]
    assert "no event 'ghost'" in found[("lesson.md", 9)]


def test_bad_event_json_and_catalogue_params(tmp_path):
    """JSON errors at the decoder's line; a catalogue parameter that doesn't exist."""
    folder = make_lesson(
        tmp_path,
        **{
            "events/bad.json": '{\n  "a": 1,\n  "b": ,\n}\n',
            "events.toml": '[x]\nsample = "s3-put"\nparams = { colour = "red" }\n',
        },
    )
    found = problems_of(folder)
    assert "not valid JSON" in found[("events/bad.json", 3)]
    assert "no parameter 'colour'" in found[("events.toml", 2)]


def test_missing_sections_files_and_code(tmp_path):
    """No Try it section, no hints file, an empty solution folder."""
    md = LESSON_MD.replace("## Try it", "## Play")
    folder = make_lesson(tmp_path, **{"lesson.md": md, "hints.toml": ""})
    (folder / "solution" / "lambda_function.py").unlink()
    found = problems_of(folder)
    assert any("exactly one '## Try it' section" in v for v in found.values())
    assert found[("hints.toml", 1)] == "hints.toml is missing"
    assert "solution/ must hold" in found[("solution", 1)]


def test_load_lesson_raises_with_every_problem(tmp_path):
    """LessonError's message lists path:line: message lines."""
    folder = make_lesson(tmp_path, **{"checks.toml": "checks = 1\n"})
    with pytest.raises(LessonError) as caught:
        load_lesson(folder)
    assert str(caught.value).startswith(f"{folder / 'checks.toml'}:1: ")


def test_a_pack_orders_lessons_and_keeps_problems(tmp_path):
    """index.toml gives the order; a broken lesson is left out with its problems kept."""
    make_lesson(
        tmp_path,
        "b-second",
        **{
            "lesson.md": LESSON_MD.replace("order = 1", "order = 2").replace(
                'id = "sample"', 'id = "second"'
            )
        },
    )
    make_lesson(tmp_path, "a-first")
    make_lesson(tmp_path, "c-broken", **{"checks.toml": "nonsense = [\n"})
    (tmp_path / "index.toml").write_text(
        'title = "Pack"\nlessons = [\n  "a-first",\n  "b-second",\n  "c-broken",\n  "d-gone",\n]\n'
    )
    pack = load_pack(tmp_path)
    assert pack.title == "Pack"
    assert [lesson.id for lesson in pack.lessons] == ["sample", "second"]
    lines = {(p.path.name, p.line) for p in pack.problems}
    assert ("index.toml", 6) in lines  # d-gone is named on line 6
    assert any(p.path.name == "checks.toml" for p in pack.problems)


def test_a_pack_without_index_sorts_by_order(tmp_path):
    """Every folder with a lesson.md, by front-matter order."""
    make_lesson(tmp_path, "z", **{"lesson.md": LESSON_MD.replace('id = "sample"', 'id = "one"')})
    make_lesson(tmp_path, "a", **{"lesson.md": LESSON_MD.replace("order = 1", "order = 2")})
    pack = load_pack(tmp_path)
    assert [lesson.id for lesson in pack.lessons] == ["one", "sample"]
    assert pack.problems == ()
