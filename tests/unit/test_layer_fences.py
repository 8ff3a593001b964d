"""Import fences: each layer imports only downward (ui → domain → core ← backends), the core
stays free of Qt, Docker and (but for the Runtime API server) aiohttp, and no import cycle
exists. A forbidden import added anywhere fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "workbench"
QT = ("PySide6", "qasync")
ABOVE_DOMAIN = ("workbench.ui", "workbench.backends", "workbench.commands", "workbench.app")

# layer → (module prefixes it must not import, files allowed an exception, and which)
FENCES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "core": (
        (*QT, "docker", "aiohttp", "workbench.", "sqlite3.dbapi2"),
        {"runtime_api.py": ("aiohttp",)},
    ),
    "runtimes": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "packages": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "triggers": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "lessons": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "catalogue": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "backends": ((*QT, "workbench.ui", "workbench.commands", "workbench.app"), {}),
}
CORE_MAY_IMPORT = ("workbench.core",)
# No cycle is allowed, the lesson-kind registry's included: kind declarations import neither
# the registry nor their runners, which are imported by name when a check runs.


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """Every module a file imports at run time, at any depth (a lazy import is still a
    dependency); `if TYPE_CHECKING:` blocks are left out. `from pkg import sub`, with `sub` one
    of `modules`, depends on the submodule, not on the package's __init__."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = {f"{base}.{alias.name}" for alias in node.names}
            submodules = names & modules
            found.update(submodules)
            if submodules != names or not modules:
                found.add(base)
                found.update(names)
    return found


def layer_files(layer: str) -> list[Path]:
    folder = PACKAGE / layer
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{layer}.py"]


@pytest.mark.parametrize("layer", sorted(FENCES))
def test_layer_imports_point_one_way(layer: str) -> None:
    forbidden, exceptions = FENCES[layer]
    offenders: dict[str, list[str]] = {}
    for path in layer_files(layer):
        allowed = exceptions.get(path.name, ())
        bad = sorted(
            name
            for name in imports(path)
            if name.startswith(forbidden)
            and not name.startswith(allowed)
            and not (layer == "core" and name.startswith(CORE_MAY_IMPORT))
        )
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = bad
    assert offenders == {}


def test_no_import_cycles() -> None:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = frozenset(modules)
    graph = {
        name: {m for m in imports(path, known) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components
