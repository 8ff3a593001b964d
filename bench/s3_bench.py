"""Local S3 endpoint benchmark: boto3's upload_file/download_file, small puts, listings.

    python3 bench/s3_bench.py [--size-mb 100] [--small 300] [--runs 3]

Serves two folder buckets on one S3Endpoint (its own event loop, on a thread) and drives it
with unchanged boto3, as a handler would: a multipart upload_file of SIZE MB (8 MB parts,
boto3's defaults), a ranged download_file of it, CopyObject of it into the second bucket,
SMALL put_object calls of 1 KB, and a full ListObjectsV2 walk. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
import botocore.config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.triggers.s3_api import S3Endpoint

MB = 1024 * 1024


def serve(endpoint: S3Endpoint) -> str:
    """Start the endpoint on a thread of its own; returns its URL."""
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(endpoint.start("127.0.0.1"))
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return endpoint.url


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="s3-bench-") as tmp:
        root = Path(tmp)
        for name in ("src", "dst", "local"):
            (root / name).mkdir()
        endpoint = S3Endpoint()
        endpoint.add_bucket("source", root / "src")
        endpoint.add_bucket("destination", root / "dst")
        s3 = boto3.client(
            "s3",
            endpoint_url=serve(endpoint),
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=botocore.config.Config(retries={"max_attempts": 0}),
        )
        big = root / "local" / "big.bin"
        big.write_bytes(os.urandom(args.size_mb * MB))
        back = root / "local" / "back.bin"
        figures: dict[str, list[float]] = {"upload": [], "download": [], "copy": []}
        for run in range(args.runs):
            key = f"big-{run}.bin"
            source = {"Bucket": "source", "Key": key}
            figures["upload"].append(timed(lambda k=key: s3.upload_file(str(big), "source", k)))
            figures["download"].append(
                timed(lambda k=key: s3.download_file("source", k, str(back)))
            )
            figures["copy"].append(
                timed(
                    lambda k=key, c=source: s3.copy_object(
                        Bucket="destination", Key=k, CopySource=c
                    )
                )
            )
        for what, seconds in figures.items():
            best = min(seconds)
            print(
                f"{what:<9} {args.size_mb} MB: median {statistics.median(seconds):.2f} s, "
                f"best {best:.2f} s ({args.size_mb / best:.0f} MB/s)"
            )
        body = b"x" * 1024
        small = timed(
            lambda: [s3.put_object(Bucket="source", Key=f"s/{i:05d}", Body=body)
                     for i in range(args.small)]
        )  # fmt: skip
        print(f"put_object 1 KB × {args.small}: {args.small / small:.0f} requests/s")
        pages = s3.get_paginator("list_objects_v2")
        walks = [
            timed(lambda: list(pages.paginate(Bucket="source", Prefix="s/")))
            for _ in range(args.runs)
        ]
        print(f"list_objects_v2 of {args.small} keys: best {min(walks) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
