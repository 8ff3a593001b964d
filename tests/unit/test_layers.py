"""The runtimes package is the one home of runtime knowledge (issue 14); the import fences
between layers are in test_layer_fences.py."""

from __future__ import annotations

import ast
from pathlib import Path

WORKBENCH = Path(__file__).resolve().parents[2] / "workbench"
LANGUAGES = {"python", "nodejs", "provided"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_runtimes_is_a_package_of_one_family_per_language() -> None:
    """Adding a language = one family file (plus its bootstrap and sample)."""
    from workbench import runtimes

    assert (WORKBENCH / "runtimes").is_dir() and not (WORKBENCH / "runtimes.py").exists()
    assert {family.name for family in runtimes.FAMILIES} == LANGUAGES
    for family in runtimes.FAMILIES:
        assert (WORKBENCH / "runtimes" / f"{family.name}.py").is_file()


def test_no_language_is_hard_coded_outside_runtimes() -> None:
    """Outside workbench/runtimes/, no module compares a runtime's family to a language name:
    they ask the family object instead (the catalogue's families answer every question)."""
    offenders = []
    for path in WORKBENCH.rglob("*.py"):
        if path.is_relative_to(WORKBENCH / "runtimes"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            mentions_family = any(
                isinstance(side, ast.Attribute) and side.attr == "family" for side in sides
            )
            literals = {
                side.value
                for side in sides
                if isinstance(side, ast.Constant) and isinstance(side.value, str)
            }
            if mentions_family and literals & LANGUAGES:
                offenders.append(f"{path.relative_to(WORKBENCH)}:{node.lineno}")
    assert offenders == []


def test_modules_stay_small() -> None:
    """The split of backends/images.py (717 lines) and the runtimes package: each < 400."""
    for path in [*(WORKBENCH / "runtimes").glob("*.py"), *(WORKBENCH / "backends").glob("im*.py")]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines < 400, f"{path.relative_to(WORKBENCH)} has {lines} lines"
