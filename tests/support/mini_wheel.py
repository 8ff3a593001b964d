"""Write a tiny pure-Python wheel by hand, so package tests need neither network nor `wheel`."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

MODULE_SOURCE = '''"""A third-party dependency, installed into the package from a local wheel."""

def shout(text):
    return text.upper() + "!"
'''


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def write_wheel(folder: Path, name: str = "wbminidep", version: str = "1.0") -> Path:
    """Write NAME-VERSION-py3-none-any.whl (a package NAME with shout()) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": MODULE_SOURCE.encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: lambda-workbench-tests\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel
