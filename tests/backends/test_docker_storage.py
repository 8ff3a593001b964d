"""Storage like Lambda's on real containers: a sized /tmp that survives resets, nothing else
writable, zombies reaped (docs/decisions/009-tmp-storage.md)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time

import pytest

from workbench.backends.docker import DockerBackend
from workbench.core.events import EnvironmentReaped
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

pytestmark = pytest.mark.docker

FILL_TMP = """
import errno, os
def lambda_handler(event, context):
    written, error = 0, None
    block = b"x" * (1024 * 1024)
    with open("/tmp/fill", "wb") as out:
        try:
            while written < 2000 * len(block):
                out.write(block)
                out.flush()
                written += len(block)
        except OSError as exc:
            error = errno.errorcode.get(exc.errno, str(exc.errno))
    size = os.path.getsize("/tmp/fill")
    os.remove("/tmp/fill")
    return {"error": error, "size_mb": size / 1024 / 1024}
"""


async def test_filling_tmp_stops_with_enospc_at_the_storage_size_not_an_oom_kill(
    docker_service, write_function
):
    """128 MB memory, 512 MB storage: /tmp fills to ~512 MB and says ENOSPC; no OOM kill."""
    config = FunctionConfig(
        "fill", write_function(FILL_TMP), memory_mb=128, ephemeral_storage_mb=512, timeout_s=60
    )
    docker_service.deploy(config)
    result = await docker_service.invoke("fill", b"{}")
    assert result.report.status == "success", result.payload
    body = json.loads(result.payload)
    assert body["error"] == "ENOSPC"
    assert 512 <= body["size_mb"] <= 512 * 1.03 + 8
    again = await docker_service.invoke("fill", b"{}")  # the same environment, still alive
    assert again.cold is False and json.loads(again.payload)["error"] == "ENOSPC"


TMP_KEEPER = """
import os, socket, time
def lambda_handler(event, context):
    if event.get("write"):
        with open("/tmp/kept.txt", "w") as f:
            f.write(event["write"])
    if event.get("hang"):
        time.sleep(60)
    try:
        with open("/tmp/kept.txt") as f:
            kept = f.read()
    except FileNotFoundError:
        kept = None
    return {"kept": kept, "host": socket.gethostname()}
"""


async def test_tmp_survives_a_timeout_reset_of_the_same_environment(docker_service, write_function):
    """A timeout replaces the container; the environment's /tmp is still there after it."""
    docker_service.deploy(FunctionConfig("keeper", write_function(TMP_KEEPER), timeout_s=1))
    first = json.loads((await docker_service.invoke("keeper", b'{"write": "hello"}')).payload)
    timed_out = await docker_service.invoke("keeper", b'{"hang": true}')
    assert timed_out.report.status == "timeout"
    after = await docker_service.invoke("keeper", b"{}")
    body = json.loads(after.payload)
    assert after.cold is True and body["host"] != first["host"]  # a new container…
    assert body["kept"] == "hello"  # …with the same /tmp
    assert len(docker_service.environments("keeper")) == 1


WRITER = """
import os
PLACES = [
    "/var/lambda-workbench/env", "/var/lambda-workbench/new.txt", "/var/task/new.txt",
    "/var/runtime/new.txt", "/opt/new.txt", "/etc/hosts", "/etc/resolv.conf",
    "/etc/hostname", "/new.txt", "/root/new.txt", "/var/tmp/new.txt", "/home/new.txt",
    "/usr/new.txt",
]
def lambda_handler(event, context):
    writable = []
    for place in PLACES:
        try:
            with open(place, "a") as f:
                f.write("x")
            writable.append(place)
        except OSError:
            pass
    with open("/tmp/ok.txt", "w") as f:
        f.write("ok")
    env_file = os.path.exists("/var/lambda-workbench/env")
    return {"writable": writable, "env_file_left": env_file}
"""


async def test_nothing_but_tmp_is_writable_and_the_env_file_is_gone(docker_service, write_function):
    """The old paths (the slot folder, its env file, the code) and the rest are read-only."""
    docker_service.deploy(FunctionConfig("writer", write_function(WRITER)))
    body = json.loads((await docker_service.invoke("writer", b"{}")).payload)
    assert body["writable"] == []
    assert body["env_file_left"] is False  # deleted once the runtime had read it


ZOMBIES = """
import os, threading, time

def zombies():
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    count += stat.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                pass
    return count

def lambda_handler(event, context):
    # A middle process forks children and exits without waiting: they are orphaned to
    # PID 1, which must reap them, or each exited one stays a zombie holding a pid.
    middle = os.fork()
    if middle == 0:
        for _ in range(event["children"]):
            if os.fork() == 0:
                os._exit(0)
        os._exit(0)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + 10
    while zombies() and time.monotonic() < deadline:
        time.sleep(0.05)
    thread = threading.Thread(target=lambda: None)
    thread.start()  # fails ("can't start new thread") once zombies fill the pids limit
    thread.join()
    return {"zombies": zombies()}
"""


async def test_orphaned_children_are_reaped_by_init(docker_service, write_function):
    """Children orphaned by a fork loop are reaped by docker-init: no zombies pile up."""
    config = FunctionConfig("forker", write_function(ZOMBIES), memory_mb=1769, timeout_s=30)
    docker_service.deploy(config)
    for _ in range(3):  # 3 × 400 would exceed the 1,024 pids limit if nobody reaped
        result = await docker_service.invoke("forker", b'{"children": 400}')
        assert result.report.status == "success", result.payload
        assert json.loads(result.payload)["zombies"] == 0


async def _until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def _tmp_mounts() -> list[str]:
    """Our /tmp filesystems now mounted (their folder names carry our pid)."""
    marker = f"/lambda-workbench-tmp-{os.getpid()}-"
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        return [line.split()[4] for line in mountinfo if marker in line.split()[4]]


async def test_a_reaped_environment_takes_its_tmp_with_it(
    docker_client, runtime_image, write_function
):
    service = LambdaService(DockerBackend(docker_client, runtime_image), idle_timeout_s=0.5)
    async with service:
        service.deploy(FunctionConfig("brief", write_function(TMP_KEEPER)))
        first = json.loads((await service.invoke("brief", b'{"write": "x"}')).payload)
        assert first["kept"] == "x"
        mounted = _tmp_mounts()
        assert len(mounted) >= 2  # the environment's, and the waiting container's
        await _until(lambda: any(True for _ in service.bus.of_type(EnvironmentReaped)))
        await _until(lambda: len(_tmp_mounts()) == len(mounted) - 1)
    assert _tmp_mounts() == []  # closing removes the spare's too


async def test_without_filesystem_images_tmp_is_a_sized_tmpfs(
    docker_client, runtime_image, write_function, monkeypatch
):
    """No mkfs.ext4 (or no root): /tmp falls back to a tmpfs of the storage size, said so."""
    real_which = shutil.which
    monkeypatch.setattr(
        "workbench.backends.docker_tmp.shutil.which",
        lambda tool: None if tool == "mkfs.ext4" else real_which(tool),
    )
    backend = DockerBackend(docker_client, runtime_image)
    assert "/tmp in memory, cleared on reset (mkfs.ext4 is not installed)" in backend.description
    service = LambdaService(backend)
    async with service:
        config = FunctionConfig("small", write_function(FILL_TMP), memory_mb=1024, timeout_s=60)
        service.deploy(config)
        body = json.loads((await service.invoke("small", b"{}")).payload)
    assert body["error"] == "ENOSPC" and body["size_mb"] == pytest.approx(512, abs=1)
