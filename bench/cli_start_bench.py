"""Start-up of light CLI commands against a bare interpreter that imports argparse, json and
asyncio (issue 14 target: ≤ 2.5×). Whole processes, several runs, medians; asserts nothing.

    .venv/bin/python bench/cli_start_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "workbench"]
CASES = {
    "bare python (argparse, json, asyncio)": [
        sys.executable,
        "-c",
        "import argparse, json, asyncio",
    ],
    "--help": [*CLI, "--help"],
    "cost": [
        *CLI,
        "cost",
        "--invocations",
        "3000000",
        "--duration-ms",
        "120",
        "--memory-mb",
        "512",
    ],
    "events list": [*CLI, "events", "list"],
    "lessons list": [*CLI, "lessons", "list"],
}


def median_ms(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, cwd=ROOT, check=False)  # warm the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    figures = {name: median_ms(command, args.runs) for name, command in CASES.items()}
    bare = figures["bare python (argparse, json, asyncio)"]
    for name, ms in figures.items():
        print(f"  {name:<40} median {ms:7.1f} ms   {ms / bare:4.2f}× bare")
    print("\ntarget: --help and cost ≤ 2.50× bare")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
