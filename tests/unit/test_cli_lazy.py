"""The CLI loads only what a sub-command needs: `--help`, `cost`, `events` and `lessons list`
/ `show` never import the engine, aiohttp or the Docker SDK (issue 14: start-up 7.8x a bare
interpreter before)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import build_parser, chosen_command
from workbench.commands import COMMANDS

HEAVY = ("aiohttp", "docker", "workbench.core.service", "workbench.backends", "PySide6")


def loaded_after(*argv: str) -> set[str]:
    """The modules a fresh interpreter holds after running the CLI with argv."""
    probe = (
        "import sys\n"
        "from workbench.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("cost", "--invocations", "1000", "--duration-ms", "10", "--memory-mb", "128"),
        ("events", "list"),
    ],
)
def test_light_commands_do_not_load_the_engine(argv):
    heavy = sorted(m for m in loaded_after(*argv) if m.startswith(HEAVY))
    assert heavy == []


# Loading a lesson validates its checks against the kinds' declarations only: no runner, no
# trigger, not even asyncio (40 ms of start-up). Validating api_response's routes needs the
# route grammar, a pure module (re, dataclasses); the CLI's command table reads the trigger
# kinds' declarations (names and text). Nothing else of the triggers.
LESSON_HEAVY = (*HEAVY, "workbench.triggers.", "asyncio")
TRIGGER_DECLARATIONS = {
    "workbench.triggers.api_gateway_routes",
    "workbench.triggers.kind",
    "workbench.triggers.registry",
    "workbench.triggers.kinds",
}
KINDS = "workbench.lessons.check_kinds."


@pytest.mark.parametrize("argv", [("lessons", "list"), ("lessons", "show", "handler")])
def test_reading_lessons_loads_no_check_runner(argv, tmp_path):
    loaded = loaded_after(*argv, "--data-dir", str(tmp_path))
    assert KINDS + "http" in loaded  # the declarations did load
    heavy = sorted(
        m
        for m in loaded
        if m.startswith(LESSON_HEAVY)
        and m not in TRIGGER_DECLARATIONS
        and not m.startswith("workbench.triggers.kinds.")
    )
    assert heavy == []
    assert sorted(m for m in loaded if m.startswith(KINDS) and m.endswith("_run")) == []


def test_help_lists_every_command_with_its_modules_own_summary():
    for name, summary in COMMANDS.items():
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"workbench.commands.{name}").register(subparsers)
        helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
        assert helps[name] == summary, f"commands/__init__.py's summary of {name} drifted"


def test_the_chosen_command_is_found_past_the_app_options():
    assert chosen_command(["--backend", "process", "cost", "--help"]) == "cost"
    assert chosen_command(["--open", "serve"]) is None  # a folder named like a command
    assert chosen_command(["--help"]) is None
    help_text = build_parser(["--help"]).format_help()
    assert all(name in help_text for name in COMMANDS)


def test_serve_chooses_its_backend_before_loading_the_engine():
    """`serve` chooses the backend and asks for the first environment (select_early) before
    the engine and aiohttp load, so that the Docker engine starts the container meanwhile."""
    probe = (
        "import sys\n"
        "from workbench.cli import build_parser\n"
        "from workbench.commands.function_options import select_early\n"
        "from workbench.commands.serve import load_functions\n"
        "argv = ['serve', 'sample_functions/hello', '--backend', 'process']\n"
        "args = build_parser(argv).parse_args(argv)\n"
        "first = load_functions(args)[0]\n"
        "select_early(args, runtime=first.runtime, first=first)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=root,
    )
    loaded = set(done.stdout.split())
    assert "workbench.backends.process" in loaded  # the backend was chosen
    engine = ("aiohttp", "workbench.core.service", "workbench.invoke_api", "PySide6")
    assert sorted(m for m in loaded if m.startswith(engine)) == []


@pytest.mark.parametrize("command", ["serve", "invoke", "api"])
def test_commands_that_run_a_function_load_the_engine_only_when_they_run(command):
    """Their modules (what parsing the command line imports) hold no engine and no aiohttp:
    the backend is chosen and the first container asked for before those load."""
    probe = f"import sys, workbench.commands.{command}\nprint('\\n'.join(sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    engine = ("aiohttp", "docker", "workbench.core.service", "workbench.backends", "PySide6")
    assert sorted(m for m in done.stdout.split() if m.startswith(engine)) == []
