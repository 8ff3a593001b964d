"""The UI never imports backends, Docker or the process backend: app.py composes them."""

from __future__ import annotations

import ast
from pathlib import Path

UI_DIR = Path(__file__).resolve().parents[2] / "workbench" / "ui"
FORBIDDEN = ("workbench.backends", "docker", "workbench.app")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ui_does_not_import_backends():
    """Every module under workbench/ui stays on its side of the core."""
    offenders = {
        str(path.relative_to(UI_DIR)): sorted(
            name for name in imported_modules(path) if name.startswith(FORBIDDEN)
        )
        for path in UI_DIR.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
