"""Fault injection: break execution environments as a learner's machine does; count the damage.

    .venv/bin/python bench/fault_injection.py [--backend both|docker|process] [--rounds 5]
                                              [--restart-engine]

Faults (each on a fresh service):
- idle-kill       a warm, frozen runtime is killed (`docker kill`, or kill -9 of the process);
                  the next invocation should go cold on a new environment.
- stray-next      the handler calls its own Runtime API /next: once reading the answer, once
                  sending the request and hanging up.
- neighbour-scan  a hostile function finds the victim's Runtime API (on Docker by scanning
                  the bridge gateway's ports) and tries GET /next, forged /response and
                  /error while the victim has an invocation running.
- engine-outage   (Docker) the backend's client is cut off from the engine while its idle
                  container dies, then reconnected: invocations fail with a clear message
                  during the outage and work again after it. With --restart-engine the real
                  dockerd is restarted instead — never do that on a shared engine.

Prints one row per fault and backend: invocations that succeeded after the fault, those lost
(failed, or answered by someone else), and what is left behind once the service has closed
(containers, runtime processes, slot folders). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.backends.process import ProcessBackend
from workbench.core.environment import EnvState
from workbench.core.errors import InvokeError
from workbench.core.events import InvocationStarted
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

IDENTITY = """
import os, socket
def lambda_handler(event, context):
    return {"pid": os.getpid(), "host": socket.gethostname(), "id": context.aws_request_id}
"""

STRAY = """
import os, socket, urllib.request
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
def lambda_handler(event, context):
    if event.get("mode") == "read":
        url = f"http://{API}/2018-06-01/runtime/invocation/next"
        urllib.request.urlopen(url, timeout=1).read()
    else:
        host, port = API.split(":")
        raw = socket.create_connection((host, int(port)))
        raw.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        raw.close()
    return {"id": context.aws_request_id}
"""

VICTIM = """
import time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"id": context.aws_request_id, "secret": event.get("secret")}
"""

HOSTILE = """
import os, select, socket, time, urllib.error, urllib.request

def scan(host, low, high, batch=900):
    found = []
    for start in range(low, high + 1, batch):
        pending = {}
        for port in range(start, min(start + batch, high + 1)):
            s = socket.socket()
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
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception:
        return 0

def lambda_handler(event, context):
    host = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")[0]
    started = time.monotonic()
    if event["scan"]:
        found = set(scan(host, event["low"], event["high"]))
    else:
        found = set(event["targets"])
    hits = 0
    for port in sorted(found & set(event["targets"])):  # only this run's servers: shared engine
        base = f"http://{host}:{port}/2018-06-01/runtime"
        hits += call(base + "/invocation/next") == 200
        rid = event["request_id"]
        hits += call(f"{base}/invocation/{rid}/response", b'"forged"') == 202
        hits += call(f"{base}/invocation/{rid}/error", b"{}") == 202
    scan_s = time.monotonic() - started
    found_victim = set(event["targets"]) <= found
    return {"found": len(found), "hits": hits, "scan_s": scan_s, "found_victim": found_victim}
"""


@dataclass
class Row:
    fault: str
    backend: str
    tried: int = 0
    survived: int = 0
    lost: int = 0
    left_behind: str = "-"
    note: str = ""


@dataclass
class Target:
    name: str
    make_backend: Callable[[], Any]
    kill: Callable[[dict[str, Any]], None]  # kills the runtime that answered this payload
    leftovers: Callable[[], str]
    scan: bool


async def _frozen(service: LambdaService, name: str, limit_s: float = 5.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if [e.state for e in service.environments(name)] == [EnvState.FROZEN]:
            return
        await asyncio.sleep(0.01)


def _deploy(service: LambdaService, root: Path, name: str, code: str, **kw: Any) -> None:
    folder = root / name
    folder.mkdir(exist_ok=True)
    (folder / "lambda_function.py").write_text(code)
    service.deploy(FunctionConfig(name=name, code_dir=folder, **kw))


async def _call(service: LambdaService, name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    """The handler's answer, or None when the invocation failed."""
    try:
        served = await asyncio.wait_for(service.invoke(name, json.dumps(event).encode()), 60)
    except (InvokeError, TimeoutError):
        return None
    return None if served.function_error else json.loads(served.payload)


