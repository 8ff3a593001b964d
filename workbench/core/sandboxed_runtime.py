"""A runtime in its sandbox, together with the Runtime API server it talks to.

The pair is started, reset and released together. The environment (environment.py) decides
when, on its lifecycle; this class knows how, and which signals the runtime gives: it asked
for work (/next), reported an init error, or exited.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Literal

from workbench.core.logstream import LogReader
from workbench.core.model import FunctionConfig
from workbench.core.runtime_api import PendingInvocation, RuntimeApiServer, RuntimeOutcome
from workbench.core.runtime_env import runtime_variables
from workbench.core.sandbox import Backend, Sandbox, SandboxError, SandboxExit, SandboxSpec
from workbench.core.waiting import first_of


class SandboxedRuntime:
    """One environment's runtime and Runtime API endpoint; on_exit hears the runtime end."""

    def __init__(
        self,
        env_id: str,
        backend: Backend,
        on_log: Callable[[str], None],
        on_exit: Callable[[], None],
    ) -> None:
        self._env_id = env_id
        self._backend = backend
        self._on_log = on_log
        self._on_exit = on_exit
        self._server: RuntimeApiServer | None = None
        self._reader: LogReader | None = None
        self._next_called = asyncio.Event()
        self._init_error: asyncio.Future[RuntimeOutcome] | None = None
        self.sandbox: Sandbox | None = None
        self.exit: asyncio.Future[SandboxExit] | None = None
        # Lambda reports the environment's peak memory, across the runtime's invocations.
        self.peak_mb = 0

    @property
    def address(self) -> str | None:
        """host:port of the Runtime API, while there is one."""
        return self._server.address if self._server else None

    @property
    def refused_connections(self) -> int:
        """Requests the Runtime API refused because they came from another address."""
        return self._server.refused_peers if self._server else 0

    async def start(self, config: FunctionConfig, initialization_type: str, version: str) -> None:
        """Start the runtime (and, the first time, its Runtime API server)."""
        if self._server is None:
            self._server = RuntimeApiServer(
                self._backend.bind_host, self._next_called.set, self._on_init_error
            )
            await self._server.start()
        spec = SandboxSpec(
            env_id=self._env_id,
            function=config,
            runtime_api=self._server.address,
            variables=runtime_variables(config, self._server.address, initialization_type, version),
        )
        self._next_called.clear()
        self.peak_mb = 0
        self._init_error = asyncio.get_running_loop().create_future()
        self._server.forget_peer()
        sandbox = await self._backend.start(spec)
        self.sandbox = sandbox
        # From now on only this runtime's address is answered (None: the backend can't tell).
        self._server.admit_only(sandbox.runtime_peer)
        self._reader = LogReader(sandbox.log_fd, self._on_log)
        self.exit = asyncio.ensure_future(sandbox.wait_exit())
        self.exit.add_done_callback(lambda _: self._exited(sandbox))

    def _on_init_error(self, outcome: RuntimeOutcome) -> None:
        if self._init_error and not self._init_error.done():
            self._init_error.set_result(outcome)

    def _exited(self, sandbox: Sandbox) -> None:
        if self.sandbox is sandbox:  # not one stopped and replaced since
            self._on_exit()

    async def wait_ready(self, limit_s: float) -> Literal["next", "error", "exit"] | None:
        """After start: the first of asking for work, an init error, an exit; None on time out."""
        assert self._init_error is not None and self.exit is not None
        which = await first_of(
            {"next": self._next_called.wait(), "error": self._init_error, "exit": self.exit},
            timeout=limit_s,
        )
        return which  # type: ignore[return-value]

    def init_error(self) -> RuntimeOutcome:
        assert self._init_error is not None
        return self._init_error.result()

    def exit_info(self) -> SandboxExit:
        assert self.exit is not None
        return self.exit.result()

    def deliver(self, invocation: PendingInvocation) -> None:
        """Hand the runtime its event; wait_next then tells when it asks for the next one."""
        assert self._server is not None
        self._next_called.clear()
        self._server.deliver(invocation)

    async def wait_next(self, timeout: float) -> Literal["next", "exit"] | None:
        """The runtime asked for its next event (the invocation is over), exited, or neither."""
        assert self.exit is not None
        which = await first_of({"next": self._next_called.wait(), "exit": self.exit}, timeout)
        return which  # type: ignore[return-value]

    def flush_logs(self) -> None:
        if self._reader:
            self._reader.flush()

    def note_peak(self) -> None:
        """Remember the runtime's peak memory; Lambda reports the environment's peak."""
        peak = self.sandbox.peak_memory_mb() if self.sandbox else None
        self.peak_mb = max(peak or 0, self.peak_mb)

    async def stop(self) -> None:
        """Kill the runtime; the Runtime API server stays, for the next one."""
        self.note_peak()  # before the runtime and its figures are gone
        sandbox, self.sandbox = self.sandbox, None
        if self._reader:
            self._reader.close()
            self._reader = None
        if sandbox is not None:
            with contextlib.suppress(SandboxError):
                await sandbox.kill()
        if self.exit is not None and not self.exit.done():
            self.exit.cancel()

    async def reset(self) -> None:
        """Stop the runtime; the Runtime API forgets everything of it: a /next it left
        pending, an event it was never given, the invocation it held."""
        await self.stop()
        if self._server:
            self._server.reset()

    async def release(self) -> None:
        """Stop the runtime and the Runtime API server for good, and free the backend's
        resources for this environment."""
        await self.stop()
        await self._backend.release(self._env_id)  # /tmp outlives resets, not this
        if self._server:
            await self._server.close()
            self._server = None
