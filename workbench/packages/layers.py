"""Layers: numbered, immutable versions of a folder or .zip, merged in order into /opt.

A version lives in DATA/layers/NAME/N/ as layer.zip (what was published), content/ (it
extracted) and meta.json. The merged /opt of a list of versions is built once into
DATA/opt/KEY/, KEY naming the exact versions, so environments share it read-only.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.model import ACCOUNT_ID, REGION, layer_version_arn
from workbench.packages.archive import (
    data_dir,
    entries,
    extract,
    file_digest,
    folder_members,
    open_zip,
    write_zip,
)
from workbench.packages.limits import PackageError, check_unzipped, check_zipped

_META_KEYS = {"created", "zipped_size", "unzipped_size", "digest"}
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
_REF_RE = re.compile(
    r"^(?:arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):layer:)?"
    r"(?P<name>[A-Za-z0-9_-]{1,140}):(?P<version>[1-9][0-9]*)$"
)


@dataclass(frozen=True)
class LayerVersion:
    """One published, immutable layer version."""

    name: str
    version: int
    path: Path
    zipped_size: int
    unzipped_size: int
    created: str
    digest: str

    @property
    def arn(self) -> str:
        return layer_version_arn(self.name, self.version)

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"

    @property
    def zip_path(self) -> Path:
        return self.path / "layer.zip"

    @property
    def content(self) -> Path:
        return self.path / "content"


def layers_root() -> Path:
    return data_dir("layers")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise publishers of one layer name, so two never take the same number."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _versions(folder: Path) -> list[int]:
    return sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit())


def publish_layer(name: str, source: Path) -> LayerVersion:
    """Publish a folder (its content becomes /opt) or a .zip as the next version of `name`."""
    if not _NAME_RE.fullmatch(name):
        raise PackageError(
            f"{name!r} is invalid: use 1 to 140 letters, digits, '-' or '_'", "layer"
        )
    source = Path(source).resolve()
    with tempfile.TemporaryDirectory(prefix="lambda-workbench-layer-") as tmp:
        staged = Path(tmp) / "layer.zip"
        if source.is_dir():
            write_zip(folder_members(source), staged)
        else:
            open_zip(source).close()  # refuses what is not a zip before copying it
            shutil.copyfile(source, staged)
        check_zipped(staged.stat().st_size, "PublishLayerVersion")
        with open_zip(staged) as archive:
            if not entries(archive):
                raise PackageError(f"{source} is empty: a layer needs at least one file", "layer")
            folder = layers_root() / name
            with _locked(folder):
                version = (_versions(folder) or [0])[-1] + 1
                target = folder / str(version)
                target.mkdir()
                shutil.copyfile(staged, target / "layer.zip")
                extract(archive, target / "content")
                meta = {
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "source": str(source),
                    "zipped_size": staged.stat().st_size,
                    "unzipped_size": sum(e.size for e in entries(archive)),
                    "digest": file_digest(staged),
                }
                (target / "meta.json").write_text(json.dumps(meta, indent=2), "utf-8")
    return _load(name, version)


def _load(name: str, version: int) -> LayerVersion:
    path = layers_root() / name / str(version)
    try:
        meta = json.loads((path / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not set(meta) >= _META_KEYS:
        raise PackageError(
            f"layer {name}:{version} is not published: publish it with "
            f"`lambda-workbench layer publish {name} DIR|ZIP`",
            "layers",
        )
    return LayerVersion(
        name, version, path, meta["zipped_size"], meta["unzipped_size"], meta["created"],
        meta["digest"],
    )  # fmt: skip


def list_layers(name: str | None = None) -> list[LayerVersion]:
    """Every published version (of one layer, or of all), by name then version."""
    root = layers_root()
    names = [name] if name else sorted(p.name for p in root.iterdir() if p.is_dir())
    found = []
    for layer in names:
        for version in _versions(root / layer):
            with contextlib.suppress(PackageError):  # a half-published version is skipped
                found.append(_load(layer, version))
    return found


def resolve_layer(ref: str) -> LayerVersion:
    """The published version a reference (NAME:N or its ARN) names."""
    match = _REF_RE.fullmatch(ref)
    if not match:
        raise PackageError(f"{ref!r} is not a layer version: write NAME:N", "layers")
    region, account = match.group("region"), match.group("account")
    if (region, account) not in ((None, None), (REGION, ACCOUNT_ID)):
        raise PackageError(
            f"{ref} belongs to another account or region; the workbench's layers are "
            f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:NAME:N",
            "layers",
        )
    return _load(match.group("name"), int(match.group("version")))


def layers_size(refs: tuple[str, ...]) -> int:
    """Bytes the layers take unzipped, which count toward the function's 250 MB."""
    return sum(resolve_layer(ref).unzipped_size for ref in refs)


def opt_dir(refs: tuple[str, ...]) -> Path | None:
    """The folder of the layers merged in order (a later layer's file wins), built once."""
    if not refs:
        return None
    versions = [resolve_layer(ref) for ref in refs]
    check_unzipped(0, sum(v.unzipped_size for v in versions))
    key = hashlib.sha256("|".join(f"{v.ref}:{v.digest}" for v in versions).encode()).hexdigest()
    dest = data_dir("opt") / key[:16]
    if dest.is_dir():
        return dest
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for version in versions:
            shutil.copytree(version.content, staging, dirs_exist_ok=True, symlinks=True)
        staging.chmod(0o755)
        try:
            staging.rename(dest)
        except OSError:
            if not dest.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def stage_installed(modules: tuple[str, ...], into: Path) -> Path:
    """A layer folder (python/…, what Lambda puts on the path from /opt) holding packages
    installed where the workbench runs, with the libraries their wheels bundle (pillow.libs).

    For teaching on this machine only: the copies suit this machine's Python and architecture,
    as a layer built on it would. PackageError naming a module that is not installed.
    """
    import importlib.metadata
    import importlib.util

    target = Path(into) / "python"
    target.mkdir(parents=True, exist_ok=True)
    distributions = importlib.metadata.packages_distributions()
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise PackageError(f"{module} is not installed here to build a layer from", "layer")
        package = Path(next(iter(spec.submodule_search_locations)))
        shutil.copytree(package, target / module, ignore=shutil.ignore_patterns("__pycache__"))
        for distribution in distributions.get(module, []):
            bundled = package.parent / f"{distribution.lower()}.libs"
            if bundled.is_dir():
                shutil.copytree(bundled, target / bundled.name)
    return Path(into)
