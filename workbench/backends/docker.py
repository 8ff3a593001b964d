"""Execution environments as Docker containers, configured the way Lambda sizes them.

Memory limit = the function's memory (swap off); CPU quota = memory / 1,769 MB of a vCPU;
`docker pause` is the freeze. The runtime's output reaches us through a FIFO bind-mounted
into the container, so — as with a local process — everything it printed before a
Runtime API call is readable when that call arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import ipaddress
import math
import os
import shutil
import socket
import struct
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions

from workbench.backends.images import LABEL
from workbench.core.runtime_env import RUNTIME_DIR, TASK_ROOT
from workbench.core.sandbox import SandboxError, SandboxExit, SandboxSpec
from workbench.paths import SHIM_DIR

OWNER_LABEL = f"{LABEL}.owner-pid"
ENV_LABEL = f"{LABEL}.env"
FUNCTION_LABEL = f"{LABEL}.function"
LOG_PATH_IN_CONTAINER = "/var/log/lambda-workbench"
SHIM_IN_CONTAINER = f"{RUNTIME_DIR}/workbench"
VCPU_MB = 1769  # one full vCPU at 1,769 MB (configuration-memory.html)
# Redirect the runtime's output into our FIFO, then become the runtime (keeps PID 1).
_REDIRECT = f'exec "$@" >{LOG_PATH_IN_CONTAINER} 2>&1'
_ENGINE_GONE = (
    "the Docker engine stopped answering ({detail}); start it again (scripts/setup-docker.sh)"
    " or switch to the process backend"
)

_DockerFailure = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


# Docker's default CFS period. Shorter periods spread a small share more evenly, but every
# warm invocation of a 128 MB function then waits for the next period (p50 18 ms measured with
# 20 ms); with 100 ms light traffic runs at full speed and sustained traffic is throttled to
# the share in bursts. Lambda's own period is not published.
CPU_PERIOD_US = 100_000


def cpu_quota(memory_mb: int, period_us: int = CPU_PERIOD_US) -> int:
    """CFS quota (µs per period) for a function's memory: the vCPU share Lambda gives it."""
    return max(int(memory_mb / VCPU_MB * period_us), 1_000)


class DockerSandbox:
    """One container running one runtime."""

    def __init__(
        self,
        backend: DockerBackend,
        container: Any,
        log_fd: int,
        fifo_dir: Path,
        writer_fd: int,
        memory_mb: int,
    ) -> None:
        self._backend = backend
        self._writer_fd = writer_fd
        self.container = container
        self.log_fd = log_fd
        self._fifo_dir = fifo_dir
        self._exit: asyncio.Future[SandboxExit] = asyncio.get_running_loop().create_future()
        self._killed = False
        self._cpu_quota = cpu_quota(memory_mb)
        self._last_peak: int | None = None
        self._memory_paths = _cgroup_memory_files(container.id)
        threading.Thread(target=self._wait_for_exit, daemon=True).start()

    def _wait_for_exit(self) -> None:
        """Blocks in a thread until the container stops, then resolves the exit future."""
        loop = self._exit.get_loop()
        try:
            status = self.container.wait()
            code = int(status.get("StatusCode", -1))
            self.container.reload()
            oom = bool(self.container.attrs.get("State", {}).get("OOMKilled"))
            result = SandboxExit(exit_code=code, oom_killed=oom)
        except _DockerFailure as exc:
            result = SandboxExit(exit_code=None, oom_killed=False)
            self._backend.note_failure(exc)
        with contextlib.suppress(RuntimeError):  # the loop may be closed at exit
            loop.call_soon_threadsafe(_resolve, self._exit, result)

    async def after_init(self) -> None:
        # Init ran with the whole machine's CPUs, like the init burst observed on Lambda
        # (community reports, UNVERIFIED by AWS); the handler runs at the memory's share.
        await self._backend.call(
            self.container.update, cpu_quota=self._cpu_quota, cpu_period=CPU_PERIOD_US
        )

    async def freeze(self) -> None:
        self._last_peak = self.peak_memory_mb()
        await self._backend.call(self.container.pause)

    async def thaw(self) -> None:
        await self._backend.call(self.container.unpause)

    async def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        with contextlib.suppress(SandboxError):
            await self._backend.call(self.container.remove, force=True)
        for fd in (self.log_fd, self._writer_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._fifo_dir, ignore_errors=True)

    async def wait_exit(self) -> SandboxExit:
        return await asyncio.shield(self._exit)

    def peak_memory_mb(self) -> int | None:
        value = _read_int(self._memory_paths[0]) if self._memory_paths else None
        if value is None:
            return self._last_peak
        return math.ceil(value / (1024 * 1024))

    def current_memory_mb(self) -> int | None:
        value = _read_int(self._memory_paths[1]) if self._memory_paths else None
        return math.ceil(value / (1024 * 1024)) if value is not None else None


def _resolve(future: asyncio.Future[SandboxExit], result: SandboxExit) -> None:
    if not future.done():
        future.set_result(result)


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _cgroup_memory_files(container_id: str) -> tuple[Path, Path] | None:
    """(peak, current) files of the container's memory cgroup on the host, v1 or v2."""
    root = Path("/sys/fs/cgroup")
    candidates = [
        (
            root / "memory/docker" / container_id,
            "memory.max_usage_in_bytes",
            "memory.usage_in_bytes",
        ),
        (
            root / "memory/system.slice" / f"docker-{container_id}.scope",
            "memory.max_usage_in_bytes",
            "memory.usage_in_bytes",
        ),
        (root / "system.slice" / f"docker-{container_id}.scope", "memory.peak", "memory.current"),
        (root / "docker" / container_id, "memory.peak", "memory.current"),
    ]
    for folder, peak, current in candidates:
        if (folder / peak).exists():
            return folder / peak, folder / current
    return None


