"""Scaling benchmark: 500 invocations at concurrency 20 on each backend.

    .venv/bin/python bench/scaling_bench.py [--backend both|docker|process] [--count 500]

Prints throughput, latency p50/p95, environments created, the app's peak memory and the
containers left afterwards (must be 0). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.backends.process import ProcessBackend
from workbench.core.load import LoadPlan, LoadRun
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

HANDLER = "import time\ndef lambda_handler(event, context):\n    time.sleep(0.02)\n    return 1\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench(label: str, backend: object, code_dir: Path, count: int, concurrency: int) -> None:
    service = LambdaService(backend)  # type: ignore[arg-type]
    async with service:
        service.deploy(FunctionConfig("scale", code_dir))
        plan = LoadPlan(duration_s=600, concurrency=concurrency, max_invocations=count)
        final = await LoadRun(service, "scale", plan).run()
    print(f"\n== {label}: {getattr(backend, 'description', '')}")
    print(
        f"invocations          {final.completed} of {final.sent} "
        f"({final.throttled} throttled, {final.failed + final.function_errors} failed)"
    )
    print(
        f"throughput           {final.throughput:8.1f} invocations/s over {final.elapsed_s:.1f} s"
    )
    print(f"latency              p50 {final.p50_ms:7.1f} ms   p95 {final.p95_ms:7.1f} ms")
    print(f"environments created {final.environments_created}  (cold starts {final.cold_starts})")
    print(f"app peak memory      {peak_rss_mb():8.1f} MB (this process, max RSS so far)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["both", "docker", "process"], default="both")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        code_dir = Path(tmp)
        (code_dir / "lambda_function.py").write_text(HANDLER)
        if args.backend in ("both", "process"):
            await bench("process", ProcessBackend(), code_dir, args.count, args.concurrency)
        if args.backend in ("both", "docker"):
            from workbench.backends.docker import DockerBackend
            from workbench.backends.docker_sweep import OWNER_LABEL
            from workbench.backends.images import docker_client_or_none, find_runtime_image

            client = docker_client_or_none(timeout=60)
            image = find_runtime_image(client) if client else None
            if image is None:
                print("\n== docker: skipped (no engine or no runtime image)")
                return 0
            backend = DockerBackend(client, image.name)
            await bench("docker", backend, code_dir, args.count, args.concurrency)
            left = client.containers.list(
                all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"}
            )
            print(f"containers left      {len(left)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
