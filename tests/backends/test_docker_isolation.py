"""Isolation and healing on the real Docker engine (issue 11).

- A hostile function scans the bridge gateway for open ports and attacks every Runtime API
  of this test's service it finds (GET /next, forged POST /response and /error) while a victim
  function has an invocation running and an idle environment waiting on /next: it gets only
  refusals and the victim's callers get their own answers.
- A container killed while idle (or with its engine) is replaced by a cold start.

The engine is shared with other users: the hostile handler only *sends requests* to ports
this test's own service opened (found by its scan, listed in its event), so that it cannot
disturb anyone else's environments.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import docker
import pytest
from docker.transport import UnixHTTPAdapter

from workbench.backends.docker import DockerBackend
from workbench.backends.docker_host import ISOLATION
from workbench.backends.docker_run_options import FUNCTION_LABEL
from workbench.backends.docker_sweep import OWNER_LABEL
from workbench.backends.images import docker_client_or_none
from workbench.core.environment import EnvState
from workbench.core.errors import InvokeError
from workbench.core.events import (
    EnvironmentReaped,
    EnvironmentReset,
    InvocationStarted,
)
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

pytestmark = pytest.mark.docker

VICTIM = """
import time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"request": context.aws_request_id, "secret": event.get("secret")}
"""

HOSTILE = """
import json, os, select, socket, urllib.error, urllib.request

