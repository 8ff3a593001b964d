"""Is a process still alive? (Used to tell orphans of a dead run from a live run's.)"""

from __future__ import annotations

import os


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
