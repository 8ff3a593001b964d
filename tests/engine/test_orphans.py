"""Runtimes left by a run that died are stopped by the next run's sweep."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from workbench.backends.process import OWNER_ARGUMENT, sweep_orphans
from workbench.paths import BOOTSTRAP_PATH


def _runtime(owner: int, listener: socket.socket) -> subprocess.Popen[bytes]:
    """A bootstrap blocked on /next of a server that never answers, as a frozen orphan waits."""
    port = listener.getsockname()[1]
    env = {**os.environ, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}", "_HANDLER": "x.y"}
    return subprocess.Popen(
        [sys.executable, "-u", str(BOOTSTRAP_PATH), f"{OWNER_ARGUMENT}{owner}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_exec(pid: int) -> None:
    """Until the child runs the bootstrap: before exec its command line is still pytest's."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if str(BOOTSTRAP_PATH).encode() in cmdline.read():
                return
        time.sleep(0.02)
    raise AssertionError("the runtime did not start")


def test_orphans_of_a_dead_owner_are_killed_and_live_owners_are_left_alone():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        orphan = _runtime(owner=999_999_999, listener=listener)
        ours = _runtime(owner=os.getpid(), listener=listener)
        try:
            _wait_for_exec(orphan.pid)
            _wait_for_exec(ours.pid)
            os.killpg(orphan.pid, signal.SIGSTOP)  # frozen: it would never exit by itself
            assert sweep_orphans() >= 1
            assert orphan.wait(timeout=5) == -signal.SIGKILL
            assert ours.poll() is None
        finally:
            for process in (orphan, ours):
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=5)
