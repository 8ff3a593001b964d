"""Async queue benchmark: a burst of Event invocations, throttled retries, durable writes.

    .venv/bin/python bench/async_queue_bench.py [--events 100] [--reserved 5] [--limit-s 600]

On the process backend, with Lambda's default retry policy (throttle back-off 1 s doubling
to 5 min, jittered):
- burst: EVENTS events, no reservation: environments started, peak in flight, time to drain;
- throttled: EVENTS events at reserved concurrency RESERVED: how many are delivered after
  30 s, 1, 2, 5 min..., and how spread out the throttled retries are (not lockstep waves);
- store: how long accepting one event takes with and without the SQLite store.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.backends.process import ProcessBackend
from workbench.core.event_store import EventStore
from workbench.core.events import EnvironmentCreated, InvocationCompleted, InvocationQueued
from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService

HANDLER = "import time\ndef lambda_handler(event, context):\n    time.sleep({sleep})\n"
CHECKPOINTS_S = (30, 60, 120, 300, 600, 1200)
DEFAULT_SLEEP_S = 0.1  # the handler's duration (--sleep)


def function(root: Path, name: str, sleep_s: float, **settings: object) -> FunctionConfig:
    folder = root / name
    folder.mkdir()
    (folder / "lambda_function.py").write_text(HANDLER.format(sleep=sleep_s))
    return FunctionConfig(name=name, code_dir=folder, **settings)  # type: ignore[arg-type]


async def burst(root: Path, events: int, sleep_s: float) -> None:
    async with LambdaService(ProcessBackend()) as service:
        service.deploy(function(root, "burst", sleep_s))
        started = time.monotonic()
        ids = [await service.invoke_event("burst", b"{}") for _ in range(events)]
        peak = 0
        while len({e.request_id for e in service.bus.of_type(InvocationCompleted)}) < len(ids):
            peak = max(peak, service.gate.in_flight("burst"))
            await asyncio.sleep(0.01)
        created = sum(1 for _ in service.bus.of_type(EnvironmentCreated))
        print(
            f"burst: {events} events, no reservation (account limit "
            f"{service.gate.account.limit}): {created} environments started, peak "
            f"{peak} in flight, all delivered in {time.monotonic() - started:.1f} s"
        )


async def throttled(root: Path, events: int, reserved: int, limit_s: float, sleep_s: float) -> None:
    async with LambdaService(ProcessBackend()) as service:
        service.deploy(function(root, "narrow", sleep_s, reserved_concurrency=reserved))
        started = time.monotonic()
        ids = {await service.invoke_event("narrow", b"{}") for _ in range(events)}
        marks = iter(CHECKPOINTS_S)
        mark = next(marks)
        while True:
            done = {e.request_id for e in service.bus.of_type(InvocationCompleted)} & ids
            elapsed = time.monotonic() - started
            if elapsed >= mark:
                print(f"throttled: {len(done)}/{events} delivered after {mark} s")
                mark = next(marks, 10**9)
            if len(done) == events or elapsed > limit_s:
                break
            await asyncio.sleep(0.2)
        print(f"throttled: {len(done)}/{events} delivered in {elapsed:.1f} s (reserved {reserved})")
        second = sorted(e.at for e in service.bus.of_type(InvocationQueued) if e.attempt == 2)
        if len(second) > 1:
            gaps = [b - a for a, b in itertools.pairwise(second)]
            print(
                f"throttled: first retries of {len(second)} events spread over "
                f"{second[-1] - second[0]:.2f} s "
                f"(median gap {statistics.median(gaps) * 1000:.0f} ms)"
            )


def store_cost(root: Path, count: int = 500) -> None:
    store = EventStore(root / "bench.sqlite3")
    from workbench.core.event_store import StoredEvent

    started = time.perf_counter()
    for n in range(count):
        store.add_event(StoredEvent(f"r{n}", "f", b'{"n": 1}', time.time()))
    add = (time.perf_counter() - started) / count
    started = time.perf_counter()
    for n in range(count):
        store.remove_event(f"r{n}")
    remove = (time.perf_counter() - started) / count
    store.close()
    print(f"store: accept {add * 1000:.2f} ms, finish {remove * 1000:.2f} ms per event (WAL)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--reserved", type=int, default=5)
    parser.add_argument("--limit-s", type=float, default=600)
    parser.add_argument("--sleep", type=float, default=DEFAULT_SLEEP_S, help="handler, s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store_cost(root)
        asyncio.run(burst(root, args.events, args.sleep))
        asyncio.run(throttled(root, args.events, args.reserved, args.limit_s, args.sleep))


if __name__ == "__main__":
    main()
