"""`lambda-workbench runtimes`: every runtime, and whether this machine runs it on each backend."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workbench import runtimes
from workbench.core.model import RUNTIMES

REPO = Path(__file__).resolve().parents[2]


def test_runtimes_lists_every_runtime_and_what_is_missing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "runtimes", "--no-docker"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["RUNTIME", "LANGUAGE", "PROCESSES", "DOCKER"]
    listed = [line.split()[0] for line in lines[1 : len(RUNTIMES) + 1]]
    assert sorted(listed) == sorted(RUNTIMES)
    assert listed.index("python3.11") < listed.index("nodejs20.x") < listed.index("provided.al2023")
    for name in RUNTIMES:
        row = next(line for line in lines if line.startswith(name + " "))
        missing = runtimes.process_availability(runtimes.get(name))
        assert ("no (see below)" in row) == bool(missing), row
        if missing:
            assert f"{name}: {missing}" in done.stdout
