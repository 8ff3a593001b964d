"""The runtime folder: what Lambda's runtimes provide beyond the language, for processes.

A Lambda Python runtime can `import boto3` without packaging it, and a Node.js 18+ runtime can
import the AWS SDK v3; nothing else (requests, the workbench's own packages) is there. Docker
images carry these packages themselves; the process backend gets them from this folder, which
the workbench fills once, on first use, from PyPI and npm. LAMBDA_WORKBENCH_RUNTIME_FOLDER
points it elsewhere (tests use a shared cached folder).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from workbench.core.sandbox import SandboxError
from workbench.runtimes.host import pip_python

FOLDER_VARIABLE = "LAMBDA_WORKBENCH_RUNTIME_FOLDER"
COMPLETE_MARK = ".complete"  # written last: a folder without it was interrupted
INSTALL_TIMEOUT_S = 600.0
Progress = Callable[[str], None]


def runtime_folder() -> Path:
    """Where the provided packages live: $LAMBDA_WORKBENCH_RUNTIME_FOLDER, or the user's data
    folder (~/.local/share/lambda-workbench/runtimes)."""
    chosen = os.environ.get(FOLDER_VARIABLE)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambda-workbench" / "runtimes"


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """One installer at a time per folder, across processes (best effort)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    with open(target.parent / f".{target.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(target: Path, what: str, command: list[str], progress: Progress) -> Path:
    """Run an installer into target/ once; SandboxError saying what failed and what to do."""
    if (target / COMPLETE_MARK).is_file():
        return target
    with _locked(target):
        if (target / COMPLETE_MARK).is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        progress(f"Installing {what} into {target} (once; Lambda's runtime provides it)…")
        try:
            done = subprocess.run(
                command,
                cwd=target,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            done = subprocess.CompletedProcess(command, 1, "", str(exc))
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            last = "\n".join((done.stderr or done.stdout).strip().splitlines()[-6:])
            raise SandboxError(
                f"could not install {what} into {target}, which Lambda's runtime provides: "
                f"{last or 'no output'}. Check that the package registry is reachable, set "
                f"{FOLDER_VARIABLE} to a folder that has them, or use the Docker backend"
            )
        (target / COMPLETE_MARK).write_text(" ".join(command) + "\n")
        progress(f"Installed {what}")
    return target


def python_packages(version: str, packages: tuple[str, ...], progress: Progress) -> Path:
    """A folder with `packages` for Python `version`, installed with pip from PyPI if needed."""
    target = runtime_folder() / f"python{version}"
    command = [
        pip_python(), "-m", "pip", "install", "--quiet", "--no-compile",
        "--disable-pip-version-check", "--only-binary=:all:", "--python-version", version,
        "--target", str(target), *packages,
    ]  # fmt: skip
    return _install(target, " ".join(packages), command, progress)


def node_modules(packages: tuple[str, ...], progress: Progress) -> Path:
    """A node_modules folder with `packages`, installed with npm if needed."""
    npm = shutil.which("npm")
    if npm is None:
        raise SandboxError(
            "npm is not installed, so the AWS SDK v3 that Lambda's Node.js runtime provides "
            "cannot be installed: apt-get install npm, or use the Docker backend"
        )
    target = runtime_folder() / "nodejs"
    command = [
        npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(target), *packages
    ]  # fmt: skip
    return _install(target, " ".join(packages), command, progress) / "node_modules"
