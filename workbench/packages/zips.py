""".zip deployment packages: build one from a function folder, inspect one, import one.

What goes in: every file of the folder except caches and version control (limits.py), plus
requirements.txt's dependencies at the root, where Lambda's Python finds them. function.toml
stays in: AWS ignores it, and a local deploy of the .zip then keeps the function's settings.
Importing extracts into DATA/packages/DIGEST/NAME/, named by content, so deploying the same
.zip twice reuses one folder; the function's code folder is then that folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.model import FunctionConfig, load_function
from workbench.packages.archive import (
    Entry,
    data_dir,
    entries,
    extract,
    file_digest,
    folder_members,
    open_zip,
    write_zip,
)
from workbench.packages.deps import has_requirements, install_requirements
from workbench.packages.layers import layers_size
from workbench.packages.limits import (
    CONSOLE_EDITOR_LIMIT,
    PackageError,
    check_unzipped,
    check_zipped,
    folder_size,
)

if TYPE_CHECKING:
    from workbench.core.service import LambdaService

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PackageInfo:
    """A .zip's files and sizes."""

    path: Path
    entries: tuple[Entry, ...]
    zipped_size: int

    @property
    def unzipped_size(self) -> int:
        return sum(entry.size for entry in self.entries)

    @property
    def console_editable(self) -> bool:
        """Whether the console's code editor would still show it (3 MB)."""
        return self.zipped_size <= CONSOLE_EDITOR_LIMIT


def inspect_zip(path: Path) -> PackageInfo:
    """List a .zip's files and sizes, refusing non-zips and zip-slip paths."""
    with open_zip(Path(path)) as archive:
        found = entries(archive)
    return PackageInfo(Path(path), tuple(found), Path(path).stat().st_size)


def handler_problem(names: set[str], config: FunctionConfig) -> str | None:
    """Why the handler's module is missing from a package's file names, or None."""
    if not config.runtime.startswith("python") or "." not in config.handler:
        return None  # other runtimes find their entry point their own way
    module = config.handler.rsplit(".", 1)[0].replace(".", "/")
    candidates = (f"{module}.py", f"{module}/__init__.py", f"{module}.pyc")
    if any(candidate in names for candidate in candidates):
        return None
    return (
        f"the handler {config.handler} needs {candidates[0]} at the root of the package, "
        "and there is none (zip the folder's contents, not the folder itself)"
    )


def build_zip(
    code_dir: Path,
    out: Path,
    *,
    wheels: Path | None = None,
    progress: Progress = lambda line: None,
) -> PackageInfo:
    """Build a function folder (and its requirements) into `out`, checking Lambda's limits."""
    config = load_function(Path(code_dir))
    code_dir, out = config.code_dir, Path(out).resolve()
    members = [(name, source) for name, source in folder_members(code_dir) if source != out]
    problem = handler_problem({name for name, _ in members}, config)
    if problem:
        raise PackageError(problem)
    with tempfile.TemporaryDirectory(prefix="lambda-workbench-build-") as tmp:
        if has_requirements(code_dir):
            deps = Path(tmp) / "deps"
            version = config.runtime.removeprefix("python")
            install_requirements(
                code_dir, deps, wheels=wheels, python_version=version or None, progress=progress
            )
            own = {name for name, _ in members}  # the function's own files win over a dependency
            members += [(n, s) for n, s in folder_members(deps) if n not in own]
            members.sort(key=lambda member: member[0])
        staged = Path(tmp) / "package.zip"
        write_zip(members, staged)
        info = inspect_zip(staged)
        check_zipped(info.zipped_size)
        check_unzipped(info.unzipped_size, layers_size(config.layers))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged, out)
    progress(f"Built {out} ({len(info.entries)} files)")
    return inspect_zip(out)


def import_zip(path: Path, **overrides: Any) -> FunctionConfig:
    """Check and extract a .zip into a managed folder; its config, ready for `service.deploy`.

    Settings come from a function.toml inside the package, then from `overrides`; the
    function is named after the .zip unless one of those names it.
    """
    path = Path(path).resolve()
    info = inspect_zip(path)
    check_zipped(info.zipped_size)
    name = re.sub(r"[^A-Za-z0-9_-]", "-", path.stem)[:64] or "function"
    dest = data_dir("packages", file_digest(path)) / name
    with open_zip(path) as archive:
        extract(archive, dest)
    config = load_function(dest, **overrides)
    problem = handler_problem({entry.name for entry in info.entries}, config)
    if problem:
        raise PackageError(problem)
    check_unzipped(info.unzipped_size, layers_size(config.layers))
    return config


def deploy_zip(service: LambdaService, path: Path, **overrides: Any) -> FunctionConfig:
    """Import a .zip and deploy it: the function's environments are replaced, as on AWS."""
    config = import_zip(path, **overrides)
    service.deploy(config)
    return config


def check_function(config: FunctionConfig) -> None:
    """Refuse a folder function whose code and layers exceed 250 MB unzipped."""
    check_unzipped(folder_size(config.code_dir), layers_size(config.layers))
