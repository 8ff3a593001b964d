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
    "workspace": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "lesson_html": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "memory_sweep": ((*QT, "docker", *ABOVE_DOMAIN), {}),
    "backends": ((*QT, "workbench.ui", "workbench.commands", "workbench.app"), {}),
}
CORE_MAY_IMPORT = ("workbench.core",)
# No cycle is allowed, the lesson-kind registry's included: kind declarations import neither
# the registry nor their runners, which are imported by name when a check runs.


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: frozenset[str] = frozenset(), *, typing: bool = False) -> set[str]:
    """Every module a file imports at run time, at any depth (a lazy import is still a
    dependency); `if TYPE_CHECKING:` blocks are left out unless `typing`. `from pkg import sub`,
    with `sub` one of `modules`, depends on the submodule, not on the package's __init__."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if not typing and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
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


def test_no_import_cycles_even_for_typing() -> None:
    """Imports made only for type checking (`if TYPE_CHECKING:`) close no circle either: a
    circle there is two modules that each need to know the other, whatever runs first."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = frozenset(modules)
    graph = {
        name: {m for m in imports(path, known, typing=True) if m in modules and m != name}
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


# Modules under ui/ that import no Qt yet belong there, each with its reason. Any other
# Qt-free module under ui/ is domain code and goes below (workspace/, packages/, …).
QT_FREE_IN_UI: dict[str, str] = {
    "window_port.py": "the Protocol features see the window through (Qt named for typing)",
    "tasks.py": "starts coroutines from Qt slots on the qasync loop the window runs",
    "intents.py": "the window's intent-named operations; drives panes through the WindowPort",
    "timeline_model.py": "folds events into what the timeline draws, by the style table's marks",
    "panes/timeline_style.py": "the timeline's style table: colours, glyphs and words it draws",
    "lessons/exercise.py": "what the lesson reader's buttons do to the window (WindowPort)",
    "lessons/actions_runner.py": "runs a lesson's action links through the window's intents",
    "lessons/reader_parts.py": "the Protocol the reader's helpers see it through",
}


def test_every_module_under_ui_uses_qt_or_says_why_not() -> None:
    """Qt-free code can't creep back into ui/: a module without a PySide6 import is listed
    above with its reason (package markers aside)."""
    ui = PACKAGE / "ui"
    qt_free = {
        str(path.relative_to(ui))
        for path in ui.rglob("*.py")
        if path.name != "__init__.py"
        and not any(name.startswith("PySide6") for name in imports(path))
    }
    assert qt_free - set(QT_FREE_IN_UI) == set()
    assert set(QT_FREE_IN_UI) - qt_free == set(), "a listed module now imports Qt: unlist it"


# The window itself; its halves (window_layout.py, window_actions.py, window_hosting.py) are
# classes it inherits, so they need not import it.
WINDOW_PARTS = {"main_window.py"}
# Features installed into the window: they get a WindowPort (ui/window_port.py), not panes.
INSTALLERS = (
    "intents.py",
    "lessons/dock.py",
    "lessons/exercise.py",
    "lessons/reader.py",
    "lessons/actions_runner.py",
    "packages/feature.py",
    "triggers/wiring.py",
)


def every_import(path: Path) -> set[str]:
    """Every module a file names in an import, `if TYPE_CHECKING:` blocks included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_only_the_window_itself_imports_the_main_window() -> None:
    """Not even for typing: features are typed against the WindowPort, so no type-only
    cycle runs through main_window.py (app.py, the composition root, builds it)."""
    ui = PACKAGE / "ui"
    importers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "workbench.ui.main_window" in every_import(path)
        and not (path.parent == ui and path.name in WINDOW_PARTS)
    )
    assert importers == ["app.py"]


def window_reaches(path: Path) -> list[str]:
    """`<window>.<something>_pane` and `<window>.side_tabs` in a file, where <window> is a
    name or attribute called window/window_."""
    reaches = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        pane = node.attr.endswith("_pane") and id(node) not in called  # show_pane() is asked
        if name in ("window", "window_") and (
            pane or node.attr in ("side_tabs", "menuBar", "statusBar")
        ):
            reaches.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return reaches


def test_installers_reach_the_window_only_through_its_port() -> None:
    """No feature installer touches a pane, the side tabs, the menu bar or the status bar of
    the window: it asks the WindowPort (show_message, add_side_tab, function_menu, …)."""
    ui = PACKAGE / "ui"
    assert all((ui / name).is_file() for name in INSTALLERS)
    reaches = [reach for name in INSTALLERS for reach in window_reaches(ui / name)]
    assert reaches == []
