"""Fixtures for UI tests: offscreen Qt, throwaway user dirs, windows, and a real engine.

Tests that need the engine run coroutines on a qasync loop they own (not pytest-asyncio's),
always with a time bound, and close the service at the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Before any Qt import: no display needed, and never touch the real user's data or settings.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_USER_DIRS = tempfile.mkdtemp(prefix="workbench-ui-tests-")
atexit.register(shutil.rmtree, _USER_DIRS, True)  # a test session leaves nothing in /tmp
os.environ["XDG_DATA_HOME"] = os.path.join(_USER_DIRS, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_USER_DIRS, "config")

import asyncio  # noqa: E402
import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from ui_helpers import SCREENSHOTS, RestoreAnswers, run  # noqa: E402

from workbench.backends.process import ProcessBackend  # noqa: E402
from workbench.core.service import LambdaService  # noqa: E402
from workbench.paths import SAMPLES_DIR  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402

CLOSE_LIMIT_S = 15.0


class AppLikeLoop(qasync.QEventLoop):
    """The app's loop runs forever, so code that Qt's events step always finds it with
    get_running_loop(). A test runs it in pieces (run_until_complete) and processes Qt events
    in between, where qasync leaves no running loop: this one stays the running loop."""

    def run_forever(self) -> None:
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    """A qasync loop on the test's QApplication, closed afterwards."""
    loop = AppLikeLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def function_dir(tmp_path: Path) -> Path:
    """A private copy of the hello sample."""
    target = tmp_path / "functions" / "hello"
    shutil.copytree(SAMPLES_DIR / "hello", target)
    return target


@pytest.fixture
def restore_answers() -> RestoreAnswers:
    """The injectable answer to "restore unsaved changes?" (records each question)."""
    return RestoreAnswers()


@pytest.fixture
def window(qtbot, tmp_path: Path, function_dir: Path, restore_answers) -> MainWindow:
    """A main window on the hello copy, with settings in a temp file, not yet attached."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(tmp_path / "data", settings=settings, ask_restore=restore_answers)
    qtbot.addWidget(win)
    win.set_theme("light")
    win.resize(1400, 900)
    win.open_function(function_dir)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def engine(window: MainWindow, qloop) -> Iterator[LambdaService]:
    """A started service on the process backend, attached to the window, closed afterwards."""
    service = LambdaService(ProcessBackend(reason="tests"))
    run(qloop, service.start())
    window.attach_service(service, "Local processes — tests")
    yield service
    run(qloop, service.close(), CLOSE_LIMIT_S)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder screenshot tests save PNGs to (git ignores *.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
