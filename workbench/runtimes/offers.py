"""Which runtimes to list for a backend, and what each still needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.runtimes.catalogue import CATALOGUE
from workbench.runtimes.runtime import Runtime

# For Docker: "" when a runtime's image is here, a note on how to build it, or None when this
# machine can neither find nor build it (backends/images.py answers).
ImageStatus = Callable[[Runtime], "str | None"]


@dataclass(frozen=True)
class Offer:
    """A runtime as the app lists it for a backend; `note` says what is missing, if anything."""

    runtime: Runtime
    ready: bool
    note: str = ""


def process_availability(runtime: Runtime) -> str | None:
    """None when the process backend can run this runtime here, else why not."""
    return runtime.lang.process_availability(runtime)


def offered(backend: str, image_status: ImageStatus | None = None) -> list[Offer]:
    """The runtimes to list for a backend: each Python and Node.js this machine (or its images)
    has, plus the custom runtime. Docker runtimes whose image can still be built are listed,
    not ready, with the command that builds them."""
    offers: list[Offer] = []
    for runtime in CATALOGUE.values():
        if runtime.name == "provided.al2":
            continue  # listed once, as provided.al2023; provided.al2 is accepted in function.toml
        if backend == "docker":
            status = image_status(runtime) if image_status is not None else None
            if status is not None:
                offers.append(Offer(runtime, status == "", status))
        elif process_availability(runtime) is None:
            offers.append(Offer(runtime, True))
    return offers
