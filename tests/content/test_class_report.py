"""A class summary merged from learners' exported reports: CSV figures and a PNG chart."""

from __future__ import annotations

import csv
import json
import struct
import subprocess
import sys
from pathlib import Path

from workbench.lessons import ExerciseResult, ProgressStore, load_pack
from workbench.lessons.runner import CheckResult
from workbench.paths import LESSONS_DIR, PROJECT_DIR

PACK = load_pack(LESSONS_DIR)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "lessons", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def result(lesson_id: str, passed: bool) -> ExerciseResult:
    check = CheckResult(0, "returns", "a check", passed, "ok" if passed else "no", 0.1)
    return ExerciseResult(lesson_id, Path("."), (check,))


def learner(tmp_path: Path, name: str, plan: dict[str, list[bool]], quiz: dict[str, int]) -> Path:
    """A learner's progress made through the store (attempts in order), exported by the CLI."""
    data = tmp_path / name
    store = ProgressStore(data)
    for lesson_id, attempts in plan.items():
        lesson = PACK.lesson(lesson_id)
        store.open(lesson)
        for passed in attempts:
            store.record(lesson, result(lesson_id, passed))
    for lesson_id, right in quiz.items():
        lesson = PACK.lesson(lesson_id)
        for index in range(right):
            store.answer(lesson, index, lesson.quiz[index].answers)
    out = tmp_path / f"{name}.json"
    done = cli(
        "report",
        "--format",
        "json",
        "--learner",
        name,
        "--output",
        str(out),
        "--data-dir",
        str(data),
    )
    assert done.returncode == 0, done.stderr
    return out


def test_three_learners_merge_into_a_class_summary(tmp_path: Path):
    ada = learner(tmp_path, "ada", {"function": [False, True], "handler": [True]}, {"function": 2})
    bob = learner(tmp_path, "bob", {"function": [True], "handler": [False, False]}, {})
    zoe = learner(tmp_path, "zoë", {"function": [False, False, False]}, {"function": 1})
    assert json.loads(ada.read_text())["learner"] == "ada"
    csv_path, png = tmp_path / "class.csv", tmp_path / "class.png"
    done = cli(
        "report",
        "--merge",
        str(ada),
        str(bob),
        str(zoe),
        "--output",
        str(csv_path),
        "--chart",
        str(png),
    )
    assert done.returncode == 0, done.stderr
    assert "3 learners" in done.stderr
    rows = {row["lesson"]: row for row in csv.DictReader(csv_path.open(encoding="utf-8"))}
    assert list(rows) == [lesson.id for lesson in PACK.lessons]  # course order
    fn = rows["function"]
    assert (fn["learners"], fn["passed"], fn["started"], fn["not_started"]) == ("3", "2", "1", "0")
    assert fn["passed_pct"] == "66.7"
    assert fn["mean_attempts"] == "2.00"  # (2 + 1 + 3) / 3
    quiz_total = 3 * len(PACK.lesson("function").quiz)
    assert fn["quiz_pct"] == f"{100 * 3 / quiz_total:.1f}"  # ada 2 right, zoë 1
    hd = rows["handler"]
    assert (hd["passed"], hd["started"], hd["not_started"], hd["mean_attempts"]) == (
        "1",
        "1",
        "1",
        "1.50",
    )
    untouched = rows["sqs-batches"]
    assert (untouched["passed"], untouched["not_started"], untouched["mean_attempts"]) == (
        "0",
        "3",
        "0.00",
    )
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width >= 600 and height >= 400


def test_a_file_that_is_not_a_report_is_named(tmp_path: Path):
    markdown = tmp_path / "me.md"
    done = cli("report", "--output", str(markdown), "--data-dir", str(tmp_path))
    assert done.returncode == 0
    merged = cli("report", "--merge", str(markdown))
    assert merged.returncode == 2
    assert f"{markdown}: not JSON" in merged.stderr and "--format json" in merged.stderr
