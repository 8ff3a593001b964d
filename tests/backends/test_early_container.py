"""Commands that run a function ask Docker for its first container before the engine loads
(function_options.select_early), and never leave that container behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.backends.docker_sweep import OWNER_LABEL

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "sample_functions" / "hello"


def own_containers(docker_client, pid: int) -> list[str]:
    found = docker_client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={pid}"})
    return [c.name for c in found]


def test_the_first_container_runs_before_the_engine_is_imported(docker_client, runtime_image):
    probe = (
        "import asyncio, sys\n"
        "from workbench.cli import build_parser\n"
        "from workbench.commands.function_options import select_early\n"
        "from workbench.commands.serve import load_functions\n"
        f"argv = ['serve', {str(HELLO)!r}, '--backend', 'docker']\n"
        "args = build_parser(argv).parse_args(argv)\n"
        "first = load_functions(args)[0]\n"
        "chosen = select_early(args, runtime=first.runtime, first=first)\n"
        "spare = next(iter(chosen.backend._spares.values())).result(timeout=60)\n"
        "print(spare.container.name, 'aiohttp' in sys.modules, flush=True)\n"
        "input()\n"  # the test looks at the engine meanwhile
        "asyncio.run(chosen.backend.close())\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", probe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        name, engine_loaded = process.stdout.readline().split()
        assert engine_loaded == "False"
        assert own_containers(docker_client, process.pid) == [name]
        assert docker_client.containers.get(name).status == "running"
    finally:
        process.communicate("\n", timeout=60)
    assert own_containers(docker_client, process.pid) == []


def test_a_refused_option_after_the_early_choice_leaves_no_container(docker_client):
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", str(HELLO), "--backend", "docker",
         "--clock-speed", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "clock speed 0.0 is out of range" in err
    assert own_containers(docker_client, process.pid) == []
