"""Provisioned concurrency as the app offers it: on a published version behind alias `live`.

AWS refuses provisioned concurrency on $LATEST ("Provisioned Concurrency Configs cannot be
applied to unpublished function versions"), so when a learner asks for N provisioned
environments the app does what the console makes them do by hand: publish the code as a new
version, point alias `live` at it, keep N environments initialised there, and invoke `live`.
The controller calls it and says in words what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

LIVE_ALIAS = "live"


@dataclass(frozen=True)
class LiveAlias:
    """What the app now invokes, and a sentence for the learner."""

    qualifier: str | None  # None: $LATEST
    message: str


def for_latest(config: FunctionConfig) -> FunctionConfig:
    """The configuration $LATEST is deployed with: never provisioned (AWS refuses it)."""
    return config.with_changes(provisioned_concurrency=0)


def sync(service: LambdaService, config: FunctionConfig) -> LiveAlias:
    """Publish and provision behind `live` when the config asks for provisioned concurrency,
    else remove it from `live`. Raises InvokeError / ConfigError as the service does."""
    name, wanted = config.name, config.provisioned_concurrency
    on_live = [p for p in service.versions.provisioned(name) if p.qualifier == LIVE_ALIAS]
    if wanted <= 0:
        if on_live:
            service.delete_provisioned_concurrency(name, LIVE_ALIAS)
            return LiveAlias(
                None, "Provisioned concurrency removed from alias live; invoking $LATEST."
            )
        return LiveAlias(None, "")
    version = service.publish_version(
        name, "published by the workbench for provisioned concurrency"
    )
    service.set_alias(name, LIVE_ALIAS, version.number)
    service.put_provisioned_concurrency(name, LIVE_ALIAS, wanted)
    return LiveAlias(
        LIVE_ALIAS,
        f"Published version {version.number}, pointed alias live at it and keep {wanted} "
        "environment(s) initialised there; the app now invokes live. (Provisioned concurrency "
        "serves only a version or alias, never $LATEST.)",
    )
