"""Each function version's pool of execution environments, for LambdaService.

An invocation acquires a free environment (provisioned, then warm, then reset ones) or a new
one, and releases it after: it is then frozen, or shut down when it failed, died or was
replaced. Idle ones are reaped after idle_timeout_s. Versions never share environments.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from workbench.core.clock import Clock
from workbench.core.environment import Environment, EnvState
from workbench.core.events import EnvironmentCreated, EventBus
from workbench.core.model import FunctionConfig
from workbench.core.sandbox import Backend, SandboxError
from workbench.core.versions import LATEST, Resolved


@dataclass(frozen=True)
class EnvironmentInfo:
    """A snapshot of one environment, for status lines and tests."""

    env_id: str
    function: str
    state: EnvState
    invocations: int
    reserved: bool


class EnvironmentPools:
    """The environments of LambdaService's functions, per version, and their upkeep."""

    def __init__(
        self,
        backend: Backend,
        bus: EventBus,
        clock: Clock,
        idle_timeout_s: float,
        init_limit_s: float,
    ) -> None:
        self.backend = backend
        self.bus = bus
        self.clock = clock
        self.idle_timeout_s = idle_timeout_s
        self.init_limit_s = init_limit_s
        # One pool per function version: versions never share environments.
        self._pools: dict[tuple[str, str], list[Environment]] = {}
        self._env_numbers = itertools.count(1)
        self._background: set[asyncio.Task[object]] = set()
        self._shutdowns: set[asyncio.Task[object]] = set()  # awaited, never cancelled, at close
        self._reaper: asyncio.Task[None] | None = None

    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.create_task(self._reap_forever())

    async def _shut_down_pools(self) -> None:
        """Cancel background work (the reaper, freezes, event handling), then shut every
        environment down."""
        tasks = [t for t in (self._reaper, *self._background) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Environments already retired (a redeploy, a failure) finish shutting down rather
        # than being cancelled halfway, which left their container and Runtime API behind.
        await asyncio.gather(*self._shutdowns, return_exceptions=True)
        envs = [env for pool in self._pools.values() for env in pool]
        await asyncio.gather(*(env.shutdown("shutdown") for env in envs), return_exceptions=True)
        self._pools.clear()

    def environments(self, name: str | None = None) -> list[EnvironmentInfo]:
        pools = [pool for (fn, _), pool in self._pools.items() if name in (None, fn)]
        return [
            EnvironmentInfo(env.env_id, env.config.name, env.state, env.invocations, env.reserved)
            for pool in pools
            for env in pool
            if env.alive
        ]

    def stop_invocation(self, request_id: str) -> bool:
        """End a running invocation the way a timeout does: its environment is reset and the
        REPORT says Error Type: Sandbox.Stopped. False if no environment is running it."""
        return any(env.stop_invocation(request_id) for pool in self._pools.values() for env in pool)

    def running_requests(self, name: str) -> list[str]:
        """The request ids a function's environments are running right now."""
        return [
            env.running_request
            for (function, _version), pool in self._pools.items()
            if function == name
            for env in pool
            if env.running_request is not None
        ]

    async def _provision(self, env: Environment) -> None:
        """Initialise a provisioned environment ahead of traffic, then freeze it."""
        env.claim()
        try:
            await env.initialise_ahead(self._init_limit(env))
        finally:
            self._release(env)

    def _init_limit(self, env: Environment) -> float:
        if env.initialization_type == "on-demand":
            return self.init_limit_s
        return max(130.0, env.config.timeout_s)  # provisioned concurrency / SnapStart

    def _acquire(self, target: Resolved) -> Environment:
        """A free environment (provisioned, then warm, then reset ones), or a new one."""
        pool = self._pools.setdefault((target.config.name, target.version), [])
        pool[:] = [env for env in pool if env.alive or env.reserved]  # drop the dead
        free = [env for env in pool if env.available]
        free.sort(
            key=lambda e: (
                not e.initialised,
                e.initialization_type != "provisioned-concurrency",
                -e.last_used,
            )
        )
        env = free[0] if free else self._new_environment(target.config, "on-demand", target.version)
        env.claim()
        return env

    def _new_environment(
        self, config: FunctionConfig, initialization_type: str, version: str = LATEST
    ) -> Environment:
        env = Environment(
            f"{config.name}-{next(self._env_numbers)}",
            config,
            self.backend,
            self.bus.publish,
            self.clock,
            initialization_type,
            version,
        )
        self._pools.setdefault((config.name, version), []).append(env)
        self.bus.publish(
            EnvironmentCreated(
                at=self.clock.now(),
                function=config.name,
                env_id=env.env_id,
                backend=self.backend.name,
                initialization_type=initialization_type,
                memory_mb=config.memory_mb,
                architecture=config.architecture,
            )
        )
        return env

    def _release(self, env: Environment) -> None:
        env.release()
        if env.retiring:
            self._discard(env, "replaced")
        elif env.state in (EnvState.FAILED, EnvState.REAPED):
            self._discard(env, "shutdown")
        elif env.state == EnvState.IDLE:
            self._spawn(self._freeze(env))

    async def _freeze(self, env: Environment) -> None:
        delay = self.backend.freeze_delay_s
        if delay:
            await asyncio.sleep(delay)
            if self.clock.monotonic() - env.last_used < delay:
                return  # used again meanwhile; that invocation's release schedules the freeze
        with contextlib.suppress(SandboxError):
            await env.freeze()
        if env.state in (EnvState.FAILED, EnvState.REAPED) and not env.reserved:
            self._discard(env, "shutdown")

    def _discard(self, env: Environment, reason: str) -> None:
        pool = self._pools.get((env.config.name, env.version), [])
        if env in pool:
            pool.remove(env)
        self._spawn_shutdown(env, reason)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _spawn_shutdown(self, env: Environment, reason: str) -> None:
        task = asyncio.ensure_future(env.shutdown(reason))  # type: ignore[arg-type]
        self._shutdowns.add(task)
        task.add_done_callback(self._shutdowns.discard)

    # ----- reaping -----------------------------------------------------------------------
    def reap_idle(self) -> int:
        """Shut down environments idle longer than idle_timeout_s; returns how many."""
        now = self.clock.monotonic()
        reaped = 0
        for pool in self._pools.values():
            for env in list(pool):
                idle = env.state in (EnvState.IDLE, EnvState.FROZEN, EnvState.CREATED)
                provisioned = env.initialization_type == "provisioned-concurrency"
                expired = now - env.last_used >= self.idle_timeout_s
                if idle and expired and not env.reserved and not provisioned:
                    self._discard(env, "idle")
                    reaped += 1
        return reaped

    async def _reap_forever(self) -> None:
        while True:
            # Recomputed each time: the app changes idle_timeout_s while the service runs.
            await asyncio.sleep(min(1.0, max(self.idle_timeout_s / 4, 0.05)))
            self.reap_idle()
