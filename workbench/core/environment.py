"""One execution environment serving invocations, one at a time: init (cold, ahead of time
for provisioned concurrency, or retried inside the invoke phase), invoke, END and REPORT.

Its lifecycle (claims, freeze and thaw, reaping, shutdown) is environment_lifecycle.py's.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Literal

from workbench.core import logformat
from workbench.core.billing import billed_duration_ms
from workbench.core.clock import Clock
from workbench.core.environment_lifecycle import EnvironmentGone, EnvironmentLifecycle
from workbench.core.events import (
    EnvironmentReset,
    Event,
    InitCompleted,
    InitFailed,
    InitStarted,
    InvocationCompleted,
    InvocationStarted,
    InvocationType,
    Report,
)
from workbench.core.failed_invocations import (
    exit_result,
    failed_init_result,
    stopped_result,
    timeout_result,
)
from workbench.core.lifecycle import EnvState, IllegalTransition
from workbench.core.model import FunctionConfig
from workbench.core.outcomes import (
    InitOutcome,
    Result,
    Served,
    error_body,
    from_runtime,
    trace_id,
)
from workbench.core.runtime_api import PendingInvocation
from workbench.core.sandbox import Backend, SandboxError
from workbench.core.waiting import first_of

__all__ = ["EnvState", "Environment", "EnvironmentGone", "IllegalTransition"]


class Environment(EnvironmentLifecycle):
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
        super().__init__(env_id, config, backend, publish, clock)
        self.version = version
        self.initialization_type = initialization_type
        self.last_used = clock.monotonic()
        self.invocations = 0
        # ----- stop (the learner's Stop button): ends the running invocation like a timeout
        self.running_request: str | None = None
        self._stop_requested = asyncio.Event()

    # ----- init ------------------------------------------------------------------------
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
            await self._runtime.start(self.config, self.initialization_type, self.version)
        except SandboxError as exc:
            self._fail(str(exc))
            raise
        except Exception as exc:  # e.g. OSError from a spawn: never leave it half-initialised
            self._fail(f"the runtime could not be started: {exc}")
            raise SandboxError(f"the runtime could not be started: {exc}") from exc
        started = self._clock.monotonic()
        which = await self._runtime.wait_ready(limit_s)
        duration_ms = (self._clock.monotonic() - started) * 1000
        if which == "next":
            assert self._runtime.sandbox is not None
            await self._guard(self._runtime.sandbox.after_init())
            self._emit(InitCompleted, env_id=self.env_id, init_duration_ms=duration_ms, phase=phase)
            return InitOutcome("success", duration_ms)
        if which == "error":
            error = self._runtime.init_error()
            outcome = InitOutcome("error", duration_ms, error.error_type, error.body)
        elif which == "exit":
            text = f"Runtime exited with error: {self._runtime.exit_info().describe()}"
            outcome = InitOutcome(
                "error", duration_ms, "Runtime.ExitError", error_body(text, "Runtime.ExitError")
            )
        else:
            outcome = InitOutcome("timeout", duration_ms, None)
        self._runtime.flush_logs()
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
        exit_ = self._runtime.exit
        assert exit_ is not None
        self._stop_requested.clear()
        self.running_request = request_id
        self._runtime.deliver(invocation)
        try:
            which = await first_of(
                {
                    "outcome": invocation.outcome,
                    "exit": exit_,
                    "stop": self._stop_requested.wait(),
                },
                timeout=deadline - self._clock.monotonic(),
            )
        finally:
            self.running_request = None
        finished = self._clock.monotonic()
        if which == "outcome":
            # The invocation ends when the runtime asks for its next event.
            done = await self._runtime.wait_next(max(deadline - self._clock.monotonic(), 0.0))
            result = from_runtime(invocation.outcome.result())
            reset = None if done == "next" else "runtime did not ask for its next event"
        elif which == "exit":
            result, reset = exit_result(request_id, self._runtime.exit_info()), "runtime exited"
        elif which == "stop":
            elapsed_s = finished - started
            result = stopped_result(self._clock.now(), request_id, elapsed_s)
            reset = "stopped"
        else:
            elapsed_s = finished - started
            result = timeout_result(self._clock.real_now(), request_id, elapsed_s)
            reset = "timeout"
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
        self._runtime.note_peak()
        if result.error_type == "Runtime.OutOfMemory":
            self._runtime.peak_mb = memory
        report = Report(
            request_id=request_id,
            duration_ms=duration_ms,
            billed_duration_ms=billed_duration_ms(duration_ms, init_ms),
            memory_size_mb=memory,
            max_memory_used_mb=min(self._runtime.peak_mb, memory),
            init_duration_ms=init_ms,
            status=result.status,
            error_type=result.error_type,
        )
        for line in result.log_lines:
            self._log(line)
        self._runtime.flush_logs()
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
        real_now = self._clock.real_now()
        result = failed_init_result(init, real_now, request_id, duration_ms / 1000)
        return self._complete(
            request_id, result, duration_ms, None, True, invocation_type, "init failed"
        )

    def stop_invocation(self, request_id: str) -> bool:
        """End the running invocation request_id the way a timeout does (the runtime is
        reset, the next invocation starts cold); False if it is not running here."""
        if self.running_request != request_id:
            return False
        self._stop_requested.set()
        return True
