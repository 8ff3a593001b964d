"""The composition root: builds the Qt app, the engine and its backend, and the main window.

Start-up shows the window first, then detects the backend in the background; quitting closes
the service (stopping and removing every environment) before the loop ends.

Start-up probe (used by bench/app_start_bench.py): with LAMBDA_WORKBENCH_STARTUP_PROBE=N the
app prints `first-window-exposed <time.time()>` when its window is first on screen, then
`engine-ready <time.time()>` once the backend is chosen, and closes itself after N seconds.
End-to-end tests drive the real app (a real X window) with LAMBDA_WORKBENCH_DRIVER=FILE.py:NAME:
the coroutine function NAME(window) runs once the engine is ready, and the app closes when it
returns (exit code 0) or raises (exit code 1).

`lambda-workbench --backend auto|docker|process` picks the backend (default auto; the
LAMBDA_WORKBENCH_BACKEND variable is read when the option is not given), `--open DIR` a
function folder to open instead of the lesson.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import os
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import platformdirs
import qasync
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from workbench.backends.detect import BackendUnavailable, Selection, select_backend
from workbench.catalogue import load_sample, sample_keys
from workbench.core.clock import TeachingClock
from workbench.core.event_store import EventStore, open_default_store, pending_message
from workbench.core.service import LambdaService
from workbench.packages.tools import PackageTools, tools_for
from workbench.paths import SAMPLES_DIR
from workbench.ui.errors import ErrorReporter
from workbench.ui.main_window import MainWindow, icon
from workbench.ui.tasks import spawn

APP_NAME = "lambda-workbench"
PROBE_ENV = "LAMBDA_WORKBENCH_STARTUP_PROBE"
BACKEND_ENV = "LAMBDA_WORKBENCH_BACKEND"
DRIVER_ENV = "LAMBDA_WORKBENCH_DRIVER"
BACKENDS = ("auto", "docker", "process")
CLOSE_LIMIT_S = 20.0  # removing containers can take a while; never hang the quit forever
DOCKER_HINT = "run scripts/setup-docker.sh to use containers"
IMAGE_HINT = "run `lambda-workbench image build` to use containers"


def user_data_dir() -> Path:
    """Where the workbench keeps the learner's functions and recovery files."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def ensure_sample_copy(data_dir: Path, sample: str = "hello") -> Path:
    """The learner's own copy of a shipped sample (created once), so the sample stays intact."""
    target = data_dir / "functions" / sample
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(SAMPLES_DIR / sample, target, ignore=ignore)
    return target


def settle_heap() -> None:
    """Move everything built at start-up out of the collector's sight (gc.freeze).

    A full collection walks every live object; with Qt, pygments and the engine loaded that
    took ~40-60 ms, long enough to stutter the UI. Start-up objects live as long as the app,
    so scanning them again and again buys nothing.
    """
    gc.collect()
    gc.freeze()


def backend_text(selection: Selection) -> str:
    """The status-bar sentence: which backend runs environments, and how to get containers."""
    description = selection.backend.description
    if selection.backend.name != "process":
        return description
    if "image" in selection.reason:
        return f"{description}: {IMAGE_HINT}"
    return f"{description}: {DOCKER_HINT}"


def load_samples() -> dict[str, Any]:
    """The catalogue's sample events, skipping any broken one."""
    samples = {}
    for key in sample_keys():
        with contextlib.suppress(Exception):
            samples[key] = load_sample(key)
    return samples


def package_tools(backend: Any) -> PackageTools:
    """The package UI's blocking calls for this backend; Docker ones only with a Docker engine."""
    client = getattr(backend, "client", None) if backend.name == "docker" else None
    if client is None:
        return tools_for(backend.name)
    from workbench.backends.function_image import build_function_image
    from workbench.backends.image_build import ensure_image_for_runtime
    from workbench.backends.images import image_status
    from workbench.runtimes import offered

    return PackageTools(
        "docker",
        offers=lambda: offered("docker", lambda runtime: image_status(client, runtime)),
        build_runtime_image=lambda name, progress: (
            ensure_image_for_runtime(client, name, progress=progress).name
        ),
        build_function_image=lambda folder, progress: (
            build_function_image(client, folder, progress=progress).config
        ),
    )


def _open_event_store() -> EventStore | None:
    store, warning = open_default_store()
    if warning:
        print(f"lambda-workbench: {warning}", file=sys.stderr)
    return store


async def start_engine(
    window: MainWindow, choice: str = "auto", *, announce: bool = False
) -> LambdaService | None:
    """Choose the backend (blocking probes run in a thread) and start the service."""
    try:
        selection = await select_backend(choice)  # type: ignore[arg-type]
    except BackendUnavailable as exc:
        window.set_backend_text(f"No backend: {exc}")
        return None
    # A teaching clock, so the status bar's clock control can speed idle time up at run time.
    # Accepted async events are kept on disk until delivered: a crash or a quit loses none,
    # and they resume when their function is deployed again (core/event_store.py).
    service = LambdaService(
        selection.backend, clock=TeachingClock(), event_store=_open_event_store()
    )
    # The bus contains observer errors to protect the engine; report them instead of losing them.
    service.bus.on_subscriber_error = lambda _subscriber, exc: sys.excepthook(
        type(exc), exc, exc.__traceback__
    )
    await service.start()
    window.packages.set_tools(package_tools(selection.backend))  # before attach: Docker offers
    # The status bar is shared with messages: the backend's name there, the rest on hover.
    short = selection.backend.description.split(" — ")[0]
    if selection.backend.name == "process":
        short += " (no containers: hover for why)"
    isolation = selection.backend.isolation  # what keeps environments apart, or that nothing does
    details = f"{backend_text(selection)}\n{selection.reason}" + (
        f"\n{isolation}." if isolation else ""
    )
    window.attach_service(service, short, details)
    settle_heap()
    if announce:
        print(f"engine-ready {time.time():.6f}", flush=True)
    return service


