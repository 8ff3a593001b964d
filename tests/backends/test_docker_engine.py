"""The engine on real Docker containers: lifecycle, limits, AWS's own runtime client, failures."""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import socketserver
import threading
import time
from pathlib import Path

import docker
import pytest

from tests.support.aws_like_image import ensure_aws_like_image
from workbench.backends import cgroup_freezer
from workbench.backends.docker import DockerBackend
from workbench.backends.docker_run_options import CPU_PERIOD_US, FUNCTION_LABEL, cpu_quota
from workbench.backends.docker_sweep import OWNER_LABEL
from workbench.backends.images import LABEL
from workbench.core.errors import InvokeError
from workbench.core.events import EnvironmentFrozen, EnvironmentReaped
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

pytestmark = pytest.mark.docker

COUNTER = """
import os, socket
count = 0
def lambda_handler(event, context):
    global count
    count += 1
    return {"count": count, "host": socket.gethostname(), "pid": os.getpid()}
"""


def _container(client: docker.DockerClient, hostname: str):
    """The container whose hostname (its short id) a handler reported, or None once removed."""
    try:
        return client.containers.get(hostname)
    except docker.errors.NotFound:
        return None


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_warm_invocations_reuse_one_container(docker_service, write_function):
    """A module-level counter grows across invocations served by one container."""
    docker_service.deploy(FunctionConfig("counter", write_function(COUNTER)))
    results = [await docker_service.invoke("counter", b"{}") for _ in range(3)]
    bodies = [json.loads(r.payload) for r in results]
    assert [b["count"] for b in bodies] == [1, 2, 3]
    assert len({b["host"] for b in bodies}) == 1
    assert bodies[0]["pid"] > 1  # docker-init is PID 1 (it reaps zombies), not the runtime
    assert results[0].report.init_duration_ms is not None
    assert all(r.report.init_duration_ms is None for r in results[1:])
    assert [r.cold for r in results] == [True, False, False]


async def test_container_is_paused_between_invocations(
    docker_service, docker_client, write_function
):
    """After an invocation the container is frozen — by its freezer cgroup where we can
    write it (decision 002), else by the engine's pause; the next invocation thaws it."""
    docker_service.deploy(FunctionConfig("pausing", write_function(COUNTER)))
    first = await docker_service.invoke("pausing", b"{}")
    await _until(lambda: any(True for _ in docker_service.bus.of_type(EnvironmentFrozen)))
    container = _container(docker_client, json.loads(first.payload)["host"])
    freezer = cgroup_freezer.for_container(container.id, container.attrs["State"]["Pid"])
    if freezer is not None:
        assert freezer.is_frozen()
        assert container.attrs["State"]["Paused"] is False  # the engine is not told
    else:
        assert container.attrs["State"]["Paused"] is True
    second = await docker_service.invoke("pausing", b"{}")
    assert json.loads(second.payload)["count"] == 2
    container.reload()
    assert container.attrs["State"]["Status"] in ("running", "paused")


async def test_container_is_sized_and_locked_down_like_lambda(
    docker_service, docker_client, write_function
):
    """Memory = function memory (no swap), CPU = memory/1,769 vCPU, read-only code, sized /tmp."""
    source = """
import os, socket
def lambda_handler(event, context):
    try:
        open("/var/task/new.txt", "w")
        code_writable = True
    except OSError:
        code_writable = False
    with open("/tmp/scratch.txt", "w") as f:
        f.write("ok")
    return {"code_writable": code_writable, "host": socket.gethostname()}
"""
    config = FunctionConfig(
        "limits", write_function(source), memory_mb=256, ephemeral_storage_mb=600
    )
    docker_service.deploy(config)
    result = await docker_service.invoke("limits", b"{}")
    body = json.loads(result.payload)
    assert body["code_writable"] is False
    host = _container(docker_client, body["host"]).attrs["HostConfig"]
    assert host["Memory"] == 256 * 1024 * 1024
    assert host["MemorySwap"] == 256 * 1024 * 1024
    assert host["CpuQuota"] == cpu_quota(256) and host["CpuPeriod"] == CPU_PERIOD_US
    assert host["PidsLimit"] == 1024
    assert host["CapDrop"] == ["ALL"]
    assert host["ReadonlyRootfs"] is True
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Init"] is True
    mounts = {m["Destination"]: m for m in _container(docker_client, body["host"]).attrs["Mounts"]}
    assert mounts["/tmp"]["RW"] is True  # the only writable place: 009-tmp-storage.md
    assert mounts["/var/lambda-workbench"]["RW"] is False