class DockerBackend:
    """Starts one container per execution environment."""

    name = "docker"
    enforces_memory = True
    # docker pause/unpause go through the engine and runc (~16 ms each here), so a freeze
    # waits for a short idle gap; see docs/decisions/002-docker-pause-as-freeze.md.
    freeze_delay_s = 0.05

    def __init__(self, client: docker.DockerClient, image: str) -> None:
        self.client = client
        self.image = image
        version = client.version().get("Version", "?")
        self.description = f"Docker {version} — containers"
        self.bind_host = _bridge_gateway(client)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="docker")
        self._sandboxes: list[DockerSandbox] = []
        self._entrypoints: dict[str, list[str]] = {}
        self.last_failure: str | None = None

    def note_failure(self, exc: BaseException) -> None:
        self.last_failure = str(exc)

    async def call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking SDK call on the backend's threads; engine errors become SandboxError."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: function(*args, **kwargs))
        except docker.errors.APIError as exc:
            raise SandboxError(f"Docker refused: {exc.explanation or exc}") from exc
        except _DockerFailure as exc:
            self.note_failure(exc)
            raise SandboxError(_ENGINE_GONE.format(detail=type(exc).__name__)) from exc

    def _command(self, image: str, handler: str) -> list[str]:
        """Our bootstrap for our runtime image; the image's own entrypoint for any other."""
        if image == self.image:
            return ["python3", "-u", f"{SHIM_IN_CONTAINER}/bootstrap.py"]
        if image not in self._entrypoints:
            config = self.client.images.get(image).attrs.get("Config", {})
            self._entrypoints[image] = list(config.get("Entrypoint") or [])
        entrypoint = self._entrypoints[image]
        if not entrypoint:
            raise SandboxError(
                f"image {image} has no ENTRYPOINT: build it FROM a Lambda base image, or one "
                "whose entrypoint starts a runtime interface client"
            )
        return [*entrypoint, handler]

    def _run_container(self, spec: SandboxSpec, fifo: Path) -> Any:
        config = spec.function
        image = config.image or self.image
        command = self._command(image, config.handler)
        return self.client.containers.run(
            image,
            entrypoint=["/bin/sh", "-c", _REDIRECT, "sh"],
            command=command,
            detach=True,
            environment=spec.variables,
            labels={
                LABEL: "1",
                OWNER_LABEL: str(os.getpid()),
                ENV_LABEL: spec.env_id,
                FUNCTION_LABEL: config.name,
            },
            mem_limit=f"{config.memory_mb}m",
            memswap_limit=f"{config.memory_mb}m",  # swap off: the limit is real
            pids_limit=1024,
            ulimits=[docker.types.Ulimit(name="nofile", soft=1024, hard=1024)],
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={"/tmp": f"size={config.ephemeral_storage_mb}m"},
            volumes={
                str(config.code_dir): {"bind": TASK_ROOT, "mode": "ro"},
                str(SHIM_DIR): {"bind": SHIM_IN_CONTAINER, "mode": "ro"},
                str(fifo): {"bind": LOG_PATH_IN_CONTAINER, "mode": "rw"},
            },
            working_dir=TASK_ROOT,
            extra_hosts={"host.docker.internal": "host-gateway"},
            network_mode="bridge",
        )

    async def start(self, spec: SandboxSpec) -> DockerSandbox:
        fifo_dir = Path(tempfile.mkdtemp(prefix=f"lambda-workbench-{spec.env_id}-"))
        fifo = fifo_dir / "log"
        os.mkfifo(fifo, 0o600)
        # Opened non-blocking for reading first, so the container's open for writing won't block.
        log_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        # A writer of our own keeps the FIFO from reporting end-of-file between opens.
        keep_open = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            container = await self.call(self._run_container, spec, fifo)
        except BaseException:
            os.close(log_fd)
            os.close(keep_open)
            shutil.rmtree(fifo_dir, ignore_errors=True)
            raise
        sandbox = DockerSandbox(
            self, container, log_fd, fifo_dir, keep_open, spec.function.memory_mb
        )
        self._sandboxes = [s for s in self._sandboxes if not s._killed]
        self._sandboxes.append(sandbox)
        return sandbox

    async def close(self) -> None:
        sandboxes, self._sandboxes = self._sandboxes, []
        await asyncio.gather(*(s.kill() for s in sandboxes), return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def sweep_orphans(self) -> int:
        """Remove containers left by runs that are no longer alive; returns how many."""
        removed = 0
        for container in self.client.containers.list(all=True, filters={"label": LABEL}):
            owner = container.labels.get(OWNER_LABEL, "")
            if owner.isdigit() and _pid_alive(int(owner)):
                continue
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
                removed += 1
        return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _bridge_gateway(client: docker.DockerClient) -> str:
    """The host's address on Docker's default bridge: only containers reach it."""
    try:
        attrs = client.networks.get("bridge").attrs
    except docker.errors.DockerException as exc:
        raise SandboxError(f"could not inspect Docker's bridge network: {exc}") from exc
    configs = attrs.get("IPAM", {}).get("Config") or []
    for config in configs:
        if config.get("Gateway"):
            return str(config["Gateway"])
    interface = attrs.get("Options", {}).get("com.docker.network.bridge.name", "docker0")
    address = _interface_address(interface)
    if address:
        return address
    for config in configs:
        if config.get("Subnet"):
            # Docker gives the bridge the subnet's first host address.
            return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))
    raise SandboxError("could not find the address of Docker's bridge network")


def _interface_address(name: str) -> str | None:
    """The IPv4 address of a network interface (SIOCGIFADDR), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])
