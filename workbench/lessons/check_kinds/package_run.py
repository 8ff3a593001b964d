"""Runners of the check kinds about deployment packages and layers (declared in package.py):
returns_with_layers, package_fits; and lesson_layer, which the thumbnail check uses too.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.core.errors import InvokeError
from workbench.core.model import ConfigError
from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import describe_error, error_of, short
from workbench.packages.layers import LayerVersion, layers_size, list_layers, publish_layer
from workbench.packages.limits import (
    CONSOLE_EDITOR_LIMIT,
    MB,
    UNZIPPED_LIMIT,
    ZIPPED_LIMIT,
    PackageError,
    megabytes,
    package_files,
)
from workbench.packages.zips import build_zip

_NO_MODULE = re.compile(r"No module named '([^'.]+)")
_UNPUBLISHED = re.compile(r"layer (\S+) is not published")
SHOWN_FILES = 8


def _same_files(content: Path, folder: Path) -> bool:
    """Whether a published layer's content holds exactly the folder's package files."""
    files = package_files(folder)
    if files != package_files(content):
        return False
    return all((content / f).read_bytes() == (folder / f).read_bytes() for f in files)


def lesson_layer(name: str, folder: Path) -> LayerVersion:
    """The version of `name` that holds exactly `folder`'s files, published if none does."""
    if not folder.is_dir():
        raise PackageError(f"the lesson's layer folder {folder} is missing", "layer")
    for version in list_layers(name):
        if _same_files(version.content, folder):
            return version
    return publish_layer(name, folder)


async def publish_lesson_layers(ctx: CheckContext, params: Mapping[str, Any]) -> list[LayerVersion]:
    """Publish (or find) every layer the check's `publish` table names; in a thread."""
    wanted = dict(params.get("publish", {}))

    def run() -> list[LayerVersion]:
        return [lesson_layer(name, ctx.lesson.folder / sub) for name, sub in wanted.items()]

    return await asyncio.to_thread(run)


def _provides(layer: LayerVersion, module: str) -> bool:
    """Whether a layer puts `module` where Lambda's Python finds it (/opt/python)."""
    python = layer.content / "python"
    return (python / f"{module}.py").is_file() or (python / module / "__init__.py").is_file()


def _code_files(ctx: CheckContext) -> str:
    files = [p.as_posix() for p in package_files(ctx.code_dir)]
    shown = ", ".join(files[:SHOWN_FILES]) + (", …" if len(files) > SHOWN_FILES else "")
    return shown or "no files"


def _missing_module(ctx: CheckContext, module: str, lessons: list[LayerVersion]) -> Outcome:
    """Feedback for an import of a module that is neither in the package nor in its layers."""
    refs = ctx.service.function(ctx.name).layers
    files = _code_files(ctx)
    has = next((layer for layer in lessons if _provides(layer, module)), None)
    fields = {
        "module": module,
        "files": files,
        "layers": ", ".join(refs) or "none",
        "layer": has.ref if has else "",
        "got": "an error",
        "expected": "",
        "path": "",
        "error": f"No module named '{module}'",
    }
    where = f"the function's package (it holds {files})"
    if refs:
        where += f" nor in its layers ({', '.join(refs)})"
    else:
        where += ", and the function has no layers"
    missing = f"Your code imports `{module}`, which is neither in {where}"
    if not refs:
        missing = f"Your code imports `{module}`, which is not in {where}"
    if has is None:
        return failed(missing, **fields)
    if has.ref in refs:  # the layer is there, yet the import failed: not our diagnosis
        return failed(f"Your code could not import `{module}` from the layer {has.ref}", **fields)
    fix = (
        f'The layer {has.ref} has python/{module}.py: add layers = ["{has.ref}"] to '
        "function.toml (Lambda extracts layers into /opt and puts /opt/python on the path), "
        f"or copy {module}.py into your folder, next to the handler"
    )
    return failed(f"{missing}. {fix}", **fields)


