"""scripts/bundle.sh: an offline folder that installs without network and runs the course."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.lessons import load_pack
from workbench.paths import LESSONS_DIR, PROJECT_DIR

pytestmark = pytest.mark.timeout(900)
OFFLINE = {
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # nothing listens: any download would fail
    "PIP_FIND_LINKS": "",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
}


def bash(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", *map(str, args)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=800,
        env={**os.environ, "PYTHON": sys.executable, **(env or {})},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_bundle_installs_offline_and_lists_the_course(tmp_path: Path):
    bundle = tmp_path / "usb"
    bash("scripts/bundle.sh", bundle, "--no-images")
    wheels = {p.name.split("-")[0].lower() for p in (bundle / "wheelhouse").glob("*.whl")}
    assert {"lambda_workbench", "pyside6", "aiohttp", "matplotlib", "boto3"} <= wheels
    assert (bundle / "lessons" / "index.toml").is_file()
    assert "bash install.sh" in (bundle / "README.txt").read_text()
    venv = tmp_path / "installed"
    bash(bundle / "install.sh", venv, env=OFFLINE)
    listing = subprocess.run(
        [venv / "bin" / "lambda-workbench", "lessons", "list", "--data-dir", tmp_path / "data"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    assert all(lesson.id in listing.stdout for lesson in load_pack(LESSONS_DIR).lessons)
