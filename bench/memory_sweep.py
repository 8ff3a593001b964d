"""The memory sweep of the "Memory buys CPU" lesson, on Docker: duration and GB-s per size.

    python bench/memory_sweep.py [--below N]

Prints one line per memory size (warm invocations of the lesson's solution, CPU scaled as
memory / 1,769 MB of a vCPU). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace

from workbench.backends.docker import DockerBackend
from workbench.backends.images import docker_client_or_none, ensure_runtime_image
from workbench.core.model import load_function
from workbench.core.service import LambdaService
from workbench.paths import LESSONS_DIR

SIZES = (128, 256, 512, 1024, 1769, 3538)


async def sweep(below: int) -> None:
    client = docker_client_or_none(timeout=30)
    if client is None:
        raise SystemExit("no Docker engine: the sweep needs CPU scaled by memory")
    image = ensure_runtime_image(client, allow_pull=False).name
    base = load_function(LESSONS_DIR / "17-memory-cpu" / "solution", name="sweep")
    payload = json.dumps({"below": below}).encode()
    print(f"primes below {below:,}: warm duration by memory (Docker, CPU = MB / 1,769)")
    print(f"{'memory':>8} {'duration':>10} {'GB-s':>8}")
    async with LambdaService(DockerBackend(client, image)) as service:
        for memory in SIZES:
            name = f"sweep-{memory}"
            service.deploy(replace(base, name=name, memory_mb=memory, timeout_s=120))
            await service.invoke(name, payload)
            served = await service.invoke(name, payload)
            ms = served.report.duration_ms
            print(f"{memory:>6} MB {ms:>8.0f} ms {ms / 1000 * memory / 1024:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--below", type=int, default=150_000)
    asyncio.run(sweep(parser.parse_args().below))


if __name__ == "__main__":
    main()
