"""Choose the backend: Docker when an engine and the runtime image are there, else processes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

from workbench.backends.process import ProcessBackend, sweep_orphans
from workbench.core.model import DEFAULT_RUNTIME, RUNTIMES, FunctionConfig
from workbench.core.sandbox import Backend
from workbench.runtimes import CATALOGUE
from workbench.runtimes import get as get_runtime

BackendChoice = Literal["auto", "docker", "process"]


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class Selection:
    backend: Backend
    reason: str


def _docker_selection(
    image: str | None, runtime: str | None = None, prepare: FunctionConfig | None = None
) -> Selection:
    """Blocking: connect to the engine, find the runtime image, sweep orphans.

    prepare: a function whose first container starts now, while the orphans are swept and
    the caller goes on starting up, so that its first invocation finds it running.
    """
    from workbench.backends.docker import DockerBackend
    from workbench.backends.images import docker_client_or_none, find_runtime_image

    client = docker_client_or_none()
    if client is None:
        raise BackendUnavailable(
            "no Docker engine found — start one with scripts/setup-docker.sh "
            "(or install Docker), or use --backend process"
        )
    choice = find_runtime_image(client)
    if choice is None:
        raise BackendUnavailable(
            "Docker is running but the runtime image is missing — build it with "
            "`lambda-workbench image build` (about 40 s), or use --backend process"
        )
    backend = DockerBackend(client, choice.name)
    if prepare is not None:
        backend.prepare(prepare)
    swept = backend.sweep_orphans()
    reason = f"Docker engine found; {_runs_in(client, choice, image, runtime)}"
    if swept:
        reason += f"; removed {swept} container(s) left by an earlier run"
    return Selection(backend, reason)


def _runs_in(client: Any, python: Any, image: str | None, runtime: str | None) -> str:
    """What the function's environments run in: its own image, its runtime's image, or the
    Python image the backend was started with (never the Python image for a Node.js function)."""
    from workbench.backends.images import image_status

    if image:
        return f"running image {image}"
    found = get_runtime(runtime) if runtime in RUNTIMES else None
    if found is None:  # the function is not known yet: name every runtime's image that is here
        others = [
            f"{r.name} in {r.image}"
            for r in CATALOGUE.values()
            if r.name not in (DEFAULT_RUNTIME, "provided.al2") and image_status(client, r) == ""
        ]
        return f"{DEFAULT_RUNTIME} runs in {python.name} ({python.detail})" + (
            f"; {', '.join(others)}" if others else ""
        )
    if found.name == DEFAULT_RUNTIME:
        return f"{found.name} runs in {python.name} ({python.detail})"
    status = image_status(client, found)
    if status == "":
        return f"{found.name} runs in {found.image}"
    return (
        f"{found.name} runs in {found.image}, which is missing: {status or 'cannot be built here'}"
    )


async def select_backend(
    choice: BackendChoice = "auto", image: str | None = None, runtime: str | None = None
) -> Selection:
    """The backend to run environments on, and a sentence saying why it was chosen."""
    return await asyncio.to_thread(choose_backend, choice, image, runtime)


def choose_backend(
    choice: BackendChoice = "auto",
    image: str | None = None,
    runtime: str | None = None,
    prepare: FunctionConfig | None = None,
) -> Selection:
    """Blocking select_backend, safe on any thread and before an event loop runs.

    prepare: a function to provision ahead (Backend.prepare) as soon as the backend exists.
    """
    if choice == "process":
        if image:
            raise BackendUnavailable("--image needs the Docker backend")
        selection = _process_selection("chosen with --backend process", "as requested")
    else:
        try:
            return _docker_selection(image, runtime, prepare)
        except BackendUnavailable as exc:
            if choice == "docker" or image:
                raise
            reason = str(exc).split(" — ")[0]
            selection = _process_selection(reason, f"{exc}; using local processes")
    if prepare is not None:
        selection.backend.prepare(prepare)
    return selection


def _process_selection(short_reason: str, reason: str) -> Selection:
    swept = sweep_orphans()
    if swept:
        reason += f"; stopped {swept} runtime process(es) left by an earlier run"
    return Selection(ProcessBackend(reason=short_reason), reason)
