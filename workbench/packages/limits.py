"""Lambda's package size limits (gettingstarted-limits.html) and the errors that name them."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.core.model import ConfigError

MB = 1024 * 1024  # Lambda's "MB" in these quotas is a mebibyte: 50 MB = 52,428,800 bytes
ZIPPED_LIMIT = 50 * MB  # a .zip uploaded directly (not through S3)
UNZIPPED_LIMIT = 250 * MB  # the function's code and all its layers, extracted
# A direct upload travels base64-encoded in the request: 50 MB of .zip is this many bytes, the
# number in AWS's RequestEntityTooLargeException ("Request must be smaller than 69905067 bytes
# for the UpdateFunctionCode operation", e.g. localstack/localstack#2999).
REQUEST_LIMIT = 69_905_067
CONSOLE_EDITOR_LIMIT = 3 * MB  # larger packages cannot be edited in the console
IMAGE_LIMIT = 10 * 1024 * MB  # a container image, uncompressed

# Never part of a package: caches and version control. Bytecode is left out because
# /var/task is read-only on Lambda, so Python recompiles in memory anyway.
EXCLUDED_DIRS = frozenset(
    {
        *("__pycache__", ".git", ".hg", ".svn", ".venv"),
        *(".mypy_cache", ".pytest_cache", ".ruff_cache", ".aws-sam"),
    }
)
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# SAM's own files (`export` writes template.yaml into the folder) deploy the code, not run it.
EXCLUDED_NAMES = frozenset({".DS_Store", "template.yaml", "samconfig.toml"})


class PackageError(ConfigError):
    """A package is malformed, unsafe or too large; the message says which rule it breaks."""

    def __init__(self, message: str, setting: str = "package") -> None:
        super().__init__(setting, message)
        self.message = message


def size_text(size: int) -> str:
    """A size as the limits are written: bytes below 1 KB, then KB and MB."""
    return f"{size:,} B" if size < 1024 else megabytes(size)


def megabytes(size: int) -> str:
    """A size the way the limits are written, e.g. '61.2 MB' (small ones in KB)."""
    if size < MB // 10:
        return f"{size / 1024:,.1f} KB"
    return f"{size / MB:,.1f} MB"


def check_zipped(size: int, operation: str = "UpdateFunctionCode") -> None:
    """Refuse a .zip over the 50 MB direct-upload limit, in AWS's words, then ours."""
    if size > ZIPPED_LIMIT:
        raise PackageError(
            f"Request must be smaller than {REQUEST_LIMIT} bytes for the {operation} operation: "
            f"the package is {megabytes(size)} zipped; Lambda allows {ZIPPED_LIMIT // MB} MB "
            "for a direct upload (larger ones go through S3)"
        )


def check_unzipped(code: int, layers: int = 0) -> None:
    """Refuse code plus layers over the 250 MB unzipped limit."""
    total = code + layers
    if total > UNZIPPED_LIMIT:
        # AWS names the room the layers leave (e.g. "smaller than 255174947 bytes").
        detail = f" ({megabytes(code)} code + {megabytes(layers)} layers)" if layers else ""
        raise PackageError(
            f"Unzipped size must be smaller than {UNZIPPED_LIMIT - layers} bytes: the function "
            f"is {megabytes(total)} unzipped{detail}; Lambda allows {UNZIPPED_LIMIT // MB} MB "
            "unzipped, layers included"
        )


def check_image(size: int) -> None:
    """Refuse a container image over 10 GB."""
    if size > IMAGE_LIMIT:
        raise PackageError(
            f"the image is {size / (1024 * MB):,.2f} GB; Lambda allows 10 GB for a container image",
            "image",
        )


def excluded(relative: Path) -> bool:
    """Whether a file (a path relative to the package root) is left out of packages."""
    if any(part in EXCLUDED_DIRS for part in relative.parts[:-1]):
        return True
    return relative.name in EXCLUDED_NAMES or relative.name.endswith(EXCLUDED_SUFFIXES)


def package_files(root: Path) -> list[Path]:
    """The files a package of `root` holds, relative and in a stable (sorted) order."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS)
        for name in files:
            relative = (Path(folder) / name).relative_to(root)
            if not excluded(relative) and (Path(folder) / name).is_file():
                found.append(relative)
    return sorted(found, key=lambda p: p.as_posix())


def folder_size(root: Path) -> int:
    """Bytes of the files a package of `root` would hold."""
    return sum((root / relative).stat().st_size for relative in package_files(root))
