"""The registry of check kinds: every kind a lesson's checks.toml may name.

Each group of kinds is two modules side by side: `<group>.py` declares the kinds (name,
parameters, template fields, extra validation: all that loading, validating and listing a
lesson need, with light imports), and `<group>_run.py` holds their runners (coroutines named
like the kinds, free to import the engine, aiohttp and the triggers), imported only when a
check runs. So `lessons list` never loads the engine, and the declarations never import the
runners: no import cycle. A new kind is a declaration in a group module and a runner of the
same name in its _run module; a new group is those two files and one entry in GROUPS.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.lessons.check_kinds import (
    bucket,
    config,
    http,
    invoke,
    lifecycle,
    package,
    queue,
    role,
    versions,
)
from workbench.lessons.checks import CheckKind

GROUPS = (invoke, lifecycle, config, http, package, bucket, role, queue, versions)


def kinds() -> Mapping[str, CheckKind]:
    """Every check kind, by name."""
    return {kind.name: kind for group in GROUPS for kind in group.KINDS}