def scan(host, low, high, batch=900):  # Lambda allows 1,024 descriptors
    found = []
    for start in range(low, high + 1, batch):
        pending = {}
        for port in range(start, min(start + batch, high + 1)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            pending[s] = port
        waiting = list(pending)
        while waiting:
            _, ready, _ = select.select([], waiting, [], 0.5)
            if not ready:
                break
            for s in ready:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    found.append(pending[s])
                waiting.remove(s)
        for s in pending:
            s.close()
    return found

def call(url, data=None):
    try:
        with urllib.request.urlopen(url, data=data, timeout=2) as resp:
            return [resp.status, resp.read().decode()[:200]]
    except urllib.error.HTTPError as exc:
        return [exc.code, exc.read().decode()[:200]]
    except Exception as exc:
        return [type(exc).__name__, str(exc)[:200]]

def lambda_handler(event, context):
    host, own = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
    found = [p for p in scan(host, event["low"], event["high"]) if p != int(own)]
    results = {}
    for port in found:
        if port not in event["targets"]:
            continue  # someone else's server on this shared engine: leave it alone
        base = f"http://{host}:{port}/2018-06-01/runtime"
        results[port] = {"next": call(base + "/invocation/next")}
        for rid in event["request_ids"]:
            results[port][rid] = [
                call(f"{base}/invocation/{rid}/response", b'"forged"'),
                call(f"{base}/invocation/{rid}/error", b'{"errorType": "Forged"}'),
            ]
        results[port]["init"] = call(base + "/init/error", b"{}")
    return {"gateway": host, "found": found, "results": results}
"""


def _function(root: Path, name: str, code: str, **settings: object) -> FunctionConfig:
    folder = root / name
    folder.mkdir()
    (folder / "lambda_function.py").write_text(code)
    return FunctionConfig(name=name, code_dir=folder, **settings)  # type: ignore[arg-type]


def _port_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def _runtime_ports(service: LambdaService, name: str) -> dict[str, int]:
    ports = {}
    for info in service.environments(name):
        env = next(e for pool in service._pools.values() for e in pool if e.env_id == info.env_id)
        assert env.runtime_api_address is not None
        ports[env.env_id] = int(env.runtime_api_address.rsplit(":", 1)[1])
    return ports


def test_a_linux_engine_filters_by_address_and_says_so(
    docker_client: docker.DockerClient, runtime_image: str
) -> None:
    backend = DockerBackend(docker_client, runtime_image, provision_ahead=False)
    assert backend.filters_peers  # this engine does not translate container addresses
    assert backend.isolation == ISOLATION


async def test_a_hostile_neighbour_gets_nothing_and_changes_nothing(
    docker_service: LambdaService, tmp_path: Path
) -> None:
    service = docker_service
    service.deploy(_function(tmp_path, "victim", VICTIM, timeout_s=60))
    service.deploy(_function(tmp_path, "hostile", HOSTILE, timeout_s=120, memory_mb=1769))
    # Two warm victim environments: one will run an invocation, one waits idle on /next.
    warm = await asyncio.gather(
        *(service.invoke("victim", json.dumps({"sleep": 1}).encode()) for _ in range(2))
    )
    assert all(w.function_error is None for w in warm)
    ports = _runtime_ports(service, "victim")
    assert len(ports) == 2
    running = asyncio.ensure_future(
        service.invoke("victim", json.dumps({"sleep": 25, "secret": "mine"}).encode())
    )
    started = None
    for _ in range(200):
        events = [e for e in service.bus.of_type(InvocationStarted) if e.function == "victim"]
        if len(events) == 3:
            started = events[-1]
            break
        await asyncio.sleep(0.05)
    assert started is not None
    low, high = _port_range()
    attack = {
        "low": low,
        "high": high,
        "targets": list(ports.values()),
        "request_ids": [started.request_id, "00000000-0000-0000-0000-000000000000"],
    }
    hostile = await asyncio.wait_for(service.invoke("hostile", json.dumps(attack).encode()), 120)
    assert hostile.function_error is None, hostile.payload
    report = json.loads(hostile.payload)
    assert set(ports.values()) <= set(report["found"]), "the scan must find the victim"
    assert len(report["results"]) == 2
    for port, outcome in report["results"].items():
        assert outcome["next"][0] == 403, (port, outcome)
        assert outcome["init"][0] == 403, (port, outcome)
        for rid in attack["request_ids"]:
            assert [r[0] for r in outcome[rid]] == [403, 403], (port, rid, outcome)
    # This test process (the host side of the bridge) is refused as well.
    host = report["gateway"]
    for port in ports.values():
        url = f"http://{host}:{port}/2018-06-01/runtime/invocation/next"
        with pytest.raises(urllib.error.HTTPError) as refused:
            await asyncio.to_thread(urllib.request.urlopen, url, timeout=10)
        assert refused.value.code == 403
    # The victim's running invocation ends with its own answer; the idle one serves normally.
    served = await asyncio.wait_for(running, 60)
    assert served.function_error is None
    assert json.loads(served.payload) == {"request": served.request_id, "secret": "mine"}
    after = await service.invoke("victim", json.dumps({"secret": "still mine"}).encode())
    assert json.loads(after.payload) == {"request": after.request_id, "secret": "still mine"}
    assert not after.cold
    assert not [e for e in service.bus.of_type(EnvironmentReset) if e.function == "victim"]
    victims = [e for pool in service._pools.values() for e in pool if e.config.name == "victim"]
    assert sum(e.refused_connections for e in victims) >= 2 * 6


COUNTER = """
import socket
count = 0
def lambda_handler(event, context):
    global count
    count += 1
    return {"count": count, "host": socket.gethostname()}
"""


async def _frozen(service: LambdaService, name: str) -> None:
    for _ in range(200):
        if [e.state for e in service.environments(name)] == [EnvState.FROZEN]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{name} did not freeze")


@pytest.mark.parametrize("wait_for_notice", [True, False], ids=["noticed", "at-once"])
async def test_docker_kill_of_an_idle_container_then_invoke_goes_cold(
    docker_service: LambdaService,
    docker_client: docker.DockerClient,
    tmp_path: Path,
    wait_for_notice: bool,
) -> None:
    service = docker_service
    service.deploy(_function(tmp_path, "counter", COUNTER))
    first = await service.invoke("counter")
    [old] = service.environments("counter")
    await _frozen(service, "counter")
    docker_client.containers.get(json.loads(first.payload)["host"]).kill()
    if wait_for_notice:
        for _ in range(200):
            if list(service.bus.of_type(EnvironmentReaped)):
                break
            await asyncio.sleep(0.02)
    second = await asyncio.wait_for(service.invoke("counter"), 60)
    assert second.function_error is None, second.payload
    assert second.cold
    assert json.loads(second.payload)["count"] == 1
    assert json.loads(second.payload)["host"] != json.loads(first.payload)["host"]
    reaped = [(e.env_id, e.reason) for e in service.bus.of_type(EnvironmentReaped)]
    assert reaped == [(old.env_id, "died")]
    third = await service.invoke("counter")
    assert json.loads(third.payload)["count"] == 2 and not third.cold


async def test_killed_spare_containers_do_not_break_a_cold_start(
    docker_service: LambdaService, docker_client: docker.DockerClient, tmp_path: Path
) -> None:
    service = docker_service
    service.deploy(_function(tmp_path, "spares", COUNTER))
    await service.invoke("spares")  # its start provisions a waiting container for the next
    await _frozen(service, "spares")
    killed = 0
    for _ in range(100):  # the environment's container and the waiting spare
        mine = docker_client.containers.list(filters={"label": f"{FUNCTION_LABEL}=spares"})
        if len(mine) >= 2:
            break
        await asyncio.sleep(0.05)
    for container in mine:
        container.kill()
        killed += 1
    assert killed >= 2
    served = await asyncio.wait_for(service.invoke("spares"), 60)
    assert served.function_error is None, served.payload
    assert served.cold


def _break(client: docker.DockerClient) -> object:
    """Cut the client off its engine, as a stopped dockerd would; returns what to restore."""
    original = client.api.adapters["http+docker://"]
    client.api.mount("http+docker://", UnixHTTPAdapter("http+unix:///nonexistent/docker.sock"))
    return original


async def test_the_service_recovers_after_a_docker_engine_outage(
    docker_client: docker.DockerClient, runtime_image: str, tmp_path: Path
) -> None:
    own_client = docker_client_or_none(timeout=30)
    assert own_client is not None
    backend = DockerBackend(own_client, runtime_image)
    async with LambdaService(backend) as service:
        service.deploy(_function(tmp_path, "outage", COUNTER))
        first = await service.invoke("outage")
        await _frozen(service, "outage")
        original = _break(own_client)
        # An engine restart takes the containers with it.
        docker_client.containers.get(json.loads(first.payload)["host"]).kill()
        started = time.monotonic()
        with pytest.raises(InvokeError) as failed:
            await asyncio.wait_for(service.invoke("outage"), 60)
        assert "Docker engine stopped answering" in failed.value.message
        assert time.monotonic() - started < 30
        own_client.api.mount("http+docker://", original)  # the engine is back
        served = await asyncio.wait_for(service.invoke("outage"), 60)
        assert served.function_error is None, served.payload
        assert served.cold and json.loads(served.payload)["count"] == 1
        assert [e.state for e in service.environments("outage")] in (
            [EnvState.IDLE],
            [EnvState.FROZEN],
        )
    # What the engine could not remove during the outage is removed once it is back.
    labels = [f"{FUNCTION_LABEL}=outage", f"{OWNER_LABEL}={os.getpid()}"]
    assert docker_client.containers.list(all=True, filters={"label": labels}) == []
