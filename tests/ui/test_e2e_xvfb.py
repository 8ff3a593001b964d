"""End to end on a real X server: the learner's path from a first launch to a passed lesson.

The real app (`lambda-workbench --backend process`, the xcb platform plugin, a fresh user
folder) runs under Xvfb at 1366×768 and 1280×720, driven by tests/ui/e2e_driver.py from
inside its process (LAMBDA_WORKBENCH_DRIVER) plus real X key presses (xdotool). Screenshots
of the X screen after each step are kept in tests/ui/screenshots/e2e-WxH/.

Needs Xvfb, xdotool and ImageMagick: `bash scripts/install.sh --test` installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import SCREENSHOTS

DRIVER = Path(__file__).resolve().parent / "e2e_driver.py"
TOOLS = ("Xvfb", "xdotool", "import")
RUN_LIMIT_S = 300
STEPS = ("01-first-launch", "02-invoked", "03-wrong-answer-checked", "04-right-answer-lesson-done")

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs Xvfb, xdotool and ImageMagick: run `bash scripts/install.sh --test`",
)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """An X server on a display number it picks itself (no TCP listener)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    return server, f":{number}"


@pytest.fixture
def x_server(request) -> Iterator[tuple[str, int, int]]:
    width, height = request.param
    server, display = start_xvfb(width, height)
    yield display, width, height
    server.terminate()
    server.wait(10)


@pytest.mark.parametrize(
    "x_server", [(1366, 768), (1280, 720)], indirect=True, ids=["1366x768", "1280x720"]
)
def test_first_launch_to_a_passed_lesson_on_a_real_x_server(x_server, tmp_path: Path):
    display, width, height = x_server
    shots = SCREENSHOTS / f"e2e-{width}x{height}"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_DATA_HOME": str(tmp_path / "data"),  # a first launch: no progress, no settings
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "LAMBDA_WORKBENCH_DRIVER": f"{DRIVER}:drive",
        "E2E_SHOTS": str(shots),
    }
    env.pop("LAMBDA_WORKBENCH_BACKEND", None)
    app = Path(sys.executable).parent / "lambda-workbench"
    done = subprocess.run(
        [str(app), "--backend", "process"],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_S,
        check=False,
    )
    report = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr[-4000:]}"
    assert done.returncode == 0, report
    assert "platform xcb" in done.stdout, report
    assert "E2E OK" in done.stdout, report
    for step in STEPS:
        png = shots / f"{step}.png"
        assert png.is_file(), f"no screenshot {png}\n{report}"
        assert png_size(png) == (width, height)
        assert png.stat().st_size > 20_000, f"{png} looks blank"
    layout = json.loads(
        next(line[7:] for line in done.stdout.splitlines() if line.startswith("layout "))
    )
    assert tuple(layout["size"]) == (width, height), layout  # the window fills the small screen
    assert layout["editor_columns"] >= 72, layout
    assert layout["event_lines"] >= 8, layout
    assert layout["response_lines"] >= 8, layout
    assert layout["timeline_lanes"] >= 4, layout
    assert layout["clipped"] == [], layout
    assert layout["squeezed"] == [], layout  # no pane scrolls sideways at these sizes
    line = next(x for x in done.stdout.splitlines() if x.startswith("layout-exercise "))
    exercise = json.loads(line.split(" ", 1)[1])
    assert exercise["clipped"] == [], exercise  # Check my work & co. on the exercise page
    assert exercise["squeezed"] == [], exercise
    assert tuple(exercise["size"]) == (width, height), exercise
    assert exercise["response_lines"] >= 8, exercise  # with a two-line status above it
    assert exercise["event_lines"] >= 8, exercise
