"""The course ships with the package: a wheel, installed into a fresh virtualenv away from the
repository, lists every lesson, opens each starter, and carries the samples and resources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.lessons import load_pack
from workbench.paths import LESSONS_DIR, PROJECT_DIR

PACK = load_pack(LESSONS_DIR)
pytestmark = pytest.mark.timeout(600)


def uv() -> str:
    """uv from the test extras (next to this Python), else from PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: install the test extras (pip install -e '.[test]')")
    return found


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=500, env=env
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel built from this checkout (no editable link)."""
    root = tmp_path_factory.mktemp("wheel")
    run(uv(), "build", "--wheel", "--out-dir", root / "dist", PROJECT_DIR, cwd=root)
    wheels = list((root / "dist").glob("lambda_workbench-*.whl"))
    assert len(wheels) == 1, wheels
    run(uv(), "venv", "--quiet", "--python", sys.executable, root / "venv", cwd=root)
    python = root / "venv" / "bin" / "python"
    run(uv(), "pip", "install", "--quiet", "--python", python, wheels[0], cwd=root)
    return root


def test_the_installed_package_finds_its_own_data(installed: Path):
    python = installed / "venv" / "bin" / "python"
    out = run(
        python,
        "-c",
        "import workbench.paths as p; print(p.LESSONS_DIR); print(p.SAMPLES_DIR); "
        "print(p.RESOURCES_DIR)",
        cwd=installed,
    )
    lessons, samples, resources = (Path(line) for line in out.split())
    site = installed / "venv" / "lib"
    for folder in (lessons, samples, resources):
        assert folder.is_relative_to(site), folder  # the wheel's copy, not the repository's
        assert folder.is_dir()
    assert (samples / "hello" / "lambda_function.py").is_file()
    assert (resources / "style.qss").is_file()
    assert not list(lessons.rglob("__pycache__"))


def test_it_lists_every_lesson_and_opens_each_starter(installed: Path):
    cli = installed / "venv" / "bin" / "lambda-workbench"
    data = installed / "learner"
    env = {**os.environ, "PYTHONPATH": ""}  # nothing from the checkout
    listing = run(cli, "lessons", "list", "--data-dir", data, cwd=installed, env=env)
    for lesson in PACK.lessons:
        assert lesson.id in listing, lesson.id
    for lesson in PACK.lessons:
        page = run(cli, "lessons", "show", lesson.id, "--data-dir", data, cwd=installed, env=env)
        assert f"{lesson.title} — page 1 of" in page
        opened = data / "lessons" / lesson.id
        starter = sorted(p.name for p in lesson.starter_dir.iterdir() if p.is_file())
        assert sorted(p.name for p in opened.iterdir() if p.is_file()) == starter


def test_the_installed_course_validates_and_a_sample_runs(installed: Path):
    cli = installed / "venv" / "bin" / "lambda-workbench"
    python = installed / "venv" / "bin" / "python"
    lessons = Path(
        run(
            python, "-c", "import workbench.paths as p; print(p.LESSONS_DIR)", cwd=installed
        ).strip()
    )
    checked = run(cli, "lessons", "check", lessons, "--no-run", cwd=installed)
    assert "all lessons are valid" in checked  # code excerpts resolve in site-packages too
    samples = lessons.parent / "sample_functions"
    out = run(
        cli,
        "invoke",
        samples / "hello",
        "--backend",
        "process",
        "--payload",
        '{"name": "Ada"}',
        cwd=installed,
    )
    assert "Ada" in out and "REPORT RequestId:" in out
