"""scripts/install.sh installs every X library Qt's xcb platform plugin links against.

Without them the app dies on a minimal desktop with "could not load the Qt platform plugin
xcb". The plugin's libraries are listed by ldd and mapped to Debian packages by dpkg; each
xcb/xkb package among them must be in install.sh's list (the rest, libc and friends, come
with every system or as dependencies of the listed ones).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import PySide6
import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = Path(PySide6.__file__).parent / "Qt"
X_PACKAGE = re.compile(r"^lib(xcb|xkbcommon|x11-xcb)")

pytestmark = pytest.mark.skipif(
    shutil.which("dpkg") is None or shutil.which("ldd") is None, reason="needs dpkg and ldd"
)


def listed_in_install_sh() -> set[str]:
    text = (ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
    found: set[str] = set()
    for name in ("QT_LIBS", "XCB_LIBS"):
        match = re.search(rf'^{name}="([^"]*)"', text, re.MULTILINE)
        assert match, f"install.sh has no {name}"
        found.update(match.group(1).split())
    return found


def packages_of_linked_libraries() -> tuple[set[str], list[str]]:
    """(Debian packages providing the xcb plugin's libraries, libraries not found)."""
    output = ""
    for library in (QT / "plugins" / "platforms" / "libqxcb.so", QT / "lib" / "libQt6XcbQpa.so.6"):
        output += subprocess.run(["ldd", str(library)], capture_output=True, text=True).stdout
    missing = [line.split()[0] for line in output.splitlines() if "not found" in line]
    packages: set[str] = set()
    for path in {m.group(1) for m in re.finditer(r"=> (/\S+)", output)}:
        if "PySide6" in path:
            continue
        owner = subprocess.run(
            ["dpkg", "-S", f"*/{Path(path).name}"], capture_output=True, text=True
        ).stdout
        if owner:
            packages.add(owner.split(":")[0])
    return packages, missing


def test_install_sh_lists_every_x_library_the_xcb_plugin_needs():
    packages, missing = packages_of_linked_libraries()
    listed = listed_in_install_sh()
    assert missing == [], f"not installed here (run scripts/install.sh as root): {missing}"
    needed = {p for p in packages if X_PACKAGE.match(p)}
    assert "libxcb-cursor0" in needed  # Qt ≥ 6.5 will not load xcb without it
    assert needed - listed == set()
