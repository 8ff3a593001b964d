"""Side by side, in one run: our `serve` (Docker and processes) against AWS's Runtime Interface
Emulator (RIE), with the same handler and the same HTTP client.

    .venv/bin/python bench/compare.py [--rounds 5] [--warm 200] [--skip-docker]

The RIE binary ships inside the `aws-sam-cli` wheel on PyPI (samcli/local/rapid/); it is taken
from there (downloaded once into the cache) and run as AWS documents for local testing: in a
container of an image laid out like AWS's Python base image, with the emulator mounted at
/usr/local/bin/aws-lambda-rie. Figures per peer, then ratios against the RIE. Asserts nothing.

Targets (issue 14): start-to-first-response on Docker ≤ 0.8× the RIE; process warm p50 ≤ 1.0×
the RIE; Docker warm p50 with a freeze between invokes ≤ 8 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"
RIE_PATH = "/2015-03-31/functions/function/invocations"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lambda-workbench"
BENCH_LABEL = "lambda-workbench.bench"


@dataclass
class Figures:
    peer: str
    starts_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    frozen_ms: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(port: int, path: str, body: bytes = b"{}", timeout: float = 30.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def first_response_ms(port: int, path: str, started: float, deadline_s: float = 60.0) -> float:
    """Poll until one invocation succeeds; the time since `started`, in ms."""
    while time.perf_counter() - started < deadline_s:
        try:
            status, body = post(port, path, timeout=deadline_s)
        except (ConnectionError, OSError, http.client.HTTPException):
            time.sleep(0.005)
            continue
        if status == 200 and json.loads(body) == {"ok": True}:
            return (time.perf_counter() - started) * 1000
        time.sleep(0.005)
    raise TimeoutError(f"no successful response on port {port} within {deadline_s:.0f} s")


def warm_round_trips(port: int, path: str, count: int, pause_s: float = 0.0) -> list[float]:
    """Back-to-back invokes on one keep-alive connection (the same client for every peer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[float] = []
    try:
        for _ in range(count):
            if pause_s:
                time.sleep(pause_s)
            started = time.perf_counter()
            conn.request("POST", path, b"{}", {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"invoke answered {response.status}")
    finally:
        conn.close()
    return times


# --- AWS's Runtime Interface Emulator -------------------------------------------------------


def rie_binary() -> Path:
    """The RIE from the aws-sam-cli wheel, extracted once into the cache."""
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    if machine is None:
        raise SystemExit(f"no RIE build for {platform.machine()}")
    target = CACHE / "rie" / f"aws-lambda-rie-{machine}"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, "aws-sam-cli"],
            check=True,
        )
        wheel = next(Path(tmp).glob("aws_sam_cli-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(f"samcli/local/rapid/aws-lambda-rie-{machine}")
    target.write_bytes(data)
    target.chmod(0o755)
    return target


def rie_image() -> str:
    import docker

    from tests.support.aws_like_image import ensure_aws_like_image

    return ensure_aws_like_image(docker.from_env(), progress=lambda _: None)


def bench_rie(code: Path, rounds: int, warm: int, figures: Figures) -> None:
    image, binary = rie_image(), rie_binary()
    for round_no in range(rounds):
        port, name = free_port(), f"lwb-bench-rie-{os.getpid()}-{round_no}"
        command = [
            "docker", "run", "-d", "--rm", "--name", name, "--label", f"{BENCH_LABEL}=1",
            "-p", f"127.0.0.1:{port}:8080", "-m", "128m",
            "-v", f"{binary}:/usr/local/bin/aws-lambda-rie:ro", "-v", f"{code}:/var/task:ro",
            image, "lambda_function.lambda_handler",
        ]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        try:
            figures.starts_ms.append(first_response_ms(port, RIE_PATH, started))
            if round_no == 0:
                figures.warm_ms = warm_round_trips(port, RIE_PATH, warm)
        finally:
            subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


# --- our serve ------------------------------------------------------------------------------


@contextmanager
def serving(code: Path, backend: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(ROOT / ".venv" / "bin" / "lambda-workbench"), "serve", str(code),
        "--port", str(port), "--backend", backend, "--memory", "128",
    ]  # fmt: skip
    if not Path(command[0]).exists():
        command[:1] = [sys.executable, "-m", "workbench"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def bench_serve(code: Path, backend: str, rounds: int, warm: int, figures: Figures) -> None:
    path = f"/2015-03-31/functions/{code.name}/invocations"
    for round_no in range(rounds):
        port = free_port()
        started = time.perf_counter()
        with serving(code, backend, port):
            figures.starts_ms.append(first_response_ms(port, path, started))
            if round_no == 0:
                figures.warm_ms = warm_round_trips(port, path, warm)
                # A pause longer than the freeze delay: every invoke finds its environment frozen.
                figures.frozen_ms = warm_round_trips(port, path, max(20, warm // 5), pause_s=0.15)


# --- report ---------------------------------------------------------------------------------


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")
    )


def line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<34} —"
    return (
        f"  {label:<34} p50 {statistics.median(values):8.2f} ms  p95 {p(values, 0.95):8.2f} ms"
        f"  min {min(values):8.2f}  max {max(values):8.2f}  (n={len(values)})"
    )


def ratio(ours: list[float], theirs: list[float]) -> str:
    if not ours or not theirs:
        return "—"
    return f"{statistics.median(ours) / statistics.median(theirs):.2f}×"


def report(peers: list[Figures]) -> None:
    for fig in peers:
        print(fig.peer)
        print(line("start to first response", fig.starts_ms))
        print(line("warm, back to back", fig.warm_ms))
        if fig.frozen_ms:
            print(line("warm, frozen in between", fig.frozen_ms))
    rie = next((f for f in peers if f.peer.startswith("AWS RIE")), None)
    if rie is None:
        return
    print("\nratios against the RIE (median / median; < 1 is faster than the RIE)")
    for fig in peers:
        if fig is rie:
            continue
        print(
            f"  {fig.peer:<28} start {ratio(fig.starts_ms, rie.starts_ms):>7}"
            f"   warm {ratio(fig.warm_ms, rie.warm_ms):>7}"
        )
    print("\ntargets: Docker start ≤ 0.80×, process warm ≤ 1.00×, Docker frozen-between p50 ≤ 8 ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="start-ups per peer")
    parser.add_argument("--warm", type=int, default=200, help="warm invokes per peer")
    parser.add_argument("--skip-docker", action="store_true", help="processes only (no RIE)")
    args = parser.parse_args()
    docker_ok = (
        not args.skip_docker
        and shutil.which("docker") is not None
        and subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0
    )
    with tempfile.TemporaryDirectory(prefix="lwb-compare-") as tmp:
        code = Path(tmp) / "bench"
        code.mkdir()
        (code / "lambda_function.py").write_text(HANDLER)
        code.chmod(0o755)
        peers: list[Figures] = []
        runs: list[tuple[str, Callable[[Figures], None]]] = []
        if docker_ok:
            runs.append(
                ("AWS RIE (container)", lambda f: bench_rie(code, args.rounds, args.warm, f))
            )
            runs.append(
                ("ours, Docker", lambda f: bench_serve(code, "docker", args.rounds, args.warm, f))
            )
        runs.append(
            ("ours, processes", lambda f: bench_serve(code, "process", args.rounds, args.warm, f))
        )
        print(
            f"{platform.node()}: {os.cpu_count()} cores, {args.rounds} start-ups and {args.warm} "
            f"warm invokes per peer, 128 MB, same handler and client\n",
            flush=True,
        )
        for peer, run in runs:
            figures = Figures(peer)
            run(figures)
            peers.append(figures)
        report(peers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