async def test_aws_runtime_client_in_an_aws_like_image(
    docker_client, runtime_image, write_function
):
    """awslambdaric behind AWS's /lambda-entrypoint.sh serves invocations via our Runtime API."""
    image = await asyncio.to_thread(ensure_aws_like_image, docker_client, lambda _: None)
    source = """
counter = 0
def handler(event, context):
    global counter
    counter += 1
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"counter": counter, "remaining": context.get_remaining_time_in_millis(),
            "arn": context.invoked_function_arn}
"""
    folder = write_function(source, module="app")
    service = LambdaService(DockerBackend(docker_client, runtime_image))
    async with service:
        service.deploy(FunctionConfig("ric", folder, handler="app.handler", image=image))
        first = await service.invoke("ric", b"{}")
        second = await service.invoke("ric", b"{}")
        failed = await service.invoke("ric", b'{"fail": true}')
    assert json.loads(first.payload)["counter"] == 1, first.payload
    body = json.loads(second.payload)
    assert body["counter"] == 2 and 0 < body["remaining"] <= 3000
    assert body["arn"].endswith(":function:ric")
    error = json.loads(failed.payload)
    assert failed.function_error == "Unhandled"
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "asked to fail"
    assert any("app.py" in line for line in error["stackTrace"])


async def test_out_of_memory_is_reported_and_the_next_invocation_is_cold(
    docker_service, write_function
):
    source = """
hog = []
def lambda_handler(event, context):
    if event.get("eat"):
        while True:
            hog.append(bytearray(8 * 1024 * 1024))
    return "fine"
"""
    docker_service.deploy(FunctionConfig("hog", write_function(source), timeout_s=10))
    result = await docker_service.invoke("hog", b'{"eat": true}')
    assert result.report.status == "error"
    assert result.report.error_type == "Runtime.OutOfMemory"
    assert result.report.max_memory_used_mb == 128
    assert "signal: killed" in json.loads(result.payload)["errorMessage"]
    after = await docker_service.invoke("hog", b"{}")
    assert after.payload == b'"fine"' and after.cold


async def test_timeout_kills_the_container_and_reports_it(
    docker_service, docker_client, write_function
):
    source = """
import socket
def lambda_handler(event, context):
    while event.get("spin"):
        pass
    return socket.gethostname()
"""
    docker_service.deploy(FunctionConfig("spin", write_function(source), timeout_s=1))
    hostname = json.loads((await docker_service.invoke("spin", b"{}")).payload)
    result = await docker_service.invoke("spin", b'{"spin": true}')
    assert result.report.status == "timeout"
    assert "Task timed out after 1.0" in json.loads(result.payload)["errorMessage"]
    await _until(lambda: _container(docker_client, hostname) is None)


async def test_max_memory_used_comes_from_the_container_cgroup(docker_service, write_function):
    source = """
keep = None
def lambda_handler(event, context):
    global keep
    keep = bytearray(80 * 1024 * 1024)
    for i in range(0, len(keep), 4096):
        keep[i] = 1
    return "ok"
"""
    docker_service.deploy(FunctionConfig("mem", write_function(source), memory_mb=256))
    result = await docker_service.invoke("mem", b"{}")
    assert 80 <= result.report.max_memory_used_mb < 256


