"""Writing a container's freezer cgroup stops it and thaws it, as `docker pause` does."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from workbench.backends import cgroup_freezer
from workbench.backends.images import LABEL

pytestmark = pytest.mark.docker

LOOP = "while true; do :; done"


@pytest.fixture
def busy_container(docker_client, runtime_image):
    container = docker_client.containers.run(
        runtime_image, ["sh", "-c", LOOP], detach=True, labels={LABEL: "1"}, network_mode="none"
    )
    try:
        container.reload()
        yield container
    finally:
        container.remove(force=True)


def cpu_ticks(pid: int) -> int:
    """user + system time of the process, in clock ticks (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def test_frozen_container_makes_no_progress_and_thaws(busy_container):
    pid = busy_container.attrs["State"]["Pid"]
    freezer = cgroup_freezer.for_container(busy_container.id, pid)
    if freezer is None:
        pytest.skip("this engine's cgroups are not writable from here (e.g. rootless)")
    await freezer.freeze()
    assert freezer.is_frozen()
    frozen = cpu_ticks(pid)
    time.sleep(0.3)
    assert cpu_ticks(pid) == frozen, "the loop used CPU while frozen"
    await freezer.thaw()
    assert not freezer.is_frozen()
    time.sleep(0.3)
    assert cpu_ticks(pid) > frozen, "the loop did not resume after the thaw"


def test_a_pid_of_another_container_is_not_trusted(busy_container, docker_client):
    """With the engine in a VM the pid names an unrelated host process: no freezer then."""
    pid = busy_container.attrs["State"]["Pid"]
    assert cgroup_freezer.for_container("0" * 64, pid) is None
    assert cgroup_freezer.for_container(busy_container.id, 1) is None