def _other_versions(ctx: CheckContext, lessons: list[LayerVersion]) -> str:
    """A note when the function names another version of a lesson layer than the lesson's."""
    ours = {layer.name: layer for layer in lessons}
    notes = []
    for ref in ctx.service.function(ctx.name).layers:
        name, _, version = ref.rpartition(":")
        name = name.rpartition(":")[2]  # NAME:N, or the end of an ARN
        layer = ours.get(name)
        if layer is not None and version != str(layer.version):
            notes.append(f"{ref} is not the lesson's layer, which is {layer.ref}")
    return f" (note: {'; '.join(notes)})" if notes else ""


def _unpublished(ref: str, lessons: list[LayerVersion]) -> Outcome:
    ours = ", ".join(f'"{layer.ref}"' for layer in lessons)
    hint = f"; the lesson's layer is {ours}" if ours else ""
    return failed(
        f"Your function.toml names the layer version {ref}, which is not published here{hint}. "
        "A layer version exists only once published, and its number never changes",
        module="",
        files="",
        layers=ref,
        layer=ours,
        got="an error",
        expected="",
        path="",
        error=f"layer {ref} is not published",
    )


async def returns_with_layers(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    lessons = await publish_lesson_layers(ctx, params)
    try:
        served = await ctx.invoke(ctx.payload(params))
    except InvokeError as exc:
        match = _UNPUBLISHED.search(exc.message)
        if match:
            return _unpublished(match.group(1), lessons)
        raise
    if served.function_error:
        _, message = error_of(served)
        match = _NO_MODULE.search(message)
        if match:
            outcome = _missing_module(ctx, match.group(1), lessons)
            note = _other_versions(ctx, lessons)
            return failed(outcome.detail + note, **outcome.fields) if note else outcome
        error = describe_error(served)
        return failed(f"The invocation failed: {error}", error=error, got="an error")
    value = json.loads(served.payload)
    problem = compare(value, params)
    if problem is not None:
        note = _other_versions(ctx, lessons)
        return failed(problem.detail + note, **problem.fields) if note else problem
    refs = ctx.service.function(ctx.name).layers
    where = f" (layers: {', '.join(refs)})" if refs else " (no layers: all in the package)"
    return passed(f"It returned {short(value)}{where}")


async def package_fits(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    await publish_lesson_layers(ctx, params)
    refs = ctx.service.function(ctx.name).layers
    with tempfile.TemporaryDirectory(prefix="lesson-package-") as tmp:
        out = Path(tmp) / f"{ctx.name}.zip"
        try:
            info = await asyncio.to_thread(build_zip, ctx.code_dir, out)
            in_layers = layers_size(refs)
        except ConfigError as exc:  # PackageError included: its message names the rule
            reason = exc.message if isinstance(exc, PackageError) else str(exc)
            return failed(f"`lambda-workbench package build` refuses it: {reason}")
    names = [entry.name for entry in info.entries]
    fields = {
        "files": ", ".join(names[:SHOWN_FILES]) + (", …" if len(names) > SHOWN_FILES else ""),
        "zipped": megabytes(info.zipped_size),
        "unzipped": megabytes(info.unzipped_size),
        "layers": megabytes(in_layers),
    }
    layers = f" + {fields['layers']} in layers ({', '.join(refs)})" if refs else ""
    summary = (
        f"The .zip holds {len(names)} file(s) at its root ({fields['files']}): "
        f"{fields['zipped']} zipped, {fields['unzipped']} unzipped{layers}"
    )
    if params.get("console_editable") and not info.console_editable:
        return failed(
            f"{summary}. That is over the console editor's {CONSOLE_EDITOR_LIMIT // MB} MB: "
            "move dependencies into a layer to keep the code editable",
            **fields,
        )
    limits = f"within {ZIPPED_LIMIT // MB} MB zipped and {UNZIPPED_LIMIT // MB} MB unzipped"
    editor = "; the console's editor could show it" if info.console_editable else ""
    return passed(f"{summary}: {limits}{editor}", **fields)
