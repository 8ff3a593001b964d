"""The course from a terminal: `lessons show`, `exercise`, the workshop kit, action links."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.lessons import load_pack
from workbench.lessons.actions import parse_action
from workbench.lessons.terminal import command_for, describe_link, pages
from workbench.paths import LESSONS_DIR, PROJECT_DIR

PACK = load_pack(LESSONS_DIR)


def cli(*args: str, timeout: float = 100) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "lessons", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_show_prints_every_page_with_actions_spelled_out(tmp_path: Path):
    lesson = PACK.lesson("concurrency")
    total = len(pages(lesson))
    try_it = 1 + next(i for i, s in enumerate(lesson.steps, 1) if s.kind == "try_it")
    done = cli("show", "concurrency", "--page", str(try_it), "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"page {try_it} of {total}: Try it" in out
    assert "](action:" not in out  # no raw links in a terminal
    assert "[in the app: click “Send five orders at once”" in out
    assert "$ lambda-workbench load" in out and "--rate 5" in out  # the equivalent command
    assert "put reserved_concurrency = 2 in function.toml" in out
    assert "Send five orders at once [▶1]" in out  # marked in the text, spelled out below
    assert str(tmp_path / "lessons" / "concurrency") in out  # the learner's own folder
    last = cli("show", "concurrency", "--page", str(total), "--data-dir", str(tmp_path))
    assert "lessons exercise concurrency" in last.stdout
    beyond = cli("show", "concurrency", "--page", str(total + 1), "--data-dir", str(tmp_path))
    assert beyond.returncode == 2 and f"pages 1 to {total}" in beyond.stderr


def test_show_quiz_and_hints(tmp_path: Path):
    quiz = cli("show", "sqs-batches", "--quiz", "--data-dir", str(tmp_path)).stdout
    lesson = PACK.lesson("sqs-batches")
    assert quiz.count("✓") == sum(len(q.answers) for q in lesson.quiz)
    assert "1. A batch of 10 messages has one poison message" in quiz
    hints = cli("show", "sqs-batches", "--hints", "--data-dir", str(tmp_path)).stdout
    assert all(f"{n}. " in hints for n in range(1, len(lesson.hints) + 1))
    unknown = cli("show", "no-such-lesson", "--data-dir", str(tmp_path))
    assert unknown.returncode == 2 and "the lessons are: function, handler" in unknown.stderr


@pytest.mark.timeout(120)
def test_exercise_says_where_the_code_is_and_how_to_edit_it(tmp_path: Path):
    done = cli("exercise", "handler", "--backend", "process", "--data-dir", str(tmp_path))
    code = tmp_path / "lessons" / "handler"
    assert f"your code: {code} (app.py, function.toml)" in done.stderr
    assert "$EDITOR" in done.stderr and "lessons reset handler" in done.stderr
    assert done.returncode == 1 and "FAIL  Lambda finds and loads the handler" in done.stdout


def test_every_action_becomes_a_command_or_an_app_step():
    for lesson in PACK.lessons:
        text = (lesson.folder / "lesson.md").read_text(encoding="utf-8")
        for label, href in re.findall(r"\[([^\]]+)\]\((action:[^)\s]+)\)", text):
            action = parse_action(href)
            shown = describe_link(label, href)
            assert shown.startswith(f"{label} [in the app: click “{label}”")
            if action.kind in ("invoke", "rate", "api-call", "queue-send"):
                assert command_for(action), href


def _pack_with_workshop(tmp_path: Path, solutions: str, key: str = "") -> Path:
    pack = tmp_path / "pack"
    for name in ("01-function", "02-handler"):
        shutil.copytree(LESSONS_DIR / name, pack / name)
    digest = f'unlock_key_sha256 = "{hashlib.sha256(key.encode()).hexdigest()}"\n' if key else ""
    (pack / "index.toml").write_text(
        'title = "Workshop"\nlessons = ["01-function", "02-handler"]\n'
        f'[workshop]\nsolutions = "{solutions}"\n{digest}'
    )
    return pack


def test_solutions_hidden_until_the_instructor_unlocks_them(tmp_path: Path):
    pack = _pack_with_workshop(tmp_path, "instructor", key="tea-break-42")
    data = ["--dir", str(pack), "--data-dir", str(tmp_path / "data")]
    hidden = cli("show", "function", "--solution", *data)
    assert hidden.returncode == 1
    assert "hidden: the solution opens when your instructor unlocks it" in hidden.stderr
    wrong_key = cli("unlock", "function", "--key", "guess", *data)
    assert wrong_key.returncode == 1 and "does not unlock this pack" in wrong_key.stderr
    assert cli("unlock", "function", "--key", "tea-break-42", *data).returncode == 0
    shown = cli("show", "function", "--solution", *data)
    assert shown.returncode == 0 and 'return {"message": f"Hello, {name}!"}' in shown.stdout
    other = cli("show", "handler", "--solution", *data)
    assert other.returncode == 1  # only the lesson unlocked
    assert cli("unlock", "--all", "--key", "tea-break-42", *data).returncode == 0
    assert cli("show", "handler", "--solution", *data).returncode == 0


@pytest.mark.timeout(120)
def test_after_pass_shows_the_solution_once_the_exercise_passes(tmp_path: Path):
    pack = _pack_with_workshop(tmp_path, "after-pass")
    data = ["--dir", str(pack), "--data-dir", str(tmp_path / "data")]
    assert cli("show", "handler", "--solution", *data).returncode == 1
    shutil.rmtree(tmp_path / "data" / "lessons" / "handler", ignore_errors=True)
    shutil.copytree(pack / "02-handler" / "solution", tmp_path / "data" / "lessons" / "handler")
    passed = cli("exercise", "handler", "--backend", "process", *data)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert cli("show", "handler", "--solution", *data).returncode == 0
    no_key = cli("unlock", "handler", "--key", "x", *data)
    assert "no unlock key" in no_key.stderr


def test_notes_print_the_facilitator_notes():
    done = cli("notes", "event")
    assert done.returncode == 0
    assert "Plan 25 min in class." in done.stdout
    assert "reproduce it: lessons exercise event --code" in done.stdout


def test_a_broken_action_link_is_reported_with_its_line(tmp_path: Path):
    pack = tmp_path / "pack"
    shutil.copytree(LESSONS_DIR / "08-concurrency", pack / "08-concurrency")
    md = pack / "08-concurrency" / "lesson.md"
    lines = md.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "action:set?reserved_concurrency=2" in line)
    lines[at] = lines[at].replace("reserved_concurrency=2", "reserved_concurency=2")
    lines.append("[Drop a photo](action:bucket-put?key=a.jpg&sample=missing.jpg)")
    md.write_text("\n".join(lines) + "\n")
    done = cli("check", str(pack), "--no-run", "--quiet")
    assert done.returncode == 1
    out = done.stdout
    assert f"lesson.md:{at + 1}: [Cap it at 2]: action 'set' takes no 'reserved_concurency'" in out
    assert f"lesson.md:{len(lines)}: [Drop a photo]: no file events/missing.jpg" in out
