"""Blocking work (pip, zipping, Docker builds) on a worker thread, reported through Qt signals."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.core.model import ConfigError

Progress = Callable[[str], None]
Work = Callable[[Progress], Any]


def failure_text(exc: BaseException) -> str:
    """The message a learner reads: a ConfigError's own words, else the exception's."""
    if isinstance(exc, ConfigError):
        return getattr(exc, "message", None) or str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"


class Job(QObject):
    """Runs `work(progress)` on a daemon thread; every signal arrives on the Qt thread."""

    sig_line = Signal(str)
    """One progress line (pip's or Docker's output, or our own)."""

    sig_done = Signal(object)
    """The work returned this value."""

    sig_failed = Signal(str)
    """The work raised; the text says why in plain words."""

    sig_finished = Signal()
    """Emitted after sig_done or sig_failed, whichever it was."""

    # The worker thread only emits _relay: its receiver is this object, which lives on the Qt
    # thread, so Qt queues the call there instead of running slots on the worker thread.
    _relay = Signal(str, object)

    def __init__(self, title: str, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._work = work
        self._thread: threading.Thread | None = None
        self._relay.connect(self._deliver)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Job:
        """Start the work; returns at once."""
        self._thread = threading.Thread(target=self._run, name=f"job: {self.title}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            result = self._work(lambda line: self._send("line", line))
        except Exception as exc:  # every failure is reported, none is lost on the thread
            self._send("failed", failure_text(exc))
        else:
            self._send("done", result)

    def _send(self, kind: str, value: object) -> None:
        # The window may have closed while the work ran: then nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            self._relay.emit(kind, value)

    def _deliver(self, kind: str, value: object) -> None:
        if kind == "line":
            self.sig_line.emit(str(value))
            return
        if kind == "done":
            self.sig_done.emit(value)
        else:
            self.sig_failed.emit(str(value))
        self.sig_finished.emit()


def start_job(
    parent: QObject,
    title: str,
    work: Work,
    *,
    on_line: Callable[[str], None] | None = None,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str], None] | None = None,
) -> Job:
    """Start a Job owned by `parent` (kept alive until it finishes), wired to the callbacks."""
    job = Job(title, work, parent)
    if on_line is not None:
        job.sig_line.connect(on_line)
    if on_done is not None:
        job.sig_done.connect(on_done)
    if on_failed is not None:
        job.sig_failed.connect(on_failed)
    job.sig_finished.connect(job.deleteLater)
    return job.start()
