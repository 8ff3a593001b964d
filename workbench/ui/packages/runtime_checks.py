"""Whether a runtime and a function folder fit together, in the words a learner can act on."""

from __future__ import annotations

import os

from workbench import runtimes
from workbench.core.model import FunctionConfig

# The files each runtime family looks for: Node.js also loads ES modules and CommonJS files.
_EXTENSIONS = {"python": (".py", "/__init__.py"), "nodejs": (".js", ".mjs", ".cjs")}


def folder_problem(config: FunctionConfig) -> str | None:
    """Why the folder cannot run on its runtime (its entry point is missing), or None."""
    if config.image:
        return None  # an image function carries its code and runtime inside the image
    runtime = runtimes.get(config.runtime)
    root = config.code_dir
    if runtime.family == "provided":
        bootstrap = root / "bootstrap"
        if not bootstrap.is_file():
            return (
                f"{runtime.name} runs the folder's own ./bootstrap executable, and this folder "
                "has none (see sample_functions/shell-custom)"
            )
        if not os.access(bootstrap, os.X_OK):
            return "./bootstrap is not executable: run chmod +x bootstrap"
        return None
    module = config.handler.rsplit(".", 1)[0]
    if runtime.family == "python":
        module = module.replace(".", "/")
    candidates = [module + ext for ext in _EXTENSIONS[runtime.family]]
    if any((root / candidate).is_file() for candidate in candidates):
        return None
    return (
        f"{runtime.name} looks for the handler {config.handler} in {candidates[0]}, "
        f"and the folder has no such file: choose another runtime or handler"
    )
