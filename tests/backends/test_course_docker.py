"""The course on Docker: `lessons exercise --backend docker` ends cleanly, and the memory
lesson's claim (memory buys CPU) holds in real containers."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.backends.docker_sweep import OWNER_LABEL
from workbench.backends.images import LABEL
from workbench.core.model import load_function
from workbench.paths import LESSONS_DIR, PROJECT_DIR

pytestmark = [pytest.mark.docker, pytest.mark.timeout(300)]
BROKEN_EXIT = ("Traceback", "Event loop is closed", "Task was destroyed", "Exception ignored")


def test_lessons_exercise_on_docker_ends_cleanly(docker_client, runtime_image, tmp_path: Path):
    """Three runs: no asyncio noise on stderr, and no container of the run left behind."""
    for _ in range(3):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workbench",
                "lessons",
                "exercise",
                "function",
                "--backend",
                "docker",
                "--data-dir",
                str(tmp_path),
            ],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = process.communicate(timeout=200)
        assert process.returncode == 1, out + err  # the starter fails its checks
        assert "backend: Docker" in err
        assert not [m for m in BROKEN_EXIT if m in err], err
        left = docker_client.containers.list(
            all=True, filters={"label": [LABEL, f"{OWNER_LABEL}={process.pid}"]}
        )
        assert left == [], [c.name for c in left]


async def test_memory_buys_cpu_for_the_memory_lesson(docker_service):
    """The lesson's function, CPU-bound: ~14× the CPU share at 1,769 MB than at 128 MB."""
    base = load_function(LESSONS_DIR / "17-memory-cpu" / "solution", name="sweep")
    payload = json.dumps({"below": 60_000}).encode()
    durations = {}
    for memory in (128, 1769):
        name = f"sweep-{memory}"
        docker_service.deploy(replace(base, name=name, memory_mb=memory, timeout_s=60))
        await docker_service.invoke(name, payload)  # cold: init ran with the whole machine
        served = await docker_service.invoke(name, payload)
        assert served.function_error is None
        assert json.loads(served.payload) == {"below": 60_000, "primes": 6057}
        durations[memory] = served.report.duration_ms
    assert durations[128] > 4 * durations[1769], durations


def test_the_bundle_carries_the_runtime_image(tmp_path: Path, docker_client):
    image = "lambda-workbench/python:3.11"
    docker_client.images.get(image)  # built by scripts/test.sh
    bundle = tmp_path / "usb"
    subprocess_bash("scripts/bundle.sh", bundle, "--images", image)
    tarball = bundle / "images" / "lambda-workbench_python_3.11.tar"
    with tarfile.open(tarball) as saved:
        manifest = json.load(saved.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] == [image]
    assert "lambda-workbench/python:3.11" in (bundle / "README.txt").read_text()


def subprocess_bash(*args: str | Path) -> None:
    done = subprocess.run(
        ["bash", *map(str, args)], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=800
    )
    assert done.returncode == 0, done.stdout + done.stderr
