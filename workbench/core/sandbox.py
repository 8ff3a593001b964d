"""The small interface every backend implements: start a runtime, freeze, thaw, kill, observe.

The core owns the Lambda semantics; a backend only knows how to run an isolated runtime
process (a container, or a local process) and read its output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from workbench.core.model import FunctionConfig


@dataclass(frozen=True)
class SandboxSpec:
    """What to start: the function, its environment id, and the runtime's environment vars."""

    env_id: str
    function: FunctionConfig
    runtime_api: str
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SandboxExit:
    """How a runtime ended."""

    exit_code: int | None
    oom_killed: bool = False
    signal: int | None = None

    def describe(self) -> str:
        """Lambda's wording, e.g. 'exit status 1' or 'signal: killed'."""
        if self.oom_killed or self.signal == 9 or self.exit_code == 137:
            return "signal: killed"
        if self.signal is not None:
            return f"signal: {self.signal}"
        return f"exit status {self.exit_code}"


class SandboxError(RuntimeError):
    """The backend could not start or control a sandbox; the message says why and what to do."""


class Sandbox(Protocol):
    """A running runtime. Its merged stdout/stderr is readable, non-blocking, at log_fd.

    runtime_peer: the address its connections to the Runtime API come from, which is then
    the only one answered; None when the backend cannot tell runtimes apart by address.
    """

    log_fd: int
    runtime_peer: str | None

    async def after_init(self) -> None:
        """Called once the runtime has finished init (it asked for its first event)."""
        ...

    async def freeze(self) -> None:
        """Suspend every process of the sandbox (docker pause / SIGSTOP)."""
        ...

    async def thaw(self) -> None:
        """Resume it."""
        ...

    async def kill(self) -> None:
        """Stop it for good and release its resources; idempotent."""
        ...

    async def wait_exit(self) -> SandboxExit:
        """Completes when the runtime has exited."""
        ...

    def peak_memory_mb(self) -> int | None:
        """The highest memory use seen so far, from the OS (cgroup or /proc), or None."""
        ...

    def current_memory_mb(self) -> int | None:
        """The memory in use now, or None when unknown."""
        ...


class Backend(Protocol):
    """Starts sandboxes. `bind_host` is the address the Runtime API must listen on.

    isolation: one line for the status bar saying what keeps environments apart here.

    freeze_delay_s: how long an idle environment stays thawed before it is frozen; 0 freezes
    at once, as Lambda does. A backend whose freeze is costly defers it so that
    back-to-back traffic does not pay for a freeze and thaw that Lambda would not charge.
    """

    name: str
    description: str
    isolation: str
    bind_host: str
    enforces_memory: bool
    freeze_delay_s: float

    def prepare(self, function: FunctionConfig) -> None:
        """Optionally provision a sandbox ahead of the function's next cold start.

        Must not block, and may be called on any thread, before an event loop runs: a
        command calls it while it is still importing the rest of the engine.
        """
        ...

    async def start(self, spec: SandboxSpec) -> Sandbox:
        """Start the runtime for spec; raises SandboxError with a clear message."""
        ...

    async def release(self, env_id: str) -> None:
        """The environment is gone for good: free what outlived its sandboxes (its /tmp)."""
        ...

    async def close(self) -> None:
        """Kill every sandbox still running."""
        ...
