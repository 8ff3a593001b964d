"""The lesson package's small parts: key lines, schema, JSON paths, templates, Markdown."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from workbench.lessons import jsonpath
from workbench.lessons.check_kinds import GROUPS, kinds
from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.checks import Outcome, feedback, template_names
from workbench.lessons.markdown import (
    excerpt,
    expand,
    find_symbol,
    slug,
    split_front_matter,
    split_steps,
)
from workbench.lessons.model import CheckSpec, Choice, CodeReference, Question, grade
from workbench.lessons.schema import Field, check_table
from workbench.lessons.tomllines import KeyLines, format_path

LESSONS_PACKAGE = Path(__file__).resolve().parents[2] / "workbench" / "lessons"

DOC = '''\
title = "x"
[[checks]]
kind = "returns"
expect = { a = 1 }

[[checks]]
"quoted key" = 2
notes = """
kind = "not a key"
"""
dotted.key = 3

[[questions]]
prompt = "?"
[[questions.choices]]
text = "a"
[[questions.choices]]
text = "b"
[[questions]]
[[questions.choices]]
text = "c"
'''


def test_key_lines_follow_tables_arrays_and_multiline_strings():
    """Each key path maps to its line; inline-table keys fall back to their table's key."""
    lines = KeyLines(DOC)
    assert lines.line(("title",)) == 1
    assert lines.line(("checks", 0)) == 2
    assert lines.line(("checks", 0, "kind")) == 3
    assert lines.line(("checks", 0, "expect", "a")) == 4
    assert lines.line(("checks", 1, "quoted key")) == 7
    assert lines.line(("checks", 1, "dotted", "key")) == 11
    assert lines.line(("checks", 1, "kind")) == 6  # inside the multi-line string: not a key
    assert lines.line(("questions", 0, "choices", 1, "text")) == 18
    assert lines.line(("questions", 1, "choices", 0, "text")) == 21
    assert lines.line(("nowhere",)) == 1


def test_key_lines_offset_for_front_matter():
    assert KeyLines('id = "a"\norder = 1\n', first_line=2).line(("order",)) == 3


def test_format_path():
    assert format_path(("checks", 2, "expect", "statusCode")) == "checks[2].expect.statusCode"


def test_check_table_reports_missing_unknown_and_bad_values():
    """Required keys, did-you-mean, types, choices and bounds."""
    schema = {
        "name": Field("string", "", required=True),
        "size": Field("integer", "", minimum=1, maximum=3),
        "mode": Field("string", "", choices=("a", "b")),
        "tags": Field("list", "", items="string"),
    }
    found = dict(check_table({"sise": 2, "size": True, "mode": "c", "tags": ["x", 1]}, schema))
    assert found[()] == "the file lacks the required key 'name'"
    assert "did you mean 'size'?" in found[("sise",)]
    assert found[("size",)] == "size must be an integer, not a boolean"
    assert "use one of 'a', 'b'" in found[("mode",)]
    assert found[("tags", 1)] == "tags[1] must be a string"
    assert dict(check_table({"name": "n", "size": 9}, schema)) == {
        ("size",): "size is 9; it must be at most 3"
    }


def test_json_paths():
    """Dotted names, indices, quoted names; MISSING and the longest existing prefix."""
    value = {"Records": [{"s3": {"object": {"key": "a+b"}}}], "odd.name": 1}
    assert jsonpath.lookup(value, "Records[0].s3.object.key") == "a+b"
    assert jsonpath.lookup(value, '["odd.name"]') == 1
    assert jsonpath.lookup(value, "") is value
    assert jsonpath.lookup(value, "Records[1]") is jsonpath.MISSING
    assert jsonpath.missing_step(value, "Records[0].s3.bucket.name") == "Records[0].s3"
    with pytest.raises(jsonpath.PathError):
        jsonpath.parse("a[")


