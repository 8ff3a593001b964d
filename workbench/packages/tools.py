"""What the package and runtime UI needs from outside ui/: handed in by the composition root.

The UI never talks to Docker itself (STYLE.md: ui never imports backends); app.py builds a
PackageTools for the backend it chose. Every callable here blocks: call it from a Job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench import runtimes
from workbench.core.model import FunctionConfig
from workbench.runtimes import Offer

Progress = Callable[[str], None]
NO_DOCKER = (
    "No Docker engine is in use: image builds need the Docker backend "
    "(start Docker, e.g. scripts/setup-docker.sh, then restart the workbench)"
)


@dataclass(frozen=True)
class PackageTools:
    """The active backend's name and the blocking calls the package UI may make."""

    backend: str
    offers: Callable[[], list[Offer]]
    # runtime name, progress → the image it runs in; None when there is no Docker engine
    build_runtime_image: Callable[[str, Progress], str] | None = None
    # code folder, progress → the config that runs the built image
    build_function_image: Callable[[Path, Progress], FunctionConfig] | None = None
    docker_missing: str = NO_DOCKER

    def unavailable(self, runtime: runtimes.Runtime) -> str:
        """Why a runtime that is not offered cannot run on this backend."""
        if self.backend == "docker":
            return "this machine can neither find nor build its image"
        return runtimes.process_availability(runtime) or "this backend cannot start it"


def tools_for(backend: str) -> PackageTools:
    """Tools for a backend with no Docker engine at hand (the process backend, tests)."""
    return PackageTools(backend, offers=lambda: runtimes.offered(backend))
