"""App start-up benchmark: time to first window shown, and resident memory after start.

    python3 bench/app_start_bench.py [--runs 5] [--backend auto|docker|process] [--seconds 3]
                                     [--platform offscreen|xcb]

Spawns `python -m workbench` offscreen with LAMBDA_WORKBENCH_STARTUP_PROBE=SECONDS (see
workbench/app.py): the app prints `first-window-exposed <epoch>` when its window is first on
screen and `engine-ready <epoch>` once the backend is chosen, then closes itself. Each run gets
fresh user dirs (a true first start: lesson 1 is loaded with its code and event). Prints
figures; asserts nothing. With --platform xcb it needs DISPLAY (e.g. under Xvfb).
Targets (issue 10): first window ≤ 1.0 s, resident memory after start ≤ 200 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_WINDOW_TARGET_S = 1.0
RSS_TARGET_MB = 200.0


@dataclass
class Run:
    first_window_s: float
    first_window_cpu_s: float | None  # CPU the app used until then: less sensitive to load
    engine_ready_s: float | None
    rss_mb: float
    peak_rss_mb: float
    exit_code: int


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process from /proc, in MB (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def one_run(backend: str, seconds: float, platform: str = "offscreen") -> Run:
    """Start the app once and read its probe lines and memory."""
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as home:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM=platform,
            LAMBDA_WORKBENCH_STARTUP_PROBE=str(seconds),
            XDG_DATA_HOME=f"{home}/data",
            XDG_CONFIG_HOME=f"{home}/config",
            PYTHONPATH=str(ROOT),
        )
        started = time.time()
        child = subprocess.Popen(
            [sys.executable, "-m", "workbench", "--backend", backend],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        stamps: dict[str, float] = {}

        def read() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                name, _, value = line.strip().partition(" ")
                if value:
                    stamps[name] = float(value)  # first-window-cpu: the app's process_time()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        samples: list[tuple[float, float]] = []
        while child.poll() is None:
            memory = rss_mb(child.pid)
            if memory is not None:
                samples.append((time.time(), memory))
            time.sleep(0.05)
        reader.join(5)
        if "first-window-exposed" not in stamps:
            raise SystemExit(f"the app exited ({child.returncode}) without showing its window")
        exposed = stamps["first-window-exposed"]
        ready = stamps.get("engine-ready")
        # "After start": the last sample once the engine is ready (or the window shown).
        closing = exposed + seconds - 0.1  # before the probe closes the window
        settled = [m for t, m in samples if (ready or exposed) <= t <= closing]
        return Run(
            first_window_s=exposed - started,
            first_window_cpu_s=stamps.get("first-window-cpu"),
            engine_ready_s=(ready - started) if ready else None,
            rss_mb=settled[-1] if settled else samples[-1][1],
            peak_rss_mb=max(m for _, m in samples),
            exit_code=child.returncode,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", default="auto", choices=["auto", "docker", "process"])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each app stays up")
    parser.add_argument("--platform", default="offscreen", choices=["offscreen", "xcb"])
    args = parser.parse_args()
    runs = []
    for number in range(1, args.runs + 1):
        run = one_run(args.backend, args.seconds, args.platform)
        runs.append(run)
        ready = f"{run.engine_ready_s:.3f} s" if run.engine_ready_s is not None else "n/a"
        cpu = f"{run.first_window_cpu_s:.2f} s" if run.first_window_cpu_s is not None else "n/a"
        print(
            f"run {number}: first window {run.first_window_s:.3f} s (CPU {cpu}), "
            f"engine ready {ready}, "
            f"RSS {run.rss_mb:.0f} MB (peak {run.peak_rss_mb:.0f} MB), exit {run.exit_code}"
        )
    first = [r.first_window_s for r in runs]
    memory = [r.rss_mb for r in runs]
    ok_first = "✓" if statistics.median(first) <= FIRST_WINDOW_TARGET_S else "✗"
    ok_rss = "✓" if max(memory) <= RSS_TARGET_MB else "✗"
    print(
        f"\ntime to first window: median {statistics.median(first):.3f} s, "
        f"max {max(first):.3f} s  (target ≤ {FIRST_WINDOW_TARGET_S} s) {ok_first}"
    )
    cpus = [r.first_window_cpu_s for r in runs if r.first_window_cpu_s is not None]
    if cpus:
        print(f"CPU used until the first window: median {statistics.median(cpus):.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"resident memory after start: median {statistics.median(memory):.0f} MB, "
        f"max {max(memory):.0f} MB  (target ≤ {RSS_TARGET_MB:.0f} MB) {ok_rss}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
