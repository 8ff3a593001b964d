"""One execution environment: serving one invocation at a time, on its guarded lifecycle.

The states and the moves between them live in lifecycle.py; this class only asks for moves.
An environment whose runtime dies while idle (killed, out of memory, engine restarted) is
reaped as soon as that is noticed, and an invocation that finds it dead goes to a new
environment (EnvironmentGone): the next invocation simply goes cold, as on AWS.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

from workbench.core import logformat
from workbench.core.billing import billed_duration_ms
from workbench.core.clock import Clock
from workbench.core.events import (
    EnvironmentFailed,
    EnvironmentFrozen,
    EnvironmentReaped,
    EnvironmentReset,
    EnvironmentThawed,
    Event,
    InitCompleted,
    InitFailed,
    InitStarted,
    InvocationCompleted,
    InvocationStarted,
    InvocationType,
    LogLine,
    Report,
)
from workbench.core.invocation_log import InvocationLog
from workbench.core.lifecycle import EnvState, IllegalTransition, Lifecycle
from workbench.core.logstream import LogReader
from workbench.core.model import FunctionConfig
from workbench.core.outcomes import (
    InitOutcome,
    Result,
    Served,
    error_body,
    from_runtime,
    trace_id,
)
from workbench.core.runtime_api import PendingInvocation, RuntimeApiServer, RuntimeOutcome
from workbench.core.runtime_env import runtime_variables
from workbench.core.sandbox import Backend, Sandbox, SandboxError, SandboxExit, SandboxSpec
from workbench.core.waiting import first_of

# After a failed freeze or thaw, how long to wait for the runtime's exit to be reported
# before concluding that the backend, not the runtime, is what broke.
DEATH_NOTICE_S = 0.5

# Not an AWS error type (Lambda has no Stop): named like the timeout's Sandbox.Timedout.
STOPPED_ERROR_TYPE = "Sandbox.Stopped"


__all__ = ["EnvState", "Environment", "EnvironmentGone", "IllegalTransition"]


class EnvironmentGone(SandboxError):
    """The environment died while idle; the invocation that found it can go to a new one."""


class Environment:
    """An execution environment; the pool guarantees it serves one invocation at a time."""

    def __init__(
        self,
        env_id: str,
        config: FunctionConfig,
        backend: Backend,
        publish: Callable[[Event], None],
        clock: Clock,
        initialization_type: str = "on-demand",
        version: str = "$LATEST",
    ) -> None:
        self.env_id = env_id
        self.version = version
        self.config = config
        self.initialization_type = initialization_type
        self._life = Lifecycle(env_id)
        self.last_used = clock.monotonic()
        self.invocations = 0
        self._backend = backend
        self._publish = publish
        self._clock = clock
        self._server: RuntimeApiServer | None = None
        self._sandbox: Sandbox | None = None
        self._reader: LogReader | None = None
        self._last_peak = 0
        self._exit: asyncio.Future[SandboxExit] | None = None
        self._next_called = asyncio.Event()
        self._init_error: asyncio.Future[RuntimeOutcome] | None = None
        self._control = asyncio.Lock()
        self._invocation_log = InvocationLog()
        self._cleanup: set[asyncio.Future[None]] = set()
        self._failure: str | None = None
        # ----- stop (the learner's Stop button): ends the running invocation like a timeout
        self.running_request: str | None = None
        self._stop_requested = asyncio.Event()

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
        return self._sandbox is not None and self.state in (
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
        return self._server.address if self._server else None

    @property
    def refused_connections(self) -> int:
        """Requests its Runtime API refused because they came from another address."""
        return self._server.refused_peers if self._server else 0

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

    # ----- init ------------------------------------------------------------------------
    async def _start_sandbox(self) -> None:
        if self._server is None:
            self._server = RuntimeApiServer(
                self._backend.bind_host, self._next_called.set, self._on_init_error
            )
            await self._server.start()
        spec = SandboxSpec(
            env_id=self.env_id,
            function=self.config,
            runtime_api=self._server.address,
            variables=runtime_variables(
                self.config, self._server.address, self.initialization_type, self.version
            ),
        )
        self._next_called.clear()
        self._last_peak = 0
        self._init_error = asyncio.get_running_loop().create_future()
        self._server.forget_peer()
        sandbox = await self._backend.start(spec)
        self._sandbox = sandbox
        # From now on only this runtime's address is answered (None: the backend can't tell).
        self._server.admit_only(sandbox.runtime_peer)
        self._reader = LogReader(sandbox.log_fd, self._log)
        self._exit = asyncio.ensure_future(sandbox.wait_exit())
        self._exit.add_done_callback(lambda _: self._exited(sandbox))

    def _on_init_error(self, outcome: RuntimeOutcome) -> None:
        if self._init_error and not self._init_error.done():
            self._init_error.set_result(outcome)

    async def _initialise(self, limit_s: float, phase: Literal["init", "invoke"]) -> InitOutcome:
        """Start the runtime and wait until it first asks for work, fails, or runs out of time.

        On success the state stays INITIALISING for the caller to move on; on failure the
        runtime is stopped and the environment is CREATED again.
        """
        self._move(EnvState.INITIALISING)
        self._emit(InitStarted, env_id=self.env_id, phase=phase)
        if phase == "init":
            self._log(logformat.init_start_line(self.config.runtime, self.config.image))
        try:
            await self._start_sandbox()
        except SandboxError as exc:
            self._fail(str(exc))
            raise
        except Exception as exc:  # e.g. OSError from a spawn: never leave it half-initialised
            self._fail(f"the runtime could not be started: {exc}")
            raise SandboxError(f"the runtime could not be started: {exc}") from exc
        started = self._clock.monotonic()
        assert self._init_error is not None and self._exit is not None
        which = await first_of(
            {"next": self._next_called.wait(), "error": self._init_error, "exit": self._exit},
            timeout=limit_s,
        )
        duration_ms = (self._clock.monotonic() - started) * 1000
        if which == "next":
            assert self._sandbox is not None
            await self._guard(self._sandbox.after_init())
            self._emit(InitCompleted, env_id=self.env_id, init_duration_ms=duration_ms, phase=phase)
            return InitOutcome("success", duration_ms)
        if which == "error":
            error = self._init_error.result()
            outcome = InitOutcome("error", duration_ms, error.error_type, error.body)
        elif which == "exit":
            text = f"Runtime exited with error: {self._exit.result().describe()}"
            outcome = InitOutcome(
                "error", duration_ms, "Runtime.ExitError", error_body(text, "Runtime.ExitError")
            )
        else:
            outcome = InitOutcome("timeout", duration_ms, None)
        if self._reader:
            self._reader.flush()
        self._log(
            logformat.init_report_line(duration_ms, phase, outcome.status, outcome.error_type)
        )
        self._emit(
            InitFailed,
            env_id=self.env_id,
            init_duration_ms=duration_ms,
            status=outcome.status,
            error_type=outcome.error_type or "Sandbox.Timedout",
            phase=phase,
        )
        await self._reset_runtime()
        return outcome

    async def initialise_ahead(self, limit_s: float) -> bool:
        """Init before any invocation (provisioned concurrency), then freeze; True if it worked.

        A failed init leaves the environment uninitialised: its first invocation retries it.
        """
        try:
            outcome = await self._initialise(limit_s, "init")
        except SandboxError:
            return False
        if not outcome.ok:
            return False
        self._move(EnvState.IDLE)
        self.last_used = self._clock.monotonic()
        return True

    # ----- serving -----------------------------------------------------------------------
    async def serve(
        self,
        payload: bytes,
        *,
        init_limit_s: float,
        invocation_type: InvocationType = "RequestResponse",
        request_id: str | None = None,
        client_context: str | None = None,
        tenant_id: str | None = None,
        invoked_arn: str | None = None,
    ) -> Served:
        """Run one invocation here: init if cold (with the suppressed-init retry), else thaw."""
        request_id = request_id or str(uuid.uuid4())
        cold = not self.initialised
        init: InitOutcome | None = None
        if cold:
            init = await self._initialise(init_limit_s, "init")
            if init.ok:
                self._move(EnvState.BUSY)
        else:
            await self._thaw_or_gone()
            self._move(EnvState.BUSY)
        self._invocation_log.begin(request_id)
        self._emit(
            InvocationStarted,
            request_id=request_id,
            env_id=self.env_id,
            cold=cold,
            invocation_type=invocation_type,
        )
        self._log(logformat.start_line(request_id, self.version))
        timeout_s = self.config.timeout_s
        started = self._clock.monotonic()
        deadline = started + timeout_s
        if init is not None and not init.ok:
            # AWS retries a failed or timed-out init inside the invoke phase, within the
            # function timeout ("suppressed init"); that time is part of Duration.
            init = await self._initialise(timeout_s, "invoke")
            if not init.ok:
                return await self._finish_failed_init(request_id, init, started, invocation_type)
            init = None  # a suppressed init is reported in Duration, not as Init Duration
            self._move(EnvState.BUSY)
        # The deadline leaves the service: the runtime compares it with its own real clock,
        # so it is real time even when the teaching clock runs idle time fast.
        remaining_s = deadline - self._clock.monotonic()
        invocation = PendingInvocation(
            request_id=request_id,
            payload=payload,
            deadline_ms=int((self._clock.real_now() + remaining_s) * 1000),
            invoked_function_arn=invoked_arn or self.config.arn,
            trace_id=trace_id(self._clock.real_now()),
            client_context=client_context,
            tenant_id=tenant_id,
        )
        assert self._server is not None and self._exit is not None
        self._next_called.clear()
        self._stop_requested.clear()
        self.running_request = request_id
        self._server.deliver(invocation)
        try:
            which = await first_of(
                {
                    "outcome": invocation.outcome,
                    "exit": self._exit,
                    "stop": self._stop_requested.wait(),
                },
                timeout=deadline - self._clock.monotonic(),
            )
        finally:
            self.running_request = None
        finished = self._clock.monotonic()
        if which == "outcome":
            # The invocation ends when the runtime asks for its next event.
            done = await first_of(
                {"next": self._next_called.wait(), "exit": self._exit},
                timeout=max(deadline - self._clock.monotonic(), 0.0),
            )
            result = from_runtime(invocation.outcome.result())
            reset = None if done == "next" else "runtime did not ask for its next event"
        elif which == "exit":
            result, reset = self._exit_result(request_id), "runtime exited"
        elif which == "stop":
            result, reset = self._stopped_result(request_id, finished - started), "stopped"
        else:
            result, reset = self._timeout_result(request_id, finished - started), "timeout"
        if reset:
            await self._reset_runtime()
        duration_ms = (finished - started) * 1000
        if result.status == "timeout":
            duration_ms = min(duration_ms, timeout_s * 1000.0)
        return self._complete(request_id, result, duration_ms, init, cold, invocation_type, reset)

    def _complete(
        self,
        request_id: str,
        result: Result,
        duration_ms: float,
        init: InitOutcome | None,
        cold: bool,
        invocation_type: InvocationType,
        reset: str | None,
    ) -> Served:
        init_ms = init.duration_ms if init else None
        memory = self.config.memory_mb
        self._note_peak()
        if result.error_type == "Runtime.OutOfMemory":
            self._last_peak = memory
        report = Report(
            request_id=request_id,
            duration_ms=duration_ms,
            billed_duration_ms=billed_duration_ms(duration_ms, init_ms),
            memory_size_mb=memory,
            max_memory_used_mb=min(self._last_peak, memory),
            init_duration_ms=init_ms,
            status=result.status,
            error_type=result.error_type,
        )
        for line in result.log_lines:
            self._log(line)
        if self._reader:
            self._reader.flush()
        notice = self._invocation_log.dropped_notice()
        if notice:
            self._invocation_log.keep(notice)
            self._log_platform(notice)
        report_text = logformat.report_line(report)
        for line in (logformat.end_line(request_id), report_text):
            self._invocation_log.keep(line)
            self._log_platform(line)
        tail = self._invocation_log.tail()
        self._invocation_log.end()
        self.invocations += 1
        self.last_used = self._clock.monotonic()
        self._emit(
            InvocationCompleted,
            request_id=request_id,
            env_id=self.env_id,
            report=report,
            architecture=self.config.architecture,
            ephemeral_storage_mb=self.config.ephemeral_storage_mb,
            function_error=result.function_error,
            invocation_type=invocation_type,
            initialization_type=self.initialization_type,
        )
        if reset:
            self._emit(EnvironmentReset, env_id=self.env_id, reason=reset)
        elif self.state == EnvState.BUSY:
            self._move(EnvState.IDLE)
        return Served(request_id, result.payload, result.function_error, report, tail, cold)

    async def _finish_failed_init(
        self,
        request_id: str,
        init: InitOutcome,
        started: float,
        invocation_type: InvocationType,
    ) -> Served:
        duration_ms = (self._clock.monotonic() - started) * 1000
        if init.status == "timeout":
            result = self._timeout_result(request_id, duration_ms / 1000)
        else:
            error_type = init.error_type or "Runtime.Unknown"
            result = Result(
                payload=init.error_body or error_body("Init failed", error_type),
                function_error="Unhandled",
                status="error",
                error_type=error_type,
            )
        return self._complete(
            request_id, result, duration_ms, None, True, invocation_type, "init failed"
        )

    def _exit_result(self, request_id: str) -> Result:
        assert self._exit is not None
        exit_info = self._exit.result()
        error_type = "Runtime.OutOfMemory" if exit_info.oom_killed else "Runtime.ExitError"
        message = (
            f"RequestId: {request_id} Error: Runtime exited with error: {exit_info.describe()}"
        )
        return Result(
            payload=error_body(message, error_type),
            function_error="Unhandled",
            status="error",
            error_type=error_type,
            log_lines=(message, error_type),
        )

    def _timeout_result(self, request_id: str, elapsed_s: float) -> Result:
        message = logformat.timeout_message(self._clock.real_now(), request_id, elapsed_s)
        return Result(
            payload=error_body(message, "Sandbox.Timedout"),
            function_error="Unhandled",
            status="timeout",
            error_type="Sandbox.Timedout",
            log_lines=(message,),
        )

    def stop_invocation(self, request_id: str) -> bool:
        """End the running invocation request_id the way a timeout does (the runtime is
        reset, the next invocation starts cold); False if it is not running here."""
        if self.running_request != request_id:
            return False
        self._stop_requested.set()
        return True

    def _stopped_result(self, request_id: str, elapsed_s: float) -> Result:
        message = logformat.stopped_message(self._clock.now(), request_id, elapsed_s)
        return Result(
            payload=error_body(message, STOPPED_ERROR_TYPE),
            function_error="Unhandled",
            status="error",
            error_type=STOPPED_ERROR_TYPE,
            log_lines=(message,),
        )

    # ----- freeze, thaw, stop -------------------------------------------------------------
    async def freeze(self) -> None:
        """Suspend the environment if it is still idle and unreserved (AWS freezes it)."""
        async with self._control:
            sandbox = self._sandbox
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
            sandbox, exit_ = self._sandbox, self._exit
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
        exit_ = self._exit
        if exit_ is not None and not exit_.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(exit_), DEATH_NOTICE_S)
        if not self.alive:
            return  # noticed meanwhile
        if exit_ is not None and exit_.done():
            self._reap_dead()
        elif not alive_is_fine:
            self._fail(message)

    def _exited(self, sandbox: Sandbox) -> None:
        """The runtime ended. Idle and unclaimed, it died on its own: reap it now."""
        idle = self.state in (EnvState.IDLE, EnvState.FROZEN)
        if self._sandbox is sandbox and idle and not self.reserved:
            self._reap_dead()

    def _reap_dead(self) -> None:
        """Reap an environment whose runtime died while idle; its next invocation goes cold."""
        self._move(EnvState.REAPED)
        self._emit(EnvironmentReaped, env_id=self.env_id, reason="died")
        task = asyncio.ensure_future(self._release_resources())
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

    def _note_peak(self) -> None:
        """Remember the runtime's peak memory; Lambda reports the environment's peak."""
        peak = self._sandbox.peak_memory_mb() if self._sandbox else None
        self._last_peak = max(peak or 0, self._last_peak)

    async def _stop_sandbox(self) -> None:
        self._note_peak()  # before the runtime and its figures are gone
        sandbox, self._sandbox = self._sandbox, None
        if self._reader:
            self._reader.close()
            self._reader = None
        if sandbox is not None:
            with contextlib.suppress(SandboxError):
                await sandbox.kill()
        if self._exit is not None and not self._exit.done():
            self._exit.cancel()

    async def _reset_runtime(self) -> None:
        """Stop the runtime; the environment waits, CREATED, for its next (cold) invocation.

        The Runtime API forgets everything of the runtime that was: a /next it left pending,
        an event it was never given, the invocation it held.
        """
        if self.alive:
            self._move(EnvState.RESETTING)
        await self._stop_sandbox()
        if self._server:
            self._server.reset()
        if self.state == EnvState.RESETTING:
            self._move(EnvState.CREATED)

    async def _release_resources(self) -> None:
        await self._stop_sandbox()
        await self._backend.release(self.env_id)  # /tmp outlives resets, not this
        if self._server:
            await self._server.close()
            self._server = None

    async def shutdown(self, reason: Literal["idle", "shutdown", "replaced"]) -> None:
        """Stop the runtime and the Runtime API endpoint for good."""
        async with self._control:
            if self._cleanup:
                await asyncio.gather(*self._cleanup, return_exceptions=True)
            if self.state == EnvState.REAPED:
                await self._release_resources()
                return
            was_failed = self.state == EnvState.FAILED
            self._move(EnvState.REAPED)
            await self._release_resources()
            if not was_failed:
                self._emit(EnvironmentReaped, env_id=self.env_id, reason=reason)
