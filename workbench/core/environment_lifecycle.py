"""An execution environment's lifecycle use: claims, freeze and thaw, noticing that its
runtime died, reaping, shutdown; and the events and logs it publishes.

The states and the moves between them live in lifecycle.py; this class only asks for moves.
Serving invocations (init, invoke, report) is environment.py's Environment, built on this.
An environment whose runtime dies while idle (killed, out of memory, engine restarted) is
reaped as soon as that is noticed, and an invocation that finds it dead goes to a new
environment (EnvironmentGone): the next invocation simply goes cold, as on AWS.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Literal

from workbench.core.clock import Clock
from workbench.core.events import (
    EnvironmentFailed,
    EnvironmentFrozen,
    EnvironmentReaped,
    EnvironmentThawed,
    Event,
    LogLine,
)
from workbench.core.invocation_log import InvocationLog
from workbench.core.lifecycle import EnvState, Lifecycle
from workbench.core.model import FunctionConfig
from workbench.core.sandbox import Backend, SandboxError
from workbench.core.sandboxed_runtime import SandboxedRuntime

# After a failed freeze or thaw, how long to wait for the runtime's exit to be reported
# before concluding that the backend, not the runtime, is what broke.
DEATH_NOTICE_S = 0.5


class EnvironmentGone(SandboxError):
    """The environment died while idle; the invocation that found it can go to a new one."""


class EnvironmentLifecycle:
    """An execution environment's lifecycle and runtime, without serving (see Environment)."""

    def __init__(
        self,
        env_id: str,
        config: FunctionConfig,
        backend: Backend,
        publish: Callable[[Event], None],
        clock: Clock,
    ) -> None:
        self.env_id = env_id
        self.config = config
        self._life = Lifecycle(env_id)
        self._publish = publish
        self._clock = clock
        self._runtime = SandboxedRuntime(env_id, backend, self._log, self._exited)
        self._control = asyncio.Lock()
        self._invocation_log = InvocationLog()
        self._cleanup: set[asyncio.Future[None]] = set()
        self._failure: str | None = None

    # ----- lifecycle (the service asks; only this class moves) ----------------------------
    @property
    def state(self) -> EnvState:
        return self._life.state

    @property
    def reserved(self) -> bool:
        """Claimed by an invocation or by its provisioning."""
        return self._life.claimed

    @property
    def retiring(self) -> bool:
        """Replaced by a redeploy while claimed: to be shut down when released."""
        return self._life.retiring

    @property
    def initialised(self) -> bool:
        return self._runtime.sandbox is not None and self.state in (
            EnvState.IDLE,
            EnvState.FROZEN,
            EnvState.BUSY,
        )

    @property
    def alive(self) -> bool:
        return self._life.alive

    @property
    def available(self) -> bool:
        """Free to take an invocation: alive and not claimed."""
        return self._life.alive and not self._life.claimed

    @property
    def runtime_api_address(self) -> str | None:
        """host:port of this environment's Runtime API, while it has one."""
        return self._runtime.address

    @property
    def refused_connections(self) -> int:
        """Requests its Runtime API refused because they came from another address."""
        return self._runtime.refused_connections

    def claim(self) -> None:
        self._life.claim()

    def release(self) -> None:
        self._life.release()

    def retire(self) -> bool:
        """A redeploy replaces it: True to shut it down now, False when it waits for release."""
        return self._life.retire()

    def _move(self, new: EnvState) -> None:
        if self.state == EnvState.REAPED:  # shut down under a running invocation
            raise SandboxError("the execution environment was shut down")
        self._life.move(new)

    # ----- events and logs -------------------------------------------------------------
    def _emit(self, event_type: type[Event], **fields: object) -> None:
        self._publish(
            event_type(at=self._clock.now(), function=self.config.name, **fields)  # type: ignore[arg-type,unused-ignore]
        )

    def _log(self, text: str) -> None:
        """A line from the runtime (or about it), attributed to the invocation in progress."""
        if self._invocation_log.admit(text):
            self._log_platform(text)

    def _log_platform(self, text: str) -> None:
        """A platform line (END, REPORT): published, never capped."""
        request_id = self._invocation_log.request_id
        self._emit(LogLine, text=text, env_id=self.env_id, request_id=request_id)

    # ----- freeze, thaw, stop -------------------------------------------------------------
    async def freeze(self) -> None:
        """Suspend the environment if it is still idle and unreserved (AWS freezes it)."""
        async with self._control:
            sandbox = self._runtime.sandbox
            if self.state != EnvState.IDLE or self.reserved or sandbox is None:
                return
            try:
                await sandbox.freeze()
            except SandboxError as exc:
                # A busy host can make the freezer give up ("unable to freeze"): a runtime
                # that is still alive stays warm, unfrozen, rather than being thrown away.
                await self._lost(str(exc), alive_is_fine=True)
                return
            if self.state == EnvState.IDLE:
                self._move(EnvState.FROZEN)
                self._emit(EnvironmentFrozen, env_id=self.env_id)

    async def _thaw_or_gone(self) -> None:
        """Make a warm environment ready for an invocation; EnvironmentGone if it died idle."""
        async with self._control:
            sandbox, exit_ = self._runtime.sandbox, self._runtime.exit
            if sandbox is None or exit_ is None or not self.alive:
                raise SandboxError("the execution environment was shut down")
            await asyncio.sleep(0)  # let an exit that already happened be noticed
            if exit_.done():
                self._reap_dead()
            elif self.state == EnvState.FROZEN:
                try:
                    await sandbox.thaw()
                except SandboxError as exc:
                    await self._lost(str(exc))
                else:
                    self._move(EnvState.IDLE)
                    self._emit(EnvironmentThawed, env_id=self.env_id)
            if self.state == EnvState.REAPED:
                raise EnvironmentGone(f"environment {self.env_id} died while idle")
            if self.state == EnvState.FAILED:
                raise SandboxError(self._failure or "the execution environment failed")

    async def _lost(self, message: str, alive_is_fine: bool = False) -> None:
        """A freeze or thaw failed: the runtime died (reap it) or the backend broke (fail)."""
        exit_ = self._runtime.exit
        if exit_ is not None and not exit_.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(exit_), DEATH_NOTICE_S)
        if not self.alive:
            return  # noticed meanwhile
        if exit_ is not None and exit_.done():
            self._reap_dead()
        elif not alive_is_fine:
            self._fail(message)

    def _exited(self) -> None:
        """The runtime ended. Idle and unclaimed, it died on its own: reap it now."""
        idle = self.state in (EnvState.IDLE, EnvState.FROZEN)
        if idle and not self.reserved:
            self._reap_dead()

    def _reap_dead(self) -> None:
        """Reap an environment whose runtime died while idle; its next invocation goes cold."""
        self._move(EnvState.REAPED)
        self._emit(EnvironmentReaped, env_id=self.env_id, reason="died")
        task = asyncio.ensure_future(self._runtime.release())
        self._cleanup.add(task)
        task.add_done_callback(self._cleanup.discard)

    async def _guard(self, operation: Awaitable[None]) -> None:
        try:
            await operation
        except SandboxError as exc:
            self._fail(str(exc))
            raise

    def _fail(self, message: str) -> None:
        if self.alive:
            self._failure = message
            self._move(EnvState.FAILED)
            self._emit(EnvironmentFailed, env_id=self.env_id, message=message)

    async def _reset_runtime(self) -> None:
        """Stop the runtime; the environment waits, CREATED, for its next (cold) invocation."""
        if self.alive:
            self._move(EnvState.RESETTING)
        await self._runtime.reset()
        if self.state == EnvState.RESETTING:
            self._move(EnvState.CREATED)

    async def shutdown(self, reason: Literal["idle", "shutdown", "replaced"]) -> None:
        """Stop the runtime and the Runtime API endpoint for good."""
        async with self._control:
            if self._cleanup:
                await asyncio.gather(*self._cleanup, return_exceptions=True)
            if self.state == EnvState.REAPED:
                await self._runtime.release()
                return
            was_failed = self.state == EnvState.FAILED
            self._move(EnvState.REAPED)
            await self._runtime.release()
            if not was_failed:
                self._emit(EnvironmentReaped, env_id=self.env_id, reason=reason)
