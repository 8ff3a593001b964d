"""After an outage the next start removes what dead runs left, and nothing of live runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import docker
import docker.errors
import pytest

from workbench.backends.docker_sweep import OWNER_LABEL, sweep_orphans
from workbench.backends.images import LABEL
from workbench.backends.pids import mounts_under
from workbench.core.scratch import scratch_bases, scratch_dir, scratch_owner

pytestmark = pytest.mark.docker


def _orphan(
    client: docker.DockerClient, image: str, owner: str
) -> docker.models.containers.Container:
    return client.containers.run(
        image,
        ["sleep", "60"],
        detach=True,
        network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: owner},
    )


def _gone(client: docker.DockerClient, container_id: str) -> bool:
    try:
        client.containers.get(container_id)
    except docker.errors.NotFound:
        return True
    return False


def test_sweep_skips_a_container_removed_by_someone_else_mid_sweep(docker_client, runtime_image):
    """The listing names a container that another run removes before we get to it."""
    first = _orphan(docker_client, runtime_image, "999999991")
    second = _orphan(docker_client, runtime_image, "999999992")
    client = docker.from_env()
    real_listing = client.api.containers

    def listing_then_concurrent_removal(*args, **kwargs):
        listed = real_listing(*args, **kwargs)
        docker_client.api.remove_container(first.id, force=True)  # "another session"
        return listed

    client.api.containers = listing_then_concurrent_removal
    try:
        assert sweep_orphans(client) >= 1
    finally:
        for container in (first, second):
            if not _gone(docker_client, container.id):
                container.remove(force=True)
    assert _gone(docker_client, second.id)


DEAD_RUN = """
import asyncio, os, sys
from pathlib import Path
import docker
from workbench.backends.docker import DockerBackend
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

async def main():
    service = LambdaService(DockerBackend(docker.from_env(), sys.argv[1]))
    await service.start()
    service.deploy(FunctionConfig("victim", Path(sys.argv[2])))
    service.versions.publish(service.function("victim"))
    await service.invoke("victim", b"{}")
    print("ready", flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


def _dead_run(tmp_path: Path, image: str) -> int:
    """Run a service that invokes a function, then SIGKILL it: an outage. Returns its pid."""
    function = tmp_path / "victim"
    function.mkdir()
    (function / "lambda_function.py").write_text(
        "def lambda_handler(event, context):\n    open('/tmp/x', 'w').write('x')\n    return 1\n"
    )
    script = tmp_path / "dead_run.py"
    script.write_text(textwrap.dedent(DEAD_RUN))
    run = subprocess.Popen(
        [sys.executable, str(script), image, str(function)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert run.stdout is not None and run.stdout.readline().strip() == "ready"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    return run.pid


def _folders_of(pid: int) -> list[Path]:
    return [
        entry for base in scratch_bases() for entry in base.iterdir() if scratch_owner(entry) == pid
    ]


def test_outage_leftovers_are_removed_and_live_runs_left_alone(
    tmp_path, docker_client, runtime_image
):
    """Containers (running, paused, exited), slot folders with env files, /tmp mounts and
    version snapshots of a killed run go; a live run's container and folder stay."""
    dead = _dead_run(tmp_path, runtime_image)
    containers = docker_client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={dead}"})
    assert len(containers) >= 2  # the environment's container and the spare
    containers[0].kill()  # as the engine's restart would: an exited container
    left = _folders_of(dead)
    kinds = {entry.name.split("-")[2] for entry in left}
    assert {"slot", "tmp", "versions"} <= kinds
    assert any(mounts_under(entry) for entry in left)  # the /tmp filesystems stay mounted
    slot = next(entry for entry in left if "-slot-" in entry.name)
    (slot / "env").write_text("SECRET=1\n")  # a run killed before its runtime read it

    live_folder = scratch_dir("slot")
    live_container = _orphan(docker_client, runtime_image, str(os.getpid()))
    try:
        assert sweep_orphans(docker_client) >= len(containers)
        assert all(_gone(docker_client, c.id) for c in containers)
        assert _folders_of(dead) == []
        assert not any(str(tmp) in Path("/proc/self/mountinfo").read_text() for tmp in left)
        assert live_folder.is_dir()
        assert not _gone(docker_client, live_container.id)
    finally:
        live_container.remove(force=True)
        live_folder.rmdir()
