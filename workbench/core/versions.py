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

from workbench.core.model import ConfigError, FunctionConfig

LATEST = "$LATEST"
_ALIAS_RE = re.compile(r"^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Version:
    """A published version: its number and the configuration whose code it snapshots."""

    number: int
    config: FunctionConfig
    description: str = ""


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
