"""Run a long-lived `lambda-workbench` command (serve, api, bucket…) as a real process in tests."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CliProcess:
    """A running command: the process, the banner line it printed, and its later lines."""

    proc: subprocess.Popen[str]
    banner: str
    lines: queue.Queue[str]

    def next_line(self, timeout: float = 5.0) -> str:
        return self.lines.get(timeout=timeout)


@contextmanager
def running_cli(
    args: list[str], *, banner: str, stderr_path: Path, wait_s: float = 30.0
) -> Iterator[CliProcess]:
    """Start `python -m workbench ARGS`, wait for its banner line, yield it; always stop it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + wait_s
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            if line.startswith(banner):
                break
        yield CliProcess(proc, line, lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
