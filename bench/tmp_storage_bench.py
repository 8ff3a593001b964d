"""/tmp storage benchmark: the cost of a per-environment ext4 /tmp, and where writes stop.

    python3 bench/tmp_storage_bench.py [--runs 5] [--sizes 512,10240]

Per size: time to create (sparse image + mkfs.ext4 + loop mount) and remove a /tmp, the
free space its filesystem reports, and the disk the image takes. Then, on Docker, a 128 MB
function with 512 MB storage fills /tmp: where ENOSPC came, the Max Memory Used reported,
and whether the container was OOM-killed. Needs root (loop mounts). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.backends.docker_tmp import TmpStorage, image_size_mb  # noqa: E402

FILL = """
import errno, os
def lambda_handler(event, context):
    block, error = b"x" * (1024 * 1024), None
    with open("/tmp/fill", "wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError as exc:
            error = errno.errorcode.get(exc.errno)
    size = os.path.getsize("/tmp/fill")
    os.remove("/tmp/fill")
    return {"error": error, "mb": size / 1024 / 1024}
"""


def filesystem_figures(runs: int, sizes: list[int]) -> None:
    storage = TmpStorage()
    if storage.unavailable:
        print(f"ext4 /tmp unavailable here: {storage.unavailable}")
        return
    for size in sizes:
        creates, removes = [], []
        for _ in range(runs):
            started = time.perf_counter()
            volume = storage.create(size)
            creates.append((time.perf_counter() - started) * 1000)
            stats = os.statvfs(volume.host_dir)
            free_mb = stats.f_bavail * stats.f_frsize / 1024 / 1024
            disk_kb = os.stat(volume.image).st_blocks * 512 / 1024
            started = time.perf_counter()
            storage.remove(volume)
            removes.append((time.perf_counter() - started) * 1000)
        print(
            f"{size:>6} MB /tmp: image {image_size_mb(size)} MB (on disk {disk_kb:,.0f} KB), "
            f"free {free_mb:,.0f} MB; create median {statistics.median(creates):.0f} ms, "
            f"remove median {statistics.median(removes):.0f} ms ({runs} runs)"
        )
    storage.close()


async def fill_on_docker() -> None:
    from workbench.backends.docker import DockerBackend
    from workbench.backends.images import docker_client_or_none, find_runtime_image
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService

    client = docker_client_or_none()
    choice = find_runtime_image(client) if client else None
    if client is None or choice is None:
        print("no Docker engine or runtime image: fill test skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "lambda_function.py").write_text(FILL)
        service = LambdaService(DockerBackend(client, choice.name))
        async with service:
            config = FunctionConfig("fill", Path(folder), memory_mb=128, timeout_s=120)
            service.deploy(config)
            result = await service.invoke("fill", b"{}")
        body = json.loads(result.payload)
        print(
            f"128 MB memory, 512 MB storage: {body['error']} after {body['mb']:.0f} MB; "
            f"status {result.report.status}, Max Memory Used {result.report.max_memory_used_mb}"
            f" MB, {result.report.duration_ms:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="512,10240")
    args = parser.parse_args()
    filesystem_figures(args.runs, [int(s) for s in args.sizes.split(",")])
    asyncio.run(fill_on_docker())


if __name__ == "__main__":
    main()
