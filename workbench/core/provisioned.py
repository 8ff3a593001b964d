"""Provisioned concurrency: environments kept initialised for published versions and aliases.

As on AWS, it is put on a version or an alias, never on $LATEST (PutProvisionedConcurrency-
Config answers InvalidParameterValueException); an alias's configuration follows the alias
when it moves. Requests for that qualifier land on the provisioned environments first and
spill over to on-demand ones. The capacity is billed while configured (provisioned_billing).

A mixin of LambdaService: it manages the service's per-version environment pools.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from workbench.core import errors
from workbench.core.clock import Clock
from workbench.core.concurrency import ConcurrencyGate
from workbench.core.environment import Environment
from workbench.core.model import FunctionConfig
from workbench.core.versions import (
    LATEST,
    ProvisionedConfig,
    Resolved,
    VersionStore,
    check_provisioned_request,
)

REPLACE_BACKOFF_S = 10.0  # between rounds of replacing lost provisioned environments


class ProvisionedPools:
    """Provisioned concurrency for LambdaService (which provides the members declared here)."""

    versions: VersionStore
    gate: ConcurrencyGate
    clock: Clock
    _pools: dict[tuple[str, str], list[Environment]]
    _functions: dict[str, FunctionConfig]
    _replace_retry_at: dict[str, float]  # per function: no new replacements before then

    # Provided by LambdaService (function, resolve) and EnvironmentPools (the rest), which
    # come before this class in LambdaService's bases.
    def function(self, name: str) -> FunctionConfig:
        raise NotImplementedError

    def resolve(self, name: str, qualifier: str | None = None) -> Resolved:
        raise NotImplementedError

    def _new_environment(
        self, config: FunctionConfig, initialization_type: str, version: str = LATEST
    ) -> Environment:
        raise NotImplementedError

    async def _provision(self, env: Environment) -> None:
        raise NotImplementedError

    def _discard(self, env: Environment, reason: str) -> None:
        raise NotImplementedError

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        raise NotImplementedError

    def put_provisioned_concurrency(
        self, name: str, qualifier: str | None, count: int
    ) -> ProvisionedConfig:
        """Keep `count` environments initialised for a version or alias, as on AWS.

        Raises InvokeError: InvalidParameterValueException on $LATEST or for a count the
        reservation or the account cannot hold; ResourceNotFoundException for an unknown
        version or alias.
        """
        config = self.function(name)
        target = self.resolve(name, qualifier)
        room = config.reserved_concurrency
        if room is None:
            room = self.gate.unreserved_pool - self.gate.account.unreserved_minimum
        check_provisioned_request(self.versions.provisioned(name), qualifier, count, room)
        assert qualifier is not None
        provisioned = ProvisionedConfig(name, qualifier, target.version, count, self.clock.now())
        self.versions.set_provisioned(provisioned)
        self._match_provisioned(name)
        return provisioned

    def delete_provisioned_concurrency(self, name: str, qualifier: str) -> None:
        """Stop keeping environments for a qualifier (ResourceNotFoundException if none)."""
        self.function(name)
        if self.versions.remove_provisioned(name, qualifier) is None:
            raise errors.not_found(f"provisioned concurrency config for {name}:{qualifier}")
        self._match_provisioned(name)

    def provisioned_ready(self, name: str, qualifier: str) -> int:
        """Provisioned environments of a qualifier's version that are initialised."""
        version = self.resolve(name, qualifier).version
        return sum(
            1
            for env in self._pools.get((name, version), [])
            if env.alive
            and env.initialization_type == "provisioned-concurrency"
            and env.initialised
        )

    def replace_lost_provisioned(self) -> None:
        """Start a replacement for every provisioned environment that died or failed: Lambda
        keeps the configured count, without waiting for an invocation or a deployment. At
        most one round of replacements a function every REPLACE_BACKOFF_S, so that a runtime
        that cannot start (the engine is away) is not retried in a tight loop."""
        now = self.clock.monotonic()
        for name in list(self._functions):
            if now >= self._replace_retry_at.get(name, 0.0) and self._match_provisioned(name):
                self._replace_retry_at[name] = now + REPLACE_BACKOFF_S

    def _match_provisioned(self, name: str) -> int:
        """Start or retire provisioned environments so each version has what is configured;
        how many were started."""
        started = 0
        for version in self.versions.versions(name):
            key = (name, str(version.number))
            wanted = self.versions.provisioned_for_version(name, key[1])
            pool = self._pools.setdefault(key, [])
            kept = [
                e
                for e in pool
                if e.alive and e.initialization_type == "provisioned-concurrency" and not e.retiring
            ]
            for _ in range(wanted - len(kept)):
                env = self._new_environment(version.config, "provisioned-concurrency", key[1])
                self._spawn(self._provision(env))
                started += 1
            for env in kept[wanted:]:
                if env.retire():
                    self._discard(env, "replaced")
        return started
