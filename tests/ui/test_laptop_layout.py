"""The window fits laptops: figures of the lesson layout at 1280×720 and 1366×768 with the
lesson panel open, the minimum size, the layout switch, and the start-up options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from layout_metrics import metrics
from PySide6.QtWidgets import QApplication

from workbench.app import run_app, start_problem
from workbench.cli import build_parser
from workbench.ui.main_window import MainWindow


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)], ids=["1280x720", "1366x768"])
def test_the_lesson_layout_is_usable_on_a_laptop(window: MainWindow, qtbot, size):
    window.set_layout("lesson")
    window.lessons.ensure_loaded().show_lesson("function", "exercise", load_workspace=False)
    window.resize(*size)
    # The lesson panel narrows itself after the resize (a queued fit): wait for it.
    qtbot.waitUntil(lambda: metrics(window)["editor_columns"] >= 72, timeout=3000)
    assert window.size().toTuple() == size
    assert window.lessons.isVisible()
    figures = metrics(window)
    assert figures["editor_columns"] >= 72, figures
    assert figures["event_lines"] >= 8, figures
    assert figures["response_lines"] >= 8, figures
    assert figures["timeline_lanes"] >= 4, figures
    assert figures["clipped"] == [], figures


def test_the_window_shrinks_to_1024x640_and_regrows_without_clipping(window, qtbot):
    window.set_layout("lesson")
    window.lessons.ensure_loaded().show_lesson("function", "exercise", load_workspace=False)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640, hint
    window.resize(1024, 640)
    qtbot.wait(50)
    assert window.size().toTuple() == (1024, 640)
    assert metrics(window)["clipped"] == []
    window.resize(1366, 768)
    qtbot.wait(50)
    assert metrics(window)["clipped"] == []  # "heck my wor" after regrowing


def test_layouts_switch_and_are_remembered(window: MainWindow, qtbot, tmp_path: Path):
    window.set_layout("lesson")
    assert window.outer_split.widget(0).isAncestorOf(window.event_pane)
    lesson_action = next(a for a in window.layout_actions.actions() if a.data() == "explore")
    lesson_action.trigger()
    assert window.layout_name == "explore"
    assert window.settings.value("view/layout") == "explore"
    assert window.side_tabs.currentWidget() is not None
    window.side_tabs.setCurrentWidget(window.billing_pane)
    assert window.side_tabs.currentWidget() is window.billing_pane


def test_the_default_size_fits_the_screen(window: MainWindow):
    available = QApplication.primaryScreen().availableGeometry()
    width, height = window.default_size()
    assert width <= max(available.width(), 1024) and height <= max(available.height(), 640)


def test_app_options_backend_and_open(tmp_path: Path, capsys):
    args = build_parser().parse_args(["--backend", "process", "--open", str(tmp_path)])
    assert (args.app_backend, args.open) == ("process", str(tmp_path))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--backend", "podman"])
    assert "invalid choice" in capsys.readouterr().err
    assert "does not exist" in start_problem("auto", tmp_path / "missing")
    assert start_problem("docker", tmp_path) is None
    assert run_app(["lambda-workbench"], backend="process", open_dir=tmp_path / "missing") == 2
    assert "--open" in capsys.readouterr().err
    # The subcommands keep their own --backend.
    assert build_parser().parse_args(["invoke", "x", "--backend", "process"]).backend == "process"


def test_help_documents_the_app_options():
    shown = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--backend {auto,docker,process}" in shown
    assert "--open DIR" in shown
