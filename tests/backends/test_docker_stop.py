"""Stop on the Docker backend: the stopped invocation's container is removed like a timed-out
one, and the next invocation starts cold in a new container."""

from __future__ import annotations

import asyncio
import json
import time

import docker
import pytest

from workbench.core.failed_invocations import STOPPED_ERROR_TYPE
from workbench.core.model import FunctionConfig

pytestmark = pytest.mark.docker

SPIN = """
import socket, time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0))
    return socket.gethostname()
"""


def _gone(client: docker.DockerClient, hostname: str) -> bool:
    try:
        client.containers.get(hostname)
    except docker.errors.NotFound:
        return True
    return False


async def _until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_stop_removes_the_container_and_the_next_start_is_cold(
    docker_service, docker_client, write_function
):
    """A 60 s sleep stopped after ~0.5 s: Sandbox.Stopped, its container gone, then cold."""
    docker_service.deploy(FunctionConfig("sleepy", write_function(SPIN), timeout_s=120))
    hostname = json.loads((await docker_service.invoke("sleepy", b"{}")).payload)
    running = asyncio.ensure_future(docker_service.invoke("sleepy", b'{"sleep": 60}'))
    await _until(lambda: bool(docker_service.running_requests("sleepy")))
    (request_id,) = docker_service.running_requests("sleepy")
    await asyncio.sleep(0.5)
    assert docker_service.stop_invocation(request_id)
    served = await asyncio.wait_for(running, 30)
    assert served.report.error_type == STOPPED_ERROR_TYPE
    assert served.report.duration_ms < 30_000
    await _until(lambda: _gone(docker_client, hostname))
    again = await asyncio.wait_for(docker_service.invoke("sleepy", b"{}"), 60)
    assert again.cold and again.function_error is None
    assert json.loads(again.payload) != hostname
