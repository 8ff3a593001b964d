"""Deploying a package over an open function: its settings kept, its layers' size counted."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from workbench.core.model import CONFIG_FILE_NAME, FunctionConfig
from workbench.packages.layers import layers_size
from workbench.packages.limits import PackageError, size_text

REPLACES = (
    "Deploying replaces the function's code: its environments are retired and the next invoke "
    "starts cold, as updating a function's code on AWS does."
)


def code_update(current: FunctionConfig, names: set[str]) -> dict[str, Any]:
    """import_zip overrides that keep the function's settings, as update-function-code does.

    A package carrying its own function.toml brings its settings; it still deploys under the
    open function's name, so it replaces that function rather than adding one.
    """
    if CONFIG_FILE_NAME in names:
        return {"name": current.name}
    return {f.name: getattr(current, f.name) for f in fields(current) if f.name != "code_dir"}


def layers_bytes(config: FunctionConfig | None) -> tuple[int, str]:
    """The layers' unzipped bytes and words for the bar ("" when there are none)."""
    if config is None or not config.layers:
        return 0, ""
    try:
        size = layers_size(config.layers)
    except PackageError:
        return 0, " · a layer is not published"
    return size, f" · {size_text(size)} of it in layers"