def test_compare_gives_specific_feedback():
    """Type, types, expect and contains, each with a plain-words detail."""
    assert compare({"a": 1}, {"expect": {"a": 1}, "type": "dict"}) is None
    wrong_type = compare("Hello", {"type": "dict"})
    assert wrong_type is not None and 'is a string ("Hello"); expected a dict' in wrong_type.detail
    missing = compare({"body": {}}, {"expect": {"body.greeting": "hi"}})
    assert missing is not None and "has `body` but no `body.greeting`" in missing.detail
    value = compare({"statusCode": "200"}, {"expect": {"statusCode": 200}})
    assert value is not None and 'is "200"; expected 200' in value.detail
    assert compare({"ok": 1}, {"expect": {"ok": True}}) is not None  # 1 is not true
    text = compare({"b": "Lambda Day | Bob"}, {"contains": {"b": "Alice"}})
    assert text is not None and text.fields["path"] == "b"


def test_feedback_templates():
    """{detail} and kind fields fill in; {{ }} stays literal; passing checks keep the detail."""
    spec = CheckSpec(0, "returns", "t", {}, '{detail}. Try {{"a": {expected}}}', 1)
    failed = Outcome(False, "it returned 2", {"expected": 1})
    assert feedback(spec, failed) == 'it returned 2. Try {"a": 1}'
    assert feedback(spec, Outcome(True, "fine")) == "fine"
    unknown = CheckSpec(0, "returns", "t", {}, "{nothing} here", 1)
    assert feedback(unknown, failed) == "{nothing} here"
    assert template_names("{detail} {got[0]} {x.y}") == ["detail", "got", "x"]


def test_every_kind_declares_a_summary_and_event_keys_it_accepts():
    """The registry is complete enough for the README and the schema check."""
    registry = kinds()
    assert {"returns", "handler_resolves", "api_response", "throttles"} <= set(registry)
    for kind in registry.values():
        assert kind.summary.endswith(".")
        assert all(key in kind.params for key in kind.event_keys)


def test_every_kind_is_run_by_the_coroutine_of_its_name_in_its_groups_run_module():
    """Declarations (loaded with every lesson) and runners (loaded when a check runs) pair up."""
    for group in GROUPS:
        for kind in group.KINDS:
            assert kind.runner == f"{group.__name__}_run", kind.name
            assert inspect.iscoroutinefunction(kind.load_runner()), kind.name
    assert len(kinds()) == sum(len(group.KINDS) for group in GROUPS)  # no name declared twice


def test_grading_single_and_multiple_answers():
    """Exactly the correct choices are right; explanations come for each chosen choice."""
    question = Question(
        "?", (Choice("a", True, "yes a"), Choice("b", True, "yes b"), Choice("c", False, "no"))
    )
    assert question.multiple and question.answers == (0, 1)
    assert grade(question, [1, 0]).correct
    partial = grade(question, [0, 2, 9])
    assert not partial.correct and partial.chosen == (0, 2)
    assert partial.explanations == ("yes a", "no")


def test_front_matter_and_steps():
    """+++ blocks, ## sections (not inside code fences), slugs."""
    parts = split_front_matter('+++\nid = "x"\n+++\nIntro\n## One\nA\n```\n## not a step\n```\n')
    assert parts is not None and parts.front_matter == 'id = "x"' and parts.body_line == 4
    intro, sections = split_steps(parts.body)
    assert intro == "Intro"
    assert [(title, offset) for title, _, offset in sections] == [("One", 1)]
    assert "## not a step" in sections[0][1]
    assert split_front_matter("no front matter") is None
    assert slug("The loop, from the workbench's own runtime!") == (
        "the-loop-from-the-workbenchs-own-runtime"
    )


def test_code_excerpts_are_read_live(tmp_path):
    """A show marker becomes the symbol's source with its file and line numbers."""
    (tmp_path / "mod.py").write_text("import os\n\n\n@dec\ndef main():\n    return 1\n")
    ref = CodeReference("m", "mod.py", "main", "the main")
    assert find_symbol(tmp_path / "mod.py", "main") == (4, 6)
    text = excerpt(ref, tmp_path)
    assert text.startswith("`mod.py`, lines 4–6: the main")
    assert "@dec\ndef main():" in text
    assert expand("a\n<!-- show: m -->\nb", {"m": ref}, tmp_path).count("```") == 2


def test_the_lessons_package_imports_no_qt_and_no_backends():
    """workbench/lessons is pure Python for the app, the CLI and tests alike."""
    forbidden = ("PySide6", "qasync", "workbench.ui", "workbench.backends", "docker")
    offenders = []
    for path in LESSONS_PACKAGE.rglob("*.py"):  # check_kinds/ included
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(forbidden)]
    assert offenders == []