async def idle_kill(target: Target, root: Path, rounds: int, row: Row) -> None:
    async with LambdaService(target.make_backend()) as service:
        _deploy(service, root, "idle", IDENTITY)
        answer = await _call(service, "idle", {})
        for _ in range(rounds):
            await _frozen(service, "idle")
            if answer is not None:
                target.kill(answer)
            answer = await _call(service, "idle", {})
            row.tried += 1
            row.survived += answer is not None
            row.lost += answer is None


async def stray_next(target: Target, root: Path, rounds: int, row: Row) -> None:
    async with LambdaService(target.make_backend()) as service:
        _deploy(service, root, "stray", STRAY)
        for i in range(rounds * 2):
            answer = await _call(service, "stray", {"mode": "read" if i % 2 else "hang-up"})
            row.tried += 1
            ok = answer is not None
            row.survived += ok
            row.lost += not ok
        plain = await _call(service, "stray", {"mode": "read"})
        row.note = "environment still works" if plain else "environment broken"


async def neighbour_scan(target: Target, root: Path, rounds: int, row: Row) -> None:
    async with LambdaService(target.make_backend()) as service:
        _deploy(service, root, "victim", VICTIM, timeout_s=60)
        _deploy(service, root, "hostile", HOSTILE, timeout_s=120, memory_mb=1769)
        low, high = (
            int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        )
        hits, scans = 0, []
        for i in range(rounds):
            await _call(service, "victim", {})
            envs = [
                e for pool in service._pools.values() for e in pool if e.config.name == "victim"
            ]
            ports = [
                int(e.runtime_api_address.rsplit(":", 1)[1]) for e in envs if e.runtime_api_address
            ]
            secret = f"secret-{i}"
            running = asyncio.ensure_future(
                _call(service, "victim", {"sleep": 4, "secret": secret})
            )
            await asyncio.sleep(0.5)
            started = [e for e in service.bus.of_type(InvocationStarted) if e.function == "victim"]
            event = {
                "scan": target.scan,
                "low": low,
                "high": high,
                "targets": ports,
                "request_id": started[-1].request_id if started else "",
            }
            attack = await _call(service, "hostile", event)
            answer = await running
            row.tried += 1
            hits += attack["hits"] if attack else 0
            if attack and target.scan:
                scans.append(
                    f"scan {attack['scan_s']:.1f} s, victim found: {attack['found_victim']}"
                )
            own = isinstance(answer, dict) and answer.get("secret") == secret
            row.survived += own and not (attack and attack["hits"])
            row.lost += not own or bool(attack and attack["hits"])
        row.note = f"attacker's successful calls: {hits}" + "".join(f"; {x}" for x in scans)
        if not target.scan:
            row.note += "; processes are not isolated"


async def engine_outage(target: Target, root: Path, rounds: int, row: Row, restart: bool) -> None:
    from workbench.backends.images import docker_client_or_none

    backend = target.make_backend()
    client = backend.client
    async with LambdaService(backend) as service:
        _deploy(service, root, "outage", IDENTITY)
        answer = await _call(service, "outage", {})
        await _frozen(service, "outage")
        refused = 0
        if restart:
            _restart_engine()
        else:
            from docker.transport import UnixHTTPAdapter

            original = client.api.adapters["http+docker://"]
            client.api.mount(
                "http+docker://", UnixHTTPAdapter("http+unix:///nonexistent/docker.sock")
            )
            if answer is not None:
                other = docker_client_or_none(timeout=30)
                with contextlib.suppress(Exception):
                    other.containers.get(answer["host"]).kill()  # what a restart does to it
            try:
                await service.invoke("outage", b"{}")
            except InvokeError as exc:
                refused += "Docker engine" in exc.message
            client.api.mount("http+docker://", original)
        for _ in range(rounds):
            answer = await _call(service, "outage", {})
            row.tried += 1
            row.survived += answer is not None
            row.lost += answer is None
        row.note = (
            "real dockerd restart" if restart else f"refused clearly during outage: {refused}/1"
        )


