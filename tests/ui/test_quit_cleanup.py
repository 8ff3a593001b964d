"""Quitting stops and removes every environment the app started (process backend)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.app import run_window
from workbench.paths import BOOTSTRAP_PATH


def runtime_children() -> set[int]:
    """Live (not zombie) runtime processes whose parent is this test process."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == os.getpid() and state != "Z" and BOOTSTRAP_PATH.name in cmdline:
            found.add(int(entry.name))
    return found


def test_closing_the_window_removes_every_environment(window, qloop):
    """Three environments run; closing the window shuts the service down and none is left."""
    closed = asyncio.Event()
    window.sig_closed.connect(closed.set)
    app_task = asyncio.ensure_future(run_window(window, closed, "process"), loop=qloop)
    run(qloop, wait_for(lambda: window.service is not None, 20))
    window.event_pane.mode.setCurrentIndex(1)
    window.event_pane.times.setValue(3)
    window.event_pane.invoke_button.click()
    run(qloop, spawned_tasks_done())
    assert len(window.service.environments("hello")) == 3
    started = runtime_children()
    assert len(started) >= 3  # the runtimes are really there before the quit
    window.close()
    run(qloop, asyncio.wait_for(app_task, 30))
    assert window.service.environments() == []
    run(qloop, wait_for(lambda: not (runtime_children() & started), 5))
    assert runtime_children() == set()
