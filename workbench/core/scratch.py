"""Scratch folders that name their owning process, so a later run can tell leftovers apart.

Every folder a run creates outside the project (container slots, each environment's /tmp,
version snapshots) is called `lambda-workbench-<kind>-<pid>-<random>`. When a run dies
without cleaning up (killed, power cut), the next run removes the folders whose owner is
no longer alive and leaves those of live runs alone: other sessions share this machine.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

SCRATCH_PREFIX = "lambda-workbench-"
_NAME_RE = re.compile(rf"^{re.escape(SCRATCH_PREFIX)}(?P<kind>[a-z]+)-(?P<pid>\d+)-[^/]+$")


def pid_alive(pid: int) -> bool:
    """True for a running (not zombie) process, or one we may not signal."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def scratch_bases() -> list[Path]:
    """Where scratch folders live: the temp folder, and /var/tmp for large files (on disk)."""
    bases = [Path(tempfile.gettempdir())]
    var_tmp = Path("/var/tmp")
    if var_tmp.is_dir() and os.access(var_tmp, os.W_OK) and var_tmp not in bases:
        bases.append(var_tmp)
    return bases


def scratch_dir(kind: str, base: Path | None = None) -> Path:
    """A new private folder owned by this process, e.g. lambda-workbench-slot-4242-k3j2."""
    if not kind.isalpha() or not kind.islower():
        raise ValueError(f"scratch kind must be lowercase letters, not {kind!r}")
    prefix = f"{SCRATCH_PREFIX}{kind}-{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=str(base) if base else None))


def scratch_owner(path: Path) -> int | None:
    """The pid a scratch folder's name records, or None for any other name."""
    match = _NAME_RE.match(path.name)
    return int(match["pid"]) if match else None


def leftover_scratch_dirs(bases: list[Path] | None = None) -> list[Path]:
    """Scratch folders (not symlinks) whose owning process is gone."""
    found: list[Path] = []
    for base in bases if bases is not None else scratch_bases():
        try:
            entries = list(base.iterdir())
        except OSError:
            continue
        for entry in entries:
            owner = scratch_owner(entry)
            if owner is None or entry.is_symlink() or not entry.is_dir():
                continue
            if not pid_alive(owner):
                found.append(entry)
    return found
