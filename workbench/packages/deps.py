"""Installing a function's requirements.txt into its package with `pip install --target`."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from workbench.packages.limits import PackageError
from workbench.runtimes.host import pip_python

Progress = Callable[[str], None]
DEFAULT_INDEX = "https://pypi.org/simple/"
INDEX_PROBE_TIMEOUT_S = 3.0  # an index that does not answer in 3 s is treated as absent
REQUIREMENTS = "requirements.txt"


def has_requirements(code_dir: Path) -> bool:
    """Whether the folder has a requirements.txt naming at least one requirement."""
    path = code_dir / REQUIREMENTS
    if not path.is_file():
        return False
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return any(lines)


def index_url() -> str:
    """The package index pip would use: PIP_INDEX_URL, pip's configuration, or PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"].split()[0]
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        if key.endswith(".index-url") and not key.endswith("extra-index-url"):
            return value.strip().strip("'\"").split()[0]
    return DEFAULT_INDEX


def index_problem(url: str | None = None, timeout: float = INDEX_PROBE_TIMEOUT_S) -> str | None:
    """None when the package index answers quickly, else why it cannot be used."""
    if os.environ.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes", "on"):
        return "pip is configured with no index (PIP_NO_INDEX)"
    url = url or index_url()
    if url.startswith("file://"):
        return None if Path(url[len("file://") :]).exists() else f"{url} does not exist"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None  # it answered: an index that refuses HEAD is still there
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{url} did not answer within {timeout:.0f} s ({reason})"


def pip_command(
    requirements: Path, target: Path, wheels: Path | None, python_version: str | None
) -> list[str]:
    """The pip command that installs `requirements` into `target`."""
    command = [
        pip_python(), "-m", "pip", "install", "--target", str(target), "-r", str(requirements),
        "--no-compile",  # /var/task is read-only on Lambda; bytecode would only add size
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
    ]  # fmt: skip
    if wheels is not None:
        command += ["--no-index", "--find-links", str(wheels)]
    if python_version and python_version != f"{sys.version_info[0]}.{sys.version_info[1]}":
        # The runtime's Python differs from ours: ask for wheels built for it, as AWS advises.
        command += ["--python-version", python_version, "--only-binary=:all:"]
    return command


def install_requirements(
    code_dir: Path,
    target: Path,
    *,
    wheels: Path | None = None,
    python_version: str | None = None,
    progress: Progress = lambda line: None,
) -> None:
    """Install the folder's requirements.txt into `target`, streaming pip's output."""
    if wheels is not None and not wheels.is_dir():
        raise PackageError(f"the wheel folder {wheels} does not exist", "dependencies")
    if wheels is None:
        problem = index_problem()
        if problem is not None:
            raise PackageError(
                f"{REQUIREMENTS} lists dependencies, but no package index is reachable "
                f"({problem}) and no local wheel folder was given: pass --wheels DIR with "
                "the wheels, or connect to an index",
                "dependencies",
            )
    command = pip_command(code_dir / REQUIREMENTS, target, wheels, python_version)
    source = f"wheels in {wheels}" if wheels else "the package index"
    progress(f"Installing {REQUIREMENTS} from {source}…")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=code_dir
    )
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        progress(f"  {line.rstrip()}")
        tail = [*tail[-15:], line.rstrip()]
    if process.wait() != 0:
        raise PackageError(
            f"pip could not install {REQUIREMENTS} (exit {process.returncode}):\n"
            + "\n".join(tail),
            "dependencies",
        )