def _restart_engine() -> None:
    for command in (["systemctl", "restart", "docker"], ["service", "docker", "restart"]):
        if shutil.which(command[0]):
            subprocess.run(command, check=True, timeout=120)
            break
    else:
        raise SystemExit("--restart-engine: no systemctl or service command to restart dockerd")
    from workbench.backends.images import docker_client_or_none

    for _ in range(120):
        if docker_client_or_none(timeout=2):
            return
        time.sleep(1)
    raise SystemExit("the Docker engine did not come back within two minutes")


def _slot_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("lambda-workbench-slot-*")}


def _runtime_children() -> int:
    me, count = str(os.getpid()), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[1] == me and fields[0] not in ("Z", "X"):
                count += b"bootstrap" in (entry / "cmdline").read_bytes()
    return count


def _targets(which: str) -> list[Target]:
    targets = []
    if which in ("both", "process"):
        targets.append(
            Target(
                "process",
                ProcessBackend,
                lambda answer: os.kill(answer["pid"], signal.SIGKILL),
                lambda: f"{_runtime_children()} processes",
                scan=False,  # every local port is reachable anyway; go straight to the victim
            )
        )
    if which in ("both", "docker"):
        from workbench.backends.docker import DockerBackend
        from workbench.backends.docker_sweep import OWNER_LABEL
        from workbench.backends.images import docker_client_or_none, find_runtime_image

        client = docker_client_or_none(timeout=30)
        image = find_runtime_image(client) if client else None
        if image is None:
            print("docker: skipped (no engine or no runtime image)")
        else:
            before = _slot_dirs()

            def leftovers() -> str:
                mine = client.containers.list(
                    all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"}
                )
                return f"{len(mine)} containers, {len(_slot_dirs() - before)} slot folders"

            def make() -> DockerBackend:
                own = docker_client_or_none(timeout=30)  # engine-outage cuts this one off
                return DockerBackend(own, image.name)

            targets.append(
                Target(
                    "docker",
                    make,
                    lambda answer: client.containers.get(answer["host"]).kill(),
                    leftovers,
                    scan=True,
                )
            )
    return targets


async def main() -> int:
    # Slot folders go to the temporary folder: a private one, so that only this run's count.
    tempfile.tempdir = tempfile.mkdtemp(prefix="fault-injection-")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["both", "docker", "process"], default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--restart-engine", action="store_true", help="really restart dockerd")
    args = parser.parse_args()
    faults: list[tuple[str, Callable[..., Awaitable[None]]]] = [
        ("idle-kill", idle_kill),
        ("stray-next", stray_next),
        ("neighbour-scan", neighbour_scan),
    ]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for target in _targets(args.backend):
            plan = list(faults)
            if target.name == "docker":
                restart: bool = args.restart_engine
                plan.append(
                    (
                        "engine-outage",
                        lambda t, r, n, row, restart=restart: engine_outage(t, r, n, row, restart),
                    )
                )
            for fault, run in plan:
                row = Row(fault, target.name)
                root = Path(tmp) / f"{target.name}-{fault}"
                root.mkdir()
                started = time.monotonic()
                rounds = 1 if fault == "neighbour-scan" else args.rounds
                try:
                    await run(target, root, rounds, row)
                except Exception as exc:  # a fault the engine did not survive is a result too
                    row.note = f"crashed: {type(exc).__name__}: {exc}"
                row.left_behind = target.leftovers()
                row.note += f" ({time.monotonic() - started:.1f} s)"
                rows.append(row)
                print(f"  done: {fault} on {target.name}", file=sys.stderr)
    shutil.rmtree(tempfile.tempdir, ignore_errors=True)
    header = f"{'fault':<16}{'backend':<9}{'survived':>10}{'lost':>6}  {'left behind':<30}note"
    print(header)
    print("-" * len(header))
    for r in rows:
        survived = f"{r.survived}/{r.tried}"
        print(f"{r.fault:<16}{r.backend:<9}{survived:>10}{r.lost:>6}  {r.left_behind:<30}{r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
