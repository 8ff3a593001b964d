"""Execution environments as Docker containers, configured the way Lambda sizes them.

Memory limit = the function's memory (swap off); CPU quota = memory / 1,769 MB of a vCPU;
`docker pause` is the freeze. The runtime's output reaches us through a FIFO bind-mounted
into the container, so — as with a local process — everything it printed before a
Runtime API call is readable when that call arrives. Containers are started ahead of need
and wait for their environment (docker_slots.py).

Isolation: each environment's Runtime API answers only its own container's bridge address
(`runtime_peer`); containers hold no capabilities (no CAP_NET_RAW/NET_ADMIN), so none can
forge another's address. See docs/decisions/001-runtime-api-isolation.md.

Storage: nothing of the host is writable from a function except its /tmp, a per-environment
filesystem of the ephemeral storage size that survives resets (docker_tmp.py, decision 009);
a tiny init (docker-init) is PID 1 and reaps zombies.

How a container is sized and locked down: docker_run_options.py; a running one (freeze,
thaw, kill, memory figures): docker_sandbox.py. This module starts and keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

from workbench.backends.docker_host import (
    ISOLATION,
    ISOLATION_TRANSLATED,
    bridge_gateway,
    running_address,
    translates_addresses,
)
from workbench.backends.docker_run_options import container_run_options
from workbench.backends.docker_sandbox import DOCKER_FAILURES, DockerSandbox
from workbench.backends.docker_slots import ContainerSlot, SlotShape
from workbench.backends.docker_sweep import sweep_orphans
from workbench.backends.docker_tmp import TmpStorage, TmpVolume
from workbench.backends.function_image import is_function_image
from workbench.core.model import DEFAULT_RUNTIME, ConfigError, FunctionConfig
from workbench.core.sandbox import SandboxError, SandboxSpec
from workbench.packages.layers import opt_dir
from workbench.paths import SHIM_DIR
from workbench.runtimes import SHIM_IN_CONTAINER, Runtime, container_command, runtime_for_image
from workbench.runtimes import get as get_runtime

MAX_SPARES = 8  # waiting containers kept at most, one per function shape
_ENGINE_GONE = (
    "the Docker engine stopped answering ({detail}); start it again (scripts/setup-docker.sh)"
    " or switch to the process backend"
)


def container_name_prefix(env_id: str) -> str:
    """Containers of an environment are named with this prefix once launched."""
    return f"lambda-workbench-{env_id}-"


def _consume_exception(future: asyncio.Future[Any]) -> None:
    """Mark a background call's failure as seen; it resurfaces where it matters."""
    if not future.cancelled():
        future.exception()


