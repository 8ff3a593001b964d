"""Engine benchmark: cold starts, warm round trips (with and without the freeze) and throughput.

    .venv/bin/python bench/engine_bench.py [--backend both|docker|process] [--cold 10] [--warm 200]

Prints figures; asserts nothing. Targets on a 2-core machine (issue 2): Docker cold start
≤ 300 ms, Docker warm p50 ≤ 10 ms including the thaw, process warm p50 ≤ 1.5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.backends.process import ProcessBackend
from workbench.core.events import EnvironmentFrozen
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms"
        f"   (n={len(values)})"
    )


async def timed_invoke(service: LambdaService, name: str) -> float:
    started = time.perf_counter()
    await service.invoke(name, b"{}")
    return (time.perf_counter() - started) * 1000


async def wait_frozen(service: LambdaService, count: int) -> None:
    while sum(1 for _ in service.bus.of_type(EnvironmentFrozen)) < count:
        await asyncio.sleep(0.002)


async def bench(
    label: str, backend: object, code_dir: Path, cold: int, warm: int, memory_mb: int
) -> None:
    service = LambdaService(backend)  # type: ignore[arg-type]
    async with service:
        config = FunctionConfig("bench", code_dir, memory_mb=memory_mb)
        service.deploy(config)
        await service.invoke("bench", b"{}")  # first use: server start-up, image metadata
        colds, inits = [], []
        for _ in range(cold):
            service.deploy(config)  # a redeploy retires the environment: the next one is cold
            await asyncio.sleep(0.2)
            started = time.perf_counter()
            result = await service.invoke("bench", b"{}")
            colds.append((time.perf_counter() - started) * 1000)
            inits.append(result.report.init_duration_ms or 0.0)
        frozen_before = sum(1 for _ in service.bus.of_type(EnvironmentFrozen))
        thawed = []
        for i in range(min(warm, 100)):
            await wait_frozen(service, frozen_before + i + 1)  # every call pays the thaw
            thawed.append(await timed_invoke(service, "bench"))
        back_to_back = [await timed_invoke(service, "bench") for _ in range(warm)]
        started = time.perf_counter()
        count = 0
        while time.perf_counter() - started < 3.0:
            await service.invoke("bench", b"{}")
            count += 1
        rate = count / (time.perf_counter() - started)
    print(f"\n== {label}, {memory_mb} MB: {getattr(backend, 'description', '')}")
    print(f"cold start to first response   {summary(colds)}")
    print(f"  of which Init Duration       {summary(inits)}")
    print(f"warm, frozen then thawed       {summary(thawed)}")
    print(f"warm, back to back             {summary(back_to_back)}")
    print(f"warm invocations per second    {rate:7.0f}   (sequential, one environment)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["both", "docker", "process"], default="both")
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument(
        "--memory",
        type=int,
        action="append",
        help="function memory in MB (repeatable; default 128 and 1769 = one vCPU)",
    )
    args = parser.parse_args()
    memories = args.memory or [128, 1769]
    with tempfile.TemporaryDirectory() as tmp:
        code_dir = Path(tmp)
        (code_dir / "lambda_function.py").write_text(HANDLER)
        if args.backend in ("both", "process"):
            for memory in memories:
                await bench("process", ProcessBackend(), code_dir, args.cold, args.warm, memory)
        if args.backend in ("both", "docker"):
            from workbench.backends.docker import DockerBackend
            from workbench.backends.images import docker_client_or_none, find_runtime_image

            client = docker_client_or_none()
            image = find_runtime_image(client) if client else None
            if image is None:
                print("\n== docker: skipped (no engine or no runtime image)")
            else:
                for memory in memories:
                    backend = DockerBackend(client, image.name)
                    await bench("docker", backend, code_dir, args.cold, args.warm, memory)
                plain = DockerBackend(client, image.name, provision_ahead=False)
                await bench(
                    "docker, no container started ahead", plain, code_dir, args.cold, 20, 128
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