def load_driver(spec: str) -> Callable[[MainWindow], Awaitable[object]]:
    """FILE.py:NAME → the coroutine function a test drives the app with."""
    path, _, name = spec.rpartition(":")
    module_spec = importlib.util.spec_from_file_location("workbench_driver", path)
    if module_spec is None or module_spec.loader is None:
        raise ValueError(f"{DRIVER_ENV}: cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, name)  # type: ignore[no-any-return]


async def drive(window: MainWindow, engine: asyncio.Task[Any], spec: str) -> None:
    """Run a test driver once the engine is ready; close the window after it. A failure
    sets the app's exit code to 1 (window.exit_code)."""
    try:
        await engine
        await load_driver(spec)(window)
    except BaseException:
        traceback.print_exc()
        window.exit_code = 1
    window.close_now()


async def run_window(
    window: MainWindow, closed: asyncio.Event, choice: str, *, announce: bool = False
) -> None:
    """Run until the window closes, then shut the engine down (bounded in time)."""
    engine = spawn(start_engine(window, choice, announce=announce))
    driver = os.environ.get(DRIVER_ENV)
    if driver:
        spawn(drive(window, engine, driver))
    await closed.wait()
    service = None
    with contextlib.suppress(Exception):
        service = await asyncio.wait_for(engine, CLOSE_LIMIT_S)
    if service is not None:
        try:
            # Triggers first: no request or event may reach a service that is closing.
            await asyncio.wait_for(window.trigger_ui.shutdown(), CLOSE_LIMIT_S)
        except (TimeoutError, Exception) as exc:
            print(f"lambda-workbench: stopping the triggers failed: {exc!r}", file=sys.stderr)
        try:
            await asyncio.wait_for(service.close(), CLOSE_LIMIT_S)
        except (TimeoutError, Exception) as exc:
            print(f"lambda-workbench: closing the engine failed: {exc!r}", file=sys.stderr)
        message = pending_message(service.event_store, service.pending_events())
        if message:
            print(f"lambda-workbench: {message}", file=sys.stderr)
        if service.event_store is not None:
            service.event_store.close()


class _ExposeProbe(QObject):
    """Prints a timestamp the first time the window is exposed (the start-up probe)."""

    def __init__(self, window: MainWindow, seconds: float) -> None:
        super().__init__(window)
        self._seconds = seconds
        self._window = window
        window.winId()  # create the native window so its QWindow exists before show()
        window.windowHandle().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and self._window.windowHandle().isExposed():
            print(f"first-window-exposed {time.time():.6f}", flush=True)
            # CPU used so far: a start-up figure that a busy machine does not inflate.
            print(f"first-window-cpu {time.process_time():.3f}", flush=True)
            watched.removeEventFilter(self)
            QTimer.singleShot(int(self._seconds * 1000), self._window.close_now)
        return False


def start_problem(choice: str, folder: Path | None) -> str | None:
    """Why the app cannot start with these options (said before any window opens), or None."""
    if choice not in BACKENDS:
        return f"--backend must be one of {', '.join(BACKENDS)}, not {choice!r}"
    if folder is not None and not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        return f"--open {folder}: it {what}; give a function folder (its code and function.toml)"
    return None


def run_app(
    argv: Sequence[str] | None = None,
    *,
    backend: str | None = None,
    open_dir: str | Path | None = None,
) -> int:
    """Run the desktop app. argv[1] (or open_dir) is a function folder to open; without one
    the app opens the lesson (lesson 1 on the first launch). Returns an exit code."""
    argv = list(sys.argv if argv is None else argv)
    choice = backend or os.environ.get(BACKEND_ENV, "auto")
    given = open_dir if open_dir is not None else (argv[1] if len(argv) > 1 else None)
    folder = Path(given).expanduser() if given else None
    problem = start_problem(choice, folder)
    if problem:
        print(f"lambda-workbench: {problem}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Lambda Workbench")
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(icon("app"))
    app.setQuitOnLastWindowClosed(False)  # we quit after the engine is closed, not before
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    data_dir = user_data_dir()
    window = MainWindow(data_dir, settings=QSettings(APP_NAME, "workbench"), samples=load_samples())
    reporter = ErrorReporter(window)
    reporter.install()
    closed = asyncio.Event()
    window.sig_closed.connect(closed.set)
    probe = os.environ.get(PROBE_ENV)
    if probe:
        _ExposeProbe(window, float(probe))
    if window.start_maximized:
        window.showMaximized()
    else:
        window.show()
    # After show(): a restore question then sits on the window.
    window.start(folder, fallback=ensure_sample_copy(data_dir))
    _close_on_signals(window, loop)  # the timer is parented to the window
    try:
        with loop:
            loop.run_until_complete(run_window(window, closed, choice, announce=bool(probe)))
    finally:
        reporter.uninstall()
    return window.exit_code


def _close_on_signals(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    """Close like the window's close button on Ctrl+C or SIGTERM, so environments are removed."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: loop.call_soon_threadsafe(window.close_now))
    # Python runs signal handlers only between bytecodes; while Qt waits in C++ nothing would
    # run them, so a light timer wakes the interpreter a few times a second.
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(250)


if __name__ == "__main__":
    raise SystemExit(run_app())
