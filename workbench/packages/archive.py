"""Reading and writing .zip archives safely: reproducible output, no zip-slip, no zip bombs."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import platformdirs

from workbench.packages.limits import (
    UNZIPPED_LIMIT,
    PackageError,
    check_unzipped,
    package_files,
)

APP_NAME = "lambda-workbench"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: same input, same bytes
CHUNK = 1024 * 1024


def data_dir(*parts: str) -> Path:
    """A folder under the workbench's data folder (XDG_DATA_HOME on Linux), created."""
    path = Path(platformdirs.user_data_dir(APP_NAME)).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Entry:
    """One file in an archive."""

    name: str
    size: int
    compressed: int
    executable: bool


def write_zip(files: Iterable[tuple[str, Path]], out: Path) -> None:
    """Write (name in archive, source file) pairs into `out` in order, with fixed timestamps."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in files:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.create_system = 3  # Unix, so the permission bits below are honoured
            executable = os.access(source, os.X_OK)
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with source.open("rb") as reader, archive.open(info, "w") as writer:
                shutil.copyfileobj(reader, writer, CHUNK)


def folder_members(root: Path) -> list[tuple[str, Path]]:
    """A folder's package files as (name in archive, source file), in sorted order."""
    return [(relative.as_posix(), root / relative) for relative in package_files(root)]


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a .zip, refusing anything that is not one."""
    if not path.is_file():
        raise PackageError(f"{path} does not exist")
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path} is not a .zip archive")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{path} is not a readable .zip archive: {exc}") from None


def safe_name(name: str) -> PurePosixPath:
    """The member's path if it stays inside the extraction folder; refuses zip-slip paths."""
    normalised = name.replace("\\", "/")
    path = PurePosixPath(normalised)
    if path.is_absolute() or ".." in path.parts or (normalised[1:2] == ":"):
        raise PackageError(
            f"the archive holds {name!r}, a path outside the package folder (zip-slip); "
            "Lambda refuses such archives and so does the workbench"
        )
    return path


def entries(archive: zipfile.ZipFile) -> list[Entry]:
    """The files of an archive (folders left out), each path checked for zip-slip."""
    found = []
    for info in archive.infolist():
        safe_name(info.filename)
        if not info.is_dir():
            mode = info.external_attr >> 16
            found.append(
                Entry(info.filename, info.file_size, info.compress_size, bool(mode & 0o111))
            )
    return found


def unzipped_size(archive: zipfile.ZipFile) -> int:
    """The bytes an archive's files take once extracted, as its headers declare."""
    return sum(entry.size for entry in entries(archive))


def file_digest(path: Path) -> str:
    """A short content hash, used to name managed folders (same bytes, same folder)."""
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        for block in iter(lambda: reader.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def extract(archive: zipfile.ZipFile, dest: Path, layers: int = 0) -> None:
    """Extract into `dest` atomically (a temporary sibling renamed at the end).

    `layers` is the unzipped size of the layers the code will run with. Sizes are counted as
    bytes are written, so an archive that lies in its headers cannot fill the disk either.
    """
    if dest.exists():
        return  # managed folders are named by content: already extracted
    check_unzipped(unzipped_size(archive), layers)
    limit = UNZIPPED_LIMIT - layers
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        written = 0
        for info in archive.infolist():
            target = staging.joinpath(*safe_name(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as reader, target.open("wb") as writer:
                while block := reader.read(CHUNK):
                    written += len(block)
                    if written > limit:
                        check_unzipped(written, layers)
                    writer.write(block)
            mode = info.external_attr >> 16
            target.chmod(0o755 if mode & 0o111 else 0o644)
        staging.chmod(0o755)
        try:
            staging.rename(dest)
        except OSError:
            if not dest.exists():  # another process finished first otherwise: keep theirs
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
