"""Whether a runtime and a function folder fit together, in the words a learner can act on."""

from __future__ import annotations

from workbench import runtimes
from workbench.core.model import FunctionConfig


def folder_problem(config: FunctionConfig) -> str | None:
    """Why the folder cannot run on its runtime (its entry point is missing), or None."""
    if config.image:
        return None  # an image function carries its code and runtime inside the image
    runtime = runtimes.get(config.runtime)
    return runtime.lang.folder_problem(runtime, config)