class DockerBackend:
    """Starts one container per execution environment."""

    name = "docker"
    enforces_memory = True
    # docker pause/unpause go through the engine and runc (~16 ms each here), so with them a
    # freeze waits for a short idle gap; writing the freezer cgroup directly (0.3 ms) freezes
    # at once, as Lambda does. See docs/decisions/002-docker-pause-as-freeze.md.
    freeze_delay_s = 0.05

    def __init__(
        self, client: docker.DockerClient, image: str, *, provision_ahead: bool = True
    ) -> None:
        self.client = client
        self.image = image
        self.provision_ahead = provision_ahead
        version = client.version().get("Version", "?")
        self.description = f"Docker {version} — containers"
        self.bind_host = bridge_gateway(client)
        # Where the engine translates source addresses, a container cannot be told by its own.
        self.filters_peers = not translates_addresses(client)
        self.isolation = ISOLATION if self.filters_peers else ISOLATION_TRANSLATED
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="docker")
        self._sandboxes: list[DockerSandbox] = []
        self._entrypoints: dict[str, list[str]] = {}
        self._code_inside: dict[str, bool] = {}  # function images carry their own /var/task
        # Spares are started on the backend's threads, so that prepare() works before an event
        # loop runs (a command provisions its first container while it is still loading).
        self._spares: dict[SlotShape, Future[ContainerSlot | None]] = {}
        self._background: set[asyncio.Future[Any]] = set()
        self._closed = False
        self._unremoved: list[Any] = []  # containers the engine could not remove when asked
        self.last_failure: str | None = None
        self._tmp = TmpStorage()
        self._env_tmp: dict[str, TmpVolume] = {}  # each environment's /tmp, kept over resets
        if self._tmp.unavailable:
            self.description += f"; /tmp in memory, cleared on reset ({self._tmp.unavailable})"

    def note_failure(self, exc: BaseException) -> None:
        self.last_failure = str(exc)

    async def call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking SDK call on the backend's threads; engine errors become SandboxError."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: function(*args, **kwargs))
        except docker.errors.APIError as exc:
            raise SandboxError(f"Docker refused: {exc.explanation or exc}") from exc
        except DOCKER_FAILURES as exc:
            self.note_failure(exc)
            raise SandboxError(_ENGINE_GONE.format(detail=type(exc).__name__)) from exc

    def _command(self, image: str, handler: str) -> list[str]:
        """Our bootstrap for our runtime image; the image's own entrypoint for any other."""
        if image == self.image:  # the Python image this backend was started with
            return container_command(get_runtime(DEFAULT_RUNTIME))
        runtime = runtime_for_image(image)
        if runtime is not None:  # our Node.js, custom-runtime or other Python image
            self._require_runtime_image(image, runtime)
            return container_command(runtime)
        if image not in self._entrypoints:
            attrs = self.client.images.get(image).attrs
            self._entrypoints[image] = list(attrs.get("Config", {}).get("Entrypoint") or [])
            self._code_inside[image] = is_function_image(attrs)
        entrypoint = self._entrypoints[image]
        if not entrypoint:
            raise SandboxError(
                f"image {image} has no ENTRYPOINT: build it FROM a Lambda base image, or one "
                "whose entrypoint starts a runtime interface client"
            )
        return [*entrypoint, handler]

    def _require_runtime_image(self, image: str, runtime: Runtime) -> None:
        """Blocking: SandboxError saying how to build the runtime's image when it is missing."""
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            raise SandboxError(
                f"the {runtime.name} runtime image {image} is missing: build it with "
                f"`lambda-workbench image build --runtime {runtime.name}` (about 30 s)"
            ) from None

    def _runtime_image(self, function: FunctionConfig) -> str:
        """The backend's Python image for the default runtime, else ours for the runtime."""
        if function.runtime == DEFAULT_RUNTIME:
            return self.image
        return get_runtime(function.runtime).image

    def _create_slot(
        self, shape: SlotShape, function_name: str, tmp: TmpVolume | None = None
    ) -> ContainerSlot:
        """Blocking: start a container that waits in the launcher for its environment.

        tmp: the /tmp of the environment being restarted after a reset; else a fresh one.
        """
        fresh_tmp = tmp is None and self._tmp.sized_images
        if fresh_tmp:
            tmp = self._tmp.create(shape.ephemeral_storage_mb)  # SandboxError if it cannot
        slot = ContainerSlot(shape, tmp)
        try:
            command = self._command(shape.image, shape.handler)
            code_inside = bool(self._code_inside.get(shape.image))
            volumes, tmpfs = slot.mounts({str(SHIM_DIR): SHIM_IN_CONTAINER}, code_inside)
            options = container_run_options(
                shape, slot.name, function_name, command, volumes, tmpfs
            )
            slot.container = self.client.containers.run(shape.image, **options)
        except BaseException:
            slot.close()
            if fresh_tmp and tmp is not None:
                self._tmp.remove(tmp)
            raise
        return slot

    def _shape(self, function: FunctionConfig) -> SlotShape:
        try:
            layers = opt_dir(function.layers)
        except ConfigError as exc:
            raise SandboxError(str(exc)) from exc
        return SlotShape(
            image=function.image or self._runtime_image(function),
            code_dir=str(function.code_dir),
            memory_mb=function.memory_mb,
            ephemeral_storage_mb=function.ephemeral_storage_mb,
            handler=function.handler,
            opt_dir=str(layers) if layers else None,
        )

    def prepare(self, function: FunctionConfig) -> None:
        """Provision a waiting container for this function's next cold start (any thread)."""
        try:
            shape = self._shape(function)
        except SandboxError:
            return  # a missing layer: the cold start reports it
        if shape in self._spares or self._closed or not self.provision_ahead:
            return
        while len(self._spares) >= MAX_SPARES:
            self._pool.submit(self._discard_spare, self._spares.pop(next(iter(self._spares))))
        self._spares[shape] = self._pool.submit(self._create_spare, shape, function.name)

    def _create_spare(self, shape: SlotShape, function_name: str) -> ContainerSlot | None:
        """Blocking: a waiting container, or None if it cannot start now. Nothing is lost:
        the cold start that wanted it creates one itself and reports that failure."""
        try:
            return self._create_slot(shape, function_name)
        except (SandboxError, *DOCKER_FAILURES):
            return None

    def _discard_spare(self, spare: Future[ContainerSlot | None]) -> None:
        """Blocking: remove a spare once it exists."""
        slot = spare.result()
        if slot is not None:
            self._remove_slot_now(slot)

    def _spawn(self, coroutine: Any) -> asyncio.Future[Any]:
        """Run in the background, keeping a reference and consuming a failure."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_consume_exception)
        return task

    async def remove_container(self, container: Any) -> None:
        """Remove a container; while the engine is away, remember it for close() to retry."""
        try:
            await self.call(container.remove, force=True)
        except SandboxError:
            self._unremoved.append(container)

    def _remove_slot_now(self, slot: ContainerSlot) -> None:
        """Blocking: remove a slot's container, and its /tmp unless an environment owns that."""
        try:
            slot.container.remove(force=True)  # type: ignore[attr-defined]
        except DOCKER_FAILURES:
            self._unremoved.append(slot.container)  # the engine is away: close() retries
        slot.close()
        if slot.tmp is not None and slot.tmp not in self._env_tmp.values():
            with contextlib.suppress(SandboxError):
                self._tmp.remove(slot.tmp)

    async def _remove_slot(self, slot: ContainerSlot) -> None:
        await self.call(self._remove_slot_now, slot)

    async def _take_slot(self, function: FunctionConfig, env_id: str) -> tuple[ContainerSlot, str]:
        """A running waiting container for this shape, and its address; a new one if none.

        An environment restarted after a reset gets a new container with its own /tmp.
        """
        shape = self._shape(function)
        tmp = self._env_tmp.get(env_id)  # a restart after a reset keeps its /tmp: no spare
        spare = self._spares.pop(shape, None) if tmp is None else None
        waiting = await asyncio.wrap_future(spare) if spare is not None else None
        if waiting is not None:
            try:
                address = await self.call(running_address, waiting.container)
            except SandboxError:
                address = None
            if address is not None:
                return waiting, address
            await self._remove_slot(waiting)  # it died waiting, or the engine is away
        slot = await self.call(self._create_slot, shape, function.name, tmp)
        try:
            address = await self.call(running_address, slot.container)
        except SandboxError:
            await self._remove_slot(slot)
            raise
        if address is None:
            await self._remove_slot(slot)
            raise SandboxError("the container stopped as soon as it started: see `docker logs`")
        return slot, address

    async def start(self, spec: SandboxSpec) -> DockerSandbox:
        slot, address = await self._take_slot(spec.function, spec.env_id)
        if self.filters_peers and not address:
            await self._remove_slot(slot)
            raise SandboxError("the container has no address on Docker's bridge network")
        try:
            slot.launch(spec.variables)
        except OSError as exc:
            await self._remove_slot(slot)
            raise SandboxError(f"could not hand the container its environment: {exc}") from exc
        if slot.tmp is not None:
            self._env_tmp[spec.env_id] = slot.tmp
        peer = address if self.filters_peers else None
        sandbox = DockerSandbox(self, slot, spec.function.memory_mb, peer)
        self.freeze_delay_s = 0.0 if sandbox.freezes_directly else DockerBackend.freeze_delay_s
        self._sandboxes = [s for s in self._sandboxes if not s._killed]
        self._sandboxes.append(sandbox)
        self.prepare(spec.function)  # the next cold start of this function finds one waiting
        # A readable name in `docker ps`, for learners; nothing depends on it.
        readable = f"{container_name_prefix(spec.env_id)}{slot.name[-4:]}"
        self._spawn(self.call(slot.container.rename, readable))  # type: ignore[attr-defined]
        return sandbox

    async def release(self, env_id: str) -> None:
        """The environment is gone for good: remove its /tmp (its containers are gone)."""
        tmp = self._env_tmp.pop(env_id, None)
        if tmp is not None:
            with contextlib.suppress(SandboxError):
                await self.call(self._tmp.remove, tmp)

    async def close(self) -> None:
        self._closed = True
        sandboxes, self._sandboxes = self._sandboxes, []
        spares, self._spares = list(self._spares.values()), {}
        await asyncio.gather(*(s.kill() for s in sandboxes), return_exceptions=True)
        waiting = (asyncio.wrap_future(spare) for spare in spares)
        for slot in await asyncio.gather(*waiting, return_exceptions=True):
            if isinstance(slot, ContainerSlot):
                await self._remove_slot(slot)
        unremoved, self._unremoved = self._unremoved, []
        for container in unremoved:  # the engine may be back by now
            with contextlib.suppress(SandboxError):
                await self.call(container.remove, force=True)
        self._env_tmp.clear()
        with contextlib.suppress(SandboxError):
            await self.call(self._tmp.close)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def sweep_orphans(self) -> int:
        """Blocking: remove what dead runs left (docker_sweep.py); how many containers."""
        return sweep_orphans(self.client)
