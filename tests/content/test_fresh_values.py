"""Fresh values: events and expectations drawn anew for every check run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from workbench.core.service import LambdaService
from workbench.lessons import check_exercise, fresh, load_lesson
from workbench.lessons.loader import read_lesson
from workbench.paths import LESSONS_DIR


def naive_primes(limit: int) -> int:
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, limit))


def test_draws_differ_and_keys_carry_the_awkward_characters():
    draws = [fresh.draw(seed) for seed in range(40)]
    assert len({d["name"] for d in draws}) > 10
    for d in draws:
        assert " " in d["file"] and "+" in d["file"] and "(" in d["file"]
        assert d["first"] != d["other"]
        assert d["currency"] != "EUR"  # never the samples' value, so hard-coding it fails
    assert any(any(ord(c) > 127 for c in d["file"]) for d in draws)


def test_numbers_are_numbers_and_the_prime_count_is_right():
    values = fresh.draw(7)
    assert fresh.substitute({"below": "${big}", "label": "n=${n}"}, values) == {
        "below": int(values["big"]),
        "label": f"n={values['n']}",
    }
    assert fresh.primes_below(1000) == naive_primes(1000) == 168
    assert fresh.primes_below(int(fresh.DEFAULTS["big"])) == int(fresh.DEFAULTS["big_primes"])


def test_without_a_check_the_readable_defaults_show():
    lesson = load_lesson(LESSONS_DIR / "01-function")
    assert lesson.event("ada").value() == {"name": "Ada"}
    upload = load_lesson(LESSONS_DIR / "03-event").event("photo-upload").value()
    assert (
        upload["Records"][0]["s3"]["object"]["key"] == "cat+photos/beach+day+%282%29%2BZo%C3%AB.jpg"
    )


def test_an_unknown_placeholder_is_reported_with_its_line(tmp_path: Path):
    folder = tmp_path / "01-function"
    shutil.copytree(LESSONS_DIR / "01-function", folder)
    checks = folder / "checks.toml"
    checks.write_text(checks.read_text().replace("${first}!", "${firstname}!", 1))
    lesson, problems = read_lesson(folder)
    assert lesson is None
    assert [(p.path.name, p.line) for p in problems] == [("checks.toml", 1)]
    assert "unknown placeholder ${firstname}" in problems[0].message


async def test_a_check_sees_new_values_each_run(tmp_path: Path, service: LambdaService):
    """An echo function shows what the check sent: two runs, two different names."""
    code = tmp_path / "echo"
    code.mkdir()
    (code / "lambda_function.py").write_text(
        "def lambda_handler(event, context):\n    return {'message': 'Hello, Ada!'}\n"
    )
    lesson = load_lesson(LESSONS_DIR / "01-function")
    seen = set()
    for _ in range(5):
        result = await check_exercise(lesson, code, service)
        first = result.checks[0]
        seen.add(first.message.split("expected ")[-1].split("!")[0])
    assert len(seen) >= 2, seen  # a hard-coded answer can't keep up with new names
    assert json.loads(lesson.event("ada").payload())["name"] == "Ada"
