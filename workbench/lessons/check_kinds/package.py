"""Check kinds about deployment packages and layers: returns_with_layers, package_fits
(runners: package_run).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.lessons.check_kinds.compare import COMPARE_PARAMS, static_compare
from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

_LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
PUBLISH_PARAM = Field(
    "table",
    "layer name → a folder of the lesson (its content becomes /opt), published before the "
    "check unless a version with that exact content exists",
)


def _static_publish(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for name, folder in dict(params.get("publish", {})).items():
        if not _LAYER_NAME.fullmatch(name):
            found.append((("publish", name), f"{name!r} is not a layer name"))
        if not isinstance(folder, str) or not folder or Path(folder).is_absolute():
            found.append((("publish", name), "give a folder relative to the lesson"))
    return found


RUNNERS = "workbench.lessons.check_kinds.package_run"  # imported when one of these checks runs

RETURNS_WITH_LAYERS = declare(
    "returns_with_layers",
    "Publish the lesson's layer folders (once), then invoke; the response must have the given "
    "type, values and text. A module found in neither the package nor its layers is named, "
    "with the lesson layer that has it.",
    {**EVENT_PARAMS, **COMPARE_PARAMS, "publish": PUBLISH_PARAM},
    ("got", "expected", "path", "error", "module", "files", "layers", "layer"),
    static=lambda p: static_compare(p) + _static_publish(p),
    runner=RUNNERS,
)


PACKAGE_FITS = declare(
    "package_fits",
    "Build the code folder into a .zip as `lambda-workbench package build` does (after "
    "publishing the lesson's layers); it must hold the handler at its root and fit 50 MB "
    "zipped and 250 MB unzipped with its layers, and with console_editable the 3 MB of the "
    "console's code editor.",
    {
        "publish": PUBLISH_PARAM,
        "console_editable": Field("boolean", "the .zip must be at most 3 MB (default false)"),
    },
    ("files", "zipped", "unzipped", "layers"),
    static=_static_publish,
    runner=RUNNERS,
)

KINDS = (
    RETURNS_WITH_LAYERS,
    PACKAGE_FITS,
)
