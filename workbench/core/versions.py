"""Function versions and aliases: immutable snapshots of code and configuration, and names for them.

Publishing copies the code, so editing the function later changes only `$LATEST`, as on AWS.
An alias points at one version; invoking through it shows the alias in the ARN the handler
sees (`context.invoked_function_arn`) while `context.function_version` is the version.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.core.errors import InvokeError
from workbench.core.model import ConfigError, FunctionConfig

LATEST = "$LATEST"
# AWS's answer to PutProvisionedConcurrencyConfig on $LATEST (InvalidParameterValueException;
# quoted in hashicorp/terraform-provider-aws#12120).
PROVISIONED_ON_LATEST = (
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
)
_ALIAS_RE = re.compile(r"^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Version:
    """A published version: its number and the configuration whose code it snapshots."""

    number: int
    config: FunctionConfig
    description: str = ""


@dataclass(frozen=True)
class ProvisionedConfig:
    """Provisioned concurrency put on a version or an alias (never on $LATEST)."""

    function: str
    qualifier: str  # the version number or alias it was put on
    version: str  # the version whose environments it keeps initialised
    requested: int
    last_modified: float  # epoch seconds


@dataclass(frozen=True)
class Resolved:
    """What a qualifier names: the version to run and the ARN the caller used."""

    version: str
    config: FunctionConfig
    invoked_arn: str


class VersionStore:
    """Versions and aliases of every function, with code snapshots under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._versions: dict[str, list[Version]] = {}
        self._aliases: dict[tuple[str, str], int] = {}
        self._provisioned: dict[tuple[str, str], ProvisionedConfig] = {}

    def publish(self, config: FunctionConfig, description: str = "") -> Version:
        """Snapshot the function's code and configuration as the next version number."""
        versions = self._versions.setdefault(config.name, [])
        number = len(versions) + 1
        snapshot = self.root / config.name / str(number)
        if snapshot.exists():
            shutil.rmtree(snapshot)
        shutil.copytree(
            config.code_dir, snapshot, ignore=shutil.ignore_patterns("__pycache__", ".git")
        )
        version = Version(number, replace(config, code_dir=snapshot), description)
        versions.append(version)
        return version

    def versions(self, name: str) -> list[Version]:
        return list(self._versions.get(name, []))

    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Create or move an alias; versions must exist and alias names must not be numbers."""
        if not _ALIAS_RE.match(alias) or alias == LATEST:
            raise ConfigError(
                "alias",
                f"{alias!r} is not a valid alias name: letters, digits, - and _, not all digits",
            )
        self._version(name, version)
        self._aliases[(name, alias)] = version

    def set_provisioned(self, config: ProvisionedConfig) -> None:
        self._provisioned[(config.function, config.qualifier)] = config

    def remove_provisioned(self, name: str, qualifier: str) -> ProvisionedConfig | None:
        return self._provisioned.pop((name, qualifier), None)

    def provisioned(self, name: str) -> list[ProvisionedConfig]:
        """A function's provisioned concurrency configurations, by version then qualifier."""
        found = [c for (fn, _), c in self._provisioned.items() if fn == name]
        return sorted(found, key=lambda c: (int(c.version), c.qualifier))

    def provisioned_for_version(self, name: str, version: str) -> int:
        """Environments to keep initialised for a version: its own and its aliases' configs.

        An alias's configuration follows the alias when it moves to another version.
        """
        total = 0
        for config in self.provisioned(name):
            current = config.qualifier if config.qualifier.isdigit() else None
            if current is None:
                number = self._aliases.get((name, config.qualifier))
                current = str(number) if number is not None else None
            if current == version:
                total += config.requested
        return total

    def aliases(self, name: str) -> dict[str, int]:
        return {alias: v for (fn, alias), v in self._aliases.items() if fn == name}

    def _version(self, name: str, number: int) -> Version:
        versions = self._versions.get(name, [])
        if not 1 <= number <= len(versions):
            raise LookupError(f"{name} has no version {number}")
        return versions[number - 1]

    def resolve(self, latest: FunctionConfig, qualifier: str | None) -> Resolved:
        """The version a qualifier ($LATEST, a number, an alias) names; LookupError if none."""
        if qualifier in (None, ""):
            return Resolved(LATEST, latest, latest.arn)
        arn = f"{latest.arn}:{qualifier}"
        if qualifier == LATEST:
            return Resolved(LATEST, latest, arn)
        if qualifier.isdigit():
            return Resolved(qualifier, self._version(latest.name, int(qualifier)).config, arn)
        number = self._aliases.get((latest.name, qualifier))
        if number is None:
            raise LookupError(f"{latest.name} has no alias {qualifier}")
        return Resolved(str(number), self._version(latest.name, number).config, arn)


def check_provisioned_request(
    existing: list[ProvisionedConfig], qualifier: str | None, count: int, room: int
) -> None:
    """Raise InvalidParameterValueException for what PutProvisionedConcurrencyConfig refuses.

    room: what the function's reserved concurrency (or else the account's unreserved pool,
    less what must stay unreserved) can hold, for all its qualifiers together.
    """
    if qualifier in (None, "", LATEST):
        raise _invalid(PROVISIONED_ON_LATEST)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise _invalid(f"ProvisionedConcurrentExecutions must be a whole number ≥ 1, got {count!r}")
    total = count + sum(c.requested for c in existing if c.qualifier != qualifier)
    if total > room:
        raise _invalid(
            f"Requested provisioned concurrency ({total} for the function in total) exceeds "
            f"what its concurrency allows ({room}: the reserved concurrency, or the account's "
            "unreserved concurrency less what must stay unreserved)"
        )


def _invalid(message: str) -> InvokeError:
    return InvokeError(400, "InvalidParameterValueException", message)
