"""What this machine has: interpreters that really run (a pyenv shim may not)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _version_of(executable: str, arguments: list[str]) -> str | None:
    """What `executable arguments…` prints, or None when it does not run (exit 127 shims)."""
    try:
        done = subprocess.run(
            [executable, *arguments], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def host_node() -> tuple[str, int] | None:
    """(path, major version) of this machine's `node`, or None."""
    node = shutil.which("node")
    if node is None:
        return None
    out = _version_of(node, ["--version"])
    try:
        return (node, int(out.lstrip("v").split(".")[0])) if out else None
    except ValueError:
        return None


def _pyenv_candidates(version: str) -> list[str]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = sorted((root / "versions").glob(f"{version}.*/bin/python{version}"), reverse=True)
    return [str(path) for path in found]


@functools.cache
def _working_python(version: str) -> str | None:
    on_path = shutil.which(f"python{version}")
    for candidate in ([on_path] if on_path else []) + _pyenv_candidates(version):
        if _version_of(candidate, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]) == (
            version
        ):
            return candidate
    return None


def base_interpreter(executable: str = sys.executable) -> str:
    """The interpreter a virtualenv's python stands for: its site-packages are not Lambda's."""
    if executable == sys.executable:
        return getattr(sys, "_base_executable", None) or executable
    return executable


def host_python(version: str, default: str = sys.executable) -> str | None:
    """An interpreter of this Python version that runs: ours if it matches, or pythonX.Y from
    PATH or pyenv's versions folder (a pyenv shim for a version that isn't installed fails)."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return base_interpreter(default)
    return _working_python(version)


def python_missing(version: str) -> str:
    """Which Python is missing, and how to get it."""
    shim = shutil.which(f"python{version}")
    found = (
        f" (python{version} on PATH is {shim}, which does not run: a pyenv shim for a version "
        "that is not installed?)"
        if shim
        else ""
    )
    return (
        f"Python {version} is not installed here{found}. Install it (pyenv install {version}, "
        f"or apt-get install python{version}), use the Docker backend, or choose "
        f"python{sys.version_info[0]}.{sys.version_info[1]}"
    )


@functools.cache
def host_bash() -> str | None:
    """This machine's bash, which runs `#!/bin/sh` bootstraps as Amazon Linux's /bin/sh does."""
    return shutil.which("bash")


@functools.cache
def pip_python() -> str:
    """An interpreter that has pip, to install packages into folders (--target): ours, else the
    interpreter our virtualenv was made from (a uv-made virtualenv has no pip of its own)."""
    for candidate in (sys.executable, base_interpreter()):
        if _version_of(candidate, ["-m", "pip", "--version"]) is not None:
            return candidate
    return sys.executable  # fails with pip's own "No module named pip", which says it all
