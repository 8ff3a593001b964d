"""The runtimes the workbench offers: the one home of what each language's runtime is.

A runtime is only a program that speaks the Runtime API: our Python bootstrap, our Node.js
bootstrap, or — for a custom runtime (`provided.*`) — the function's own `bootstrap`
executable. The names are AWS's identifiers (`core.model.RUNTIMES`); each language family
(python.py, nodejs.py, provided.py) answers for its files, commands, image and highlighting.
Backends and the UI ask here; this package asks neither of them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.core.model import FunctionConfig
from workbench.runtimes.catalogue import (
    CATALOGUE,
    FAMILIES,
    family_of,
    get,
    listing_order,
    runtime_for_image,
)
from workbench.runtimes.host import host_node, host_python
from workbench.runtimes.nodejs import NODE_BOOTSTRAP_PATH, NODE_MISSING
from workbench.runtimes.offers import Offer, offered, process_availability
from workbench.runtimes.provided import NO_BOOTSTRAP, NOT_EXECUTABLE
from workbench.runtimes.runtime import (
    SHIM_IN_CONTAINER,
    ImageContents,
    LanguageFamily,
    Runtime,
    image_prefix,
)

__all__ = [
    "CATALOGUE",
    "FAMILIES",
    "NODE_BOOTSTRAP_PATH",
    "NODE_MISSING",
    "NOT_EXECUTABLE",
    "NO_BOOTSTRAP",
    "SHIM_IN_CONTAINER",
    "ImageContents",
    "LanguageFamily",
    "Offer",
    "Runtime",
    "container_command",
    "editor_file",
    "family_of",
    "get",
    "host_node",
    "host_python",
    "image_prefix",
    "lexer_for_file",
    "listing_order",
    "offered",
    "process_availability",
    "process_command",
    "runtime_for_image",
]


def process_command(
    config: FunctionConfig, extra_arguments: Sequence[str] = (), python: str = sys.executable
) -> list[str]:
    """The command line of the function's runtime process; SandboxError when this machine
    can't run it. extra_arguments (the owner marker) go last; our bootstraps ignore them."""
    runtime = get(config.runtime)
    return runtime.lang.process_command(runtime, config, extra_arguments, python)


def container_command(runtime: Runtime) -> list[str]:
    """The command that starts this runtime inside its image (shim mounted at /var/runtime)."""
    return runtime.lang.container_command(runtime)


def lexer_for_file(path: Path) -> str:
    """The pygments lexer for one of a function's files: by its family's extensions, a custom
    runtime's bootstrap as shell, events as JSON, function.toml as TOML; else plain text."""
    path = Path(path)
    for family in FAMILIES:
        if path.suffix in family.extensions or family.owns_file(path):
            return family.lexer
    return {".json": "json", ".toml": "toml"}.get(path.suffix, "text")


def editor_file(config: FunctionConfig) -> Path:
    """The file the code editor opens for a function: index.mjs, lambda_function.py, bootstrap."""
    return get(config.runtime).lang.editor_file(config)
