"""LambdaService: the local Lambda service's async API (deploy, invoke, queue, reap).

Runs on one asyncio loop; the desktop app shares that loop through qasync and only
observes `service.bus`. Its environments, per function version, are environment_pools.py's;
provisioned concurrency is provisioned.py's.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.core import errors
from workbench.core.async_queue import AsyncInvoker, RetryPolicy
from workbench.core.clock import Clock, SystemClock
from workbench.core.concurrency import AccountLimit, ConcurrencyGate, machine_account_limit
from workbench.core.destinations import DestinationRouter
from workbench.core.environment import EnvironmentGone
from workbench.core.environment_pools import EnvironmentPools
from workbench.core.event_store import EventStore
from workbench.core.events import (
    EventBus,
    InvocationQueued,
    InvocationThrottled,
    InvocationType,
)
from workbench.core.lifecycle import DEFAULT_IDLE_TIMEOUT_S
from workbench.core.model import ConfigError, FunctionConfig
from workbench.core.outcomes import Served
from workbench.core.provisioned import ProvisionedPools
from workbench.core.sandbox import Backend, SandboxError
from workbench.core.scratch import scratch_dir
from workbench.core.versions import LATEST, PROVISIONED_ON_LATEST, Resolved, Version, VersionStore

# An invocation that finds its warm environment dead goes cold on a new one; a second dead
# one in a row means something bigger is wrong (the engine), and the error says so.
DEAD_ENVIRONMENT_RETRIES = 2
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # API_Invoke: 6 MB request for synchronous invocations
ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # 1 MB for asynchronous ones (256 KB before 2025)
ON_DEMAND_INIT_LIMIT_S = 10.0
ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # two retries, 1 min then 2 min (invocation-async)

InvocationResult = Served


@dataclass(frozen=True)
class _Request:
    """One invocation as asked for."""

    name: str
    payload: bytes
    invocation_type: InvocationType
    request_id: str | None = None
    client_context: str | None = None
    tenant_id: str | None = None
    qualifier: str | None = None


class LambdaService(EnvironmentPools, ProvisionedPools):
    """The local Lambda service: functions, their environment pools, and invocations."""

    def __init__(
        self,
        backend: Backend,
        *,
        bus: EventBus | None = None,
        clock: Clock | None = None,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
        init_limit_s: float = ON_DEMAND_INIT_LIMIT_S,
        async_retry_delays_s: Sequence[float] = ASYNC_RETRY_DELAYS_S,
        retry_policy: RetryPolicy | None = None,
        account_limit: AccountLimit | None = None,
        versions_root: Path | None = None,
        event_store: EventStore | None = None,
    ) -> None:
        super().__init__(
            backend, bus or EventBus(), clock or SystemClock(), idle_timeout_s, init_limit_s
        )
        self.gate = ConcurrencyGate(account_limit or machine_account_limit())
        policy = retry_policy or RetryPolicy(error_delays_s=tuple(async_retry_delays_s))
        self.destinations = DestinationRouter(self.invoke_event)
        self._async = AsyncInvoker(
            self._run_event,
            self._disabled,
            self.destinations,
            self.bus,
            self.clock,
            policy,
            store=event_store,
            slots=self.gate.account.limit,
        )
        self._functions: dict[str, FunctionConfig] = {}
        self._replace_retry_at: dict[str, float] = {}
        # Our own snapshot folder is removed on close (and by a later run if we die first).
        root = versions_root if versions_root is not None else scratch_dir("versions")
        self._own_versions_root = None if versions_root is not None else root
        self.versions = VersionStore(root)
        self._closed = False
        self.events_resumed = 0  # async events taken over from an earlier run

    # ----- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Start the reaper; call once on the loop that will run the service."""
        self._start_reaper()

    async def close(self) -> None:
        """Stop everything: queued invocations, environments, the backend."""
        self._closed = True
        await self._shut_down_pools()
        await self.backend.close()
        if self._own_versions_root is not None:
            await asyncio.to_thread(shutil.rmtree, self._own_versions_root, True)

    async def __aenter__(self) -> LambdaService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----- functions -------------------------------------------------------------------
    def deploy(self, config: FunctionConfig) -> None:
        """Create or update a function; an update retires its environments, as on AWS.

        Raises ConfigError when its reserved concurrency does not fit the account's limit, or
        when it asks for provisioned concurrency, which AWS puts on versions and aliases only
        (put_provisioned_concurrency).
        """
        self.gate.configure(config)  # a reservation the account cannot give: refused first
        if config.provisioned_concurrency:
            self.gate.configure(
                self._functions.get(config.name) or replace(config, reserved_concurrency=None)
            )
            # AWS keeps provisioned environments for published versions and aliases only.
            raise ConfigError(
                "provisioned concurrency",
                f"{PROVISIONED_ON_LATEST} Publish a version (or an alias) and put provisioned "
                "concurrency on it (PutProvisionedConcurrencyConfig with Qualifier=1 or the "
                "alias); invocations of that qualifier then land on warm environments.",
            )
        old_pool = self._pools.get((config.name, LATEST), [])
        self._functions[config.name] = config
        self._pools[(config.name, LATEST)] = []
        for env in old_pool:
            if env.retire():  # else its running invocation finishes first; reaped on release
                self._spawn_shutdown(env, "replaced")
        self.backend.prepare(config)
        self.resume_events({config.name})  # events an earlier run accepted for it

    def _disabled(self, name: str) -> bool:
        config = self._functions.get(name)
        return config is not None and config.reserved_concurrency == 0

    def function(self, name: str) -> FunctionConfig:
        try:
            return self._functions[name]
        except KeyError:
            raise errors.not_found(name) from None

    def functions(self) -> list[FunctionConfig]:
        return list(self._functions.values())

    # ----- invoking --------------------------------------------------------------------
    def validate_payload(self, name: str, payload: bytes, limit: int = SYNC_PAYLOAD_LIMIT) -> None:
        """Refuse what AWS refuses before running anything (also the DryRun check)."""
        self.function(name)
        if len(payload) > limit:
            raise errors.too_large(len(payload), limit)
        if payload.strip():
            try:
                json.loads(payload)
            except (ValueError, UnicodeDecodeError) as exc:
                raise errors.invalid_json(str(exc)) from None

    async def invoke(
        self,
        name: str,
        payload: bytes = b"{}",
        *,
        client_context: str | None = None,
        tenant_id: str | None = None,
        qualifier: str | None = None,
    ) -> InvocationResult:
        """Invoke synchronously (RequestResponse); returns once the REPORT is written.

        qualifier: None or $LATEST, a version number, or an alias.
        """
        self.validate_payload(name, payload)
        self.resolve(name, qualifier)  # an unknown qualifier is refused before anything runs
        payload = payload if payload.strip() else b"{}"
        return await self._run(
            _Request(name, payload, "RequestResponse", None, client_context, tenant_id, qualifier)
        )

    def reap_idle(self) -> int:
        """Shut down environments idle too long (the reaper's tick), and start replacements
        for provisioned environments that were lost."""
        reaped = super().reap_idle()
        self.replace_lost_provisioned()
        return reaped

    def resolve(self, name: str, qualifier: str | None = None) -> Resolved:
        """What `name:qualifier` runs; ResourceNotFoundException if nothing."""
        try:
            return self.versions.resolve(self.function(name), qualifier)
        except LookupError:
            raise errors.not_found(f"{name}:{qualifier}") from None

    def publish_version(self, name: str, description: str = "") -> Version:
        """Snapshot $LATEST's code and configuration as the next numbered version."""
        return self.versions.publish(self.function(name), description)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Point an alias at a version (ConfigError / LookupError when invalid)."""
        self.function(name)
        self.versions.set_alias(name, alias, version)
        self._match_provisioned(name)  # an alias's provisioned concurrency moves with it

    async def invoke_event(
        self, name: str, payload: bytes = b"{}", *, qualifier: str | None = None
    ) -> str:
        """Queue an asynchronous (Event) invocation; returns its request id at once.

        With an event store the event is on disk before this returns (nothing accepted is
        lost); it resumes after a restart through resume_events().
        """
        self.validate_payload(name, payload, ASYNC_PAYLOAD_LIMIT)
        self.resolve(name, qualifier)
        request_id = str(uuid.uuid4())
        body = payload if payload.strip() else b"{}"
        event = self._async.accept(name, body, request_id, qualifier)
        self.bus.publish(
            InvocationQueued(at=self.clock.now(), function=name, request_id=request_id)
        )
        self._spawn(self._async.handle(self.function(name), event))
        return request_id

    def resume_events(self, names: set[str] | None = None) -> int:
        """Deliver events an earlier run accepted and did not finish; returns how many.

        deploy() calls it for the function it deploys; events of functions not deployed
        stay stored. `events_resumed` counts them all.
        """
        events = self._async.resume(set(self._functions) if names is None else names)
        for event in events:
            self._spawn(self._async.handle(self.function(event.function), event))
        self.events_resumed += len(events)
        return len(events)

    @property
    def event_store(self) -> EventStore | None:
        """Where accepted async events are kept (its opener closes it after close())."""
        return self._async.store

    def pending_events(self) -> int:
        """Accepted asynchronous events not finished yet."""
        return self._async.pending()

    async def _run_event(
        self, name: str, payload: bytes, request_id: str, qualifier: str | None
    ) -> InvocationResult:
        return await self._run(_Request(name, payload, "Event", request_id, qualifier=qualifier))

    async def _run(self, request: _Request) -> InvocationResult:
        """Admit (or throttle) one invocation, then serve it in an environment."""
        if self._closed:
            raise errors.service_error("The service is shutting down")
        self.function(request.name)
        throttle = self.gate.try_admit(request.name)
        if throttle is not None:
            self.bus.publish(
                InvocationThrottled(
                    at=self.clock.now(),
                    function=request.name,
                    request_id=request.request_id or str(uuid.uuid4()),
                    reason=throttle.reason,
                    invocation_type=request.invocation_type,
                )
            )
            raise errors.throttled(throttle.reason, throttle.message)
        try:
            with self.clock.real_time():
                return await self._serve(request)
        finally:
            self.gate.release(request.name)

    async def _serve(self, request: _Request) -> InvocationResult:
        target = self.resolve(request.name, request.qualifier)
        for attempt in range(DEAD_ENVIRONMENT_RETRIES + 1):
            env = self._acquire(target)
            try:
                return await env.serve(
                    request.payload,
                    init_limit_s=self._init_limit(env),
                    invocation_type=request.invocation_type,
                    request_id=request.request_id,
                    client_context=request.client_context,
                    tenant_id=request.tenant_id,
                    invoked_arn=target.invoked_arn,
                )
            except EnvironmentGone as exc:
                # It died while idle (already reaped): as on AWS, the invocation goes cold.
                if attempt == DEAD_ENVIRONMENT_RETRIES:
                    raise errors.service_error(f"The execution environment failed: {exc}") from exc
            except SandboxError as exc:
                raise errors.service_error(f"The execution environment failed: {exc}") from exc
            finally:
                self._release(env)
        raise AssertionError("unreachable")  # the loop returns or raises
