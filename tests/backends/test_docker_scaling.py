"""Docker at scale: tens of environments at once, reused, throttled, and nothing leaked."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from workbench.backends.docker import DockerBackend
from workbench.backends.docker_sweep import OWNER_LABEL
from workbench.core.errors import InvokeError
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

pytestmark = pytest.mark.docker

SLOW = """
import socket, time
def lambda_handler(event, context):
    time.sleep(0.5)
    return socket.gethostname()
"""


def _owned(client) -> list:
    return client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"})


async def test_twenty_concurrent_invocations_get_twenty_containers_then_reuse_them(
    docker_client, runtime_image, write_function
):
    service = LambdaService(DockerBackend(docker_client, runtime_image))
    async with service:
        service.deploy(FunctionConfig("wide", write_function(SLOW), reserved_concurrency=20))
        first = await asyncio.wait_for(
            asyncio.gather(*(service.invoke("wide", b"{}") for _ in range(20))), 120
        )
        hosts = {json.loads(r.payload) for r in first}
        assert len(hosts) == 20
        second = await asyncio.wait_for(
            asyncio.gather(
                *(service.invoke("wide", b"{}") for _ in range(22)), return_exceptions=True
            ),
            120,
        )
        served = [r for r in second if not isinstance(r, BaseException)]
        throttled = [r for r in second if isinstance(r, InvokeError)]
        assert len(served) == 20 and len(throttled) == 2
        assert {json.loads(r.payload) for r in served} == hosts
        assert not any(r.cold for r in served)
    assert _owned(docker_client) == []
