"""The catalogue: every runtime the workbench knows, by AWS's name and by our image's name."""

from __future__ import annotations

import re

from workbench.core.model import RUNTIMES
from workbench.runtimes.nodejs import NODEJS
from workbench.runtimes.provided import PROVIDED
from workbench.runtimes.python import PYTHON
from workbench.runtimes.runtime import LanguageFamily, Runtime

# Adding a language: a family module like nodejs.py, its bootstrap in shim/, a sample, and
# an entry here (and its names in core.model.RUNTIMES).
FAMILIES: tuple[LanguageFamily, ...] = (PYTHON, NODEJS, PROVIDED)


def family_of(name: str) -> LanguageFamily:
    """The family a runtime name belongs to; ValueError naming the known runtimes."""
    for family in FAMILIES:
        if family.owns(name):
            return family
    raise ValueError(f"{name!r} is not a known runtime: use one of {', '.join(RUNTIMES)}")


CATALOGUE: dict[str, Runtime] = {name: family_of(name).runtime(name) for name in RUNTIMES}


def get(name: str) -> Runtime:
    """The runtime called `name`; ValueError naming the known ones otherwise."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ValueError(
            f"{name!r} is not a known runtime: use one of {', '.join(RUNTIMES)}"
        ) from None


def runtime_for_image(image: str) -> Runtime | None:
    """The runtime one of our images carries (lambda-workbench/nodejs:20 → nodejs20.x)."""
    for runtime in CATALOGUE.values():
        if runtime.image == image:
            return runtime
    return None


def listing_order(runtime: Runtime) -> tuple[int, tuple[int, ...]]:
    """Families in their order (Python, Node.js, custom); oldest version first within each."""
    version = tuple(int(part) for part in re.findall(r"\d+", runtime.version))  # al2 < al2023
    return runtime.lang.order, version
