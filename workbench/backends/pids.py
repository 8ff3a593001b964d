"""Leftovers of runs that died: is their process alive, and removing their scratch folders.

Containers carry their owner's pid in a label and runtime processes in an argument; the
folders a run creates carry it in their name (core/scratch.py). A folder may hold a mounted
/tmp filesystem (backends/docker_tmp.py): it is unmounted before anything is deleted, so a
removal never reaches through a mount point.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from workbench.core.scratch import leftover_scratch_dirs, pid_alive

__all__ = ["mounts_under", "pid_alive", "remove_leftover_folders", "unmount"]


def _unescape(field: str) -> str:
    """/proc/self/mountinfo escapes space, tab, newline and backslash as octal."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


MOUNTINFO = Path("/proc/self/mountinfo")


def mounts_under(folder: Path, mountinfo_path: Path = MOUNTINFO) -> list[Path]:
    """Mount points at or below folder, deepest first."""
    root = str(folder.resolve())
    points: list[Path] = []
    try:
        with open(mountinfo_path, encoding="utf-8") as mountinfo:
            for line in mountinfo:
                point = _unescape(line.split()[4])
                if point == root or point.startswith(root + "/"):
                    points.append(Path(point))
    except OSError:
        return []
    return sorted(points, key=lambda p: len(p.parts), reverse=True)


def unmount(point: Path) -> bool:
    """Unmount (lazily if busy); a loop device mounted with -o loop is freed with it."""
    for command in (["umount", str(point)], ["umount", "-l", str(point)]):
        try:
            done = subprocess.run(command, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if done.returncode == 0:
            return True
    return False


def remove_leftover_folders(bases: list[Path] | None = None) -> int:
    """Remove the scratch folders of dead runs (unmounting first); returns how many."""
    removed = 0
    for folder in leftover_scratch_dirs(bases):
        for point in mounts_under(folder):
            unmount(point)
        if mounts_under(folder):
            continue  # could not unmount: never delete through a mount
        shutil.rmtree(folder, ignore_errors=True)
        removed += not folder.exists()
    return removed
