"""A running function container: init's end, freeze and thaw, kill, exit, memory figures.

Freezing writes the container's freezer cgroup directly where it can (0.3 ms instead of
~15 ms per `docker pause`, decision 002) and falls back to the engine's pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from typing import Any, Protocol

import docker.errors
import requests.exceptions

from workbench.backends import cgroup_freezer
from workbench.backends.cgroup_freezer import FreezerError, pending_sigkill
from workbench.backends.docker_host import cgroup_memory_files, read_int
from workbench.backends.docker_run_options import CPU_PERIOD_US, cpu_quota
from workbench.backends.docker_slots import ContainerSlot
from workbench.core.sandbox import SandboxError, SandboxExit


class ContainerCalls(Protocol):
    """What a sandbox asks of the backend that created it (DockerBackend)."""

    async def call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking SDK call on the backend's threads (SandboxError on engine errors)."""

    async def remove_container(self, container: Any) -> None:
        """Remove a container, or remember it for the backend's close."""

    def note_failure(self, exc: BaseException) -> None:
        """Remember why the engine last failed."""


# What a call to the engine raises when the engine, not the request, is the trouble.
DOCKER_FAILURES = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


class DockerSandbox:
    """One container running one runtime."""

    def __init__(
        self,
        backend: ContainerCalls,
        slot: ContainerSlot,
        memory_mb: int,
        runtime_peer: str | None,
    ) -> None:
        self._backend = backend
        self._slot = slot
        self.runtime_peer = runtime_peer
        self.container: Any = slot.container
        self.log_fd = slot.log_fd
        self._exit: asyncio.Future[SandboxExit] = asyncio.get_running_loop().create_future()
        self._killed = False
        self._cpu_quota = cpu_quota(memory_mb)
        self._last_peak: int | None = None
        self._memory_paths = cgroup_memory_files(self.container.id)
        self._pid = int(self.container.attrs.get("State", {}).get("Pid") or 0)
        # Writing the freezer cgroup ourselves: 0.3 ms instead of ~15 ms per `docker pause`
        # (decision 002); None where the engine's cgroups are out of reach (Docker Desktop).
        self._freezer = cgroup_freezer.for_container(self.container.id, self._pid)
        threading.Thread(target=self._wait_for_exit, daemon=True).start()

    @property
    def freezes_directly(self) -> bool:
        return self._freezer is not None

    def _wait_for_exit(self) -> None:
        """Blocks in a thread until the container stops, then resolves the exit future."""
        loop = self._exit.get_loop()
        try:
            status = self.container.wait()
            code = int(status.get("StatusCode", -1))
            self.container.reload()
            oom = bool(self.container.attrs.get("State", {}).get("OOMKilled"))
            result = SandboxExit(exit_code=code, oom_killed=oom)
        except DOCKER_FAILURES as exc:
            result = SandboxExit(exit_code=None, oom_killed=False)
            self._backend.note_failure(exc)
        with contextlib.suppress(RuntimeError):  # the loop may be closed at exit
            loop.call_soon_threadsafe(_resolve, self._exit, result)

    async def after_init(self) -> None:
        self._slot.forget_environment()  # the runtime has read it: keep nothing on disk
        # Init ran with the whole machine's CPUs, like the init burst observed on Lambda
        # (community reports, UNVERIFIED by AWS); the handler runs at the memory's share.
        await self._backend.call(
            self.container.update, cpu_quota=self._cpu_quota, cpu_period=CPU_PERIOD_US
        )

    async def freeze(self) -> None:
        self._last_peak = self.peak_memory_mb()
        if self._freezer is not None:
            try:
                await self._freezer.freeze()
                return
            except FreezerError:
                self._freezer.thaw_now()
                self._freezer = None  # from now on the engine's own pause
        await self._backend.call(self.container.pause)

    async def thaw(self) -> None:
        if self._freezer is None:
            await self._backend.call(self.container.unpause)
            return
        # A container killed while frozen (docker kill, an engine restart) only dies when it
        # thaws; say so now, so the invocation goes cold elsewhere instead of dying mid-way.
        killed = pending_sigkill(self._pid)
        try:
            await self._freezer.thaw()
        except FreezerError as exc:
            raise SandboxError(f"the container is gone ({exc})") from exc
        if killed:
            raise SandboxError("the container was killed while frozen")

    async def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        if self._freezer is not None:
            self._freezer.thaw_now()  # a frozen task takes no SIGKILL on cgroup v1
        await self._backend.remove_container(self.container)
        self._slot.close()

    async def wait_exit(self) -> SandboxExit:
        return await asyncio.shield(self._exit)

    def peak_memory_mb(self) -> int | None:
        value = read_int(self._memory_paths[0]) if self._memory_paths else None
        if value is None:
            return self._last_peak
        return math.ceil(value / (1024 * 1024))

    def current_memory_mb(self) -> int | None:
        value = read_int(self._memory_paths[1]) if self._memory_paths else None
        return math.ceil(value / (1024 * 1024)) if value is not None else None


def _resolve(future: asyncio.Future[SandboxExit], result: SandboxExit) -> None:
    if not future.done():
        future.set_result(result)