async def test_idle_environments_are_reaped_and_their_containers_removed(
    docker_client, runtime_image, write_function
):
    service = LambdaService(DockerBackend(docker_client, runtime_image), idle_timeout_s=0.5)
    async with service:
        service.deploy(FunctionConfig("reaped", write_function(COUNTER)))
        hostname = json.loads((await service.invoke("reaped", b"{}")).payload)["host"]
        assert _container(docker_client, hostname) is not None
        await _until(
            lambda: any(e.reason == "idle" for e in service.bus.of_type(EnvironmentReaped))
        )
        await _until(lambda: _container(docker_client, hostname) is None)


async def test_closing_the_service_leaves_no_container(
    docker_client, runtime_image, write_function
):
    service = LambdaService(DockerBackend(docker_client, runtime_image))
    async with service:
        service.deploy(FunctionConfig("tidy", write_function(COUNTER)))
        results = await asyncio.gather(*(service.invoke("tidy", b"{}") for _ in range(3)))
        hosts = {json.loads(r.payload)["host"] for r in results}
    assert len(hosts) == 3
    assert all(_container(docker_client, host) is None for host in hosts)
    owned = docker_client.containers.list(
        all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"}
    )
    assert owned == []  # the waiting (spare) containers are gone too


def test_orphans_of_a_dead_run_are_swept(docker_client, runtime_image):
    orphan = docker_client.containers.run(
        runtime_image,
        ["sleep", "60"],
        detach=True,
        network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: "999999999", FUNCTION_LABEL: "orphan"},
    )
    backend = DockerBackend(docker_client, runtime_image)
    assert backend.sweep_orphans() >= 1
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(orphan.id)


class _SocketProxy(socketserver.ThreadingUnixStreamServer):
    """A stand-in Docker socket that forwards to the real one until stopped ("engine gone")."""

    daemon_threads = True

    def __init__(self, path: str) -> None:
        self.connections: list[socket.socket] = []
        super().__init__(path, _Forward)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        for conn in self.connections:
            conn.close()


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect("/var/run/docker.sock")
        self.server.connections.extend([self.request, upstream])  # type: ignore[attr-defined]
        pair = {self.request: upstream, upstream: self.request}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 0.5)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except OSError:
            return


async def test_engine_vanishing_mid_run_gives_a_clear_error_and_the_service_survives(
    tmp_path: Path, runtime_image, write_function
):
    socket_path = str(tmp_path / "docker.sock")
    proxy = _SocketProxy(socket_path)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    client = docker.DockerClient(base_url=f"unix://{socket_path}", timeout=5)
    service = LambdaService(DockerBackend(client, runtime_image))
    real = docker.from_env()
    try:
        async with service:
            service.deploy(FunctionConfig("fragile", write_function(COUNTER)))
            await service.invoke("fragile", b"{}")
            await _until(lambda: any(True for _ in service.bus.of_type(EnvironmentFrozen)))
            proxy.stop()  # the engine disappears from the backend's point of view
            # The warm environment thaws through its cgroup and needs no engine (decision 002);
            # a new environment does, and says so.
            warm = await asyncio.wait_for(service.invoke("fragile", b"{}"), 30)
            assert json.loads(warm.payload)["count"] == 2
            service.deploy(FunctionConfig("fragile-new", write_function(COUNTER)))
            with pytest.raises(InvokeError) as raised:
                await asyncio.wait_for(service.invoke("fragile-new", b"{}"), 30)
            assert raised.value.status == 500
            assert "Docker engine stopped answering" in raised.value.message
            with pytest.raises(InvokeError):
                await asyncio.wait_for(service.invoke("fragile-new", b"{}"), 30)
            assert all(e.state.value != "busy" for e in service.environments("fragile-new"))
    finally:
        for container in real.containers.list(
            all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"}
        ):
            container.remove(force=True)
