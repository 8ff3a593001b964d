"""The load generator through the real engine, and the `load` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, write_function

from workbench.core.load import LoadPlan, LoadRun, percentile

QUICK = """
import time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0.05))
    return "ok"
"""


def test_plans_are_validated():
    with pytest.raises(ValueError, match="duration"):
        LoadPlan(duration_s=0, rate_per_s=1)
    with pytest.raises(ValueError, match="rate"):
        LoadPlan(duration_s=1, rate_per_s=0)
    with pytest.raises(ValueError, match="a rate, a concurrency"):
        LoadPlan(duration_s=1)


def test_percentiles():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)


async def test_a_capped_run_answers_every_invocation_and_stays_within_the_cap(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, QUICK, name="quick"))
    ticks = []
    plan = LoadPlan(duration_s=20, concurrency=4, max_invocations=40)
    final = await LoadRun(service, "quick", plan).run(on_tick=ticks.append, tick_s=0.1)
    assert final.sent == 40 and final.succeeded == 40 and final.throttled == 0
    assert final.environments_created <= 4
    assert final.started == 40 and 1 <= final.cold_starts <= 4
    assert final.p50_ms is not None and final.p95_ms >= final.p50_ms >= 50
    assert final.cost > 0
    assert ticks and ticks[-1].sent <= 40


async def test_throttles_are_counted_and_nothing_is_lost(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, QUICK, name="tight", reserved_concurrency=2))
    plan = LoadPlan(duration_s=20, rate_per_s=100, max_invocations=30, payload=b'{"sleep": 0.3}')
    final = await LoadRun(service, "tight", plan).run()
    assert final.throttled > 0
    assert final.sent == final.succeeded + final.throttled == 30
    assert final.environments_created == 2


def test_the_load_command_prints_live_figures_and_a_summary(tmp_path: Path):
    folder = write_function(tmp_path, QUICK, name="cli").code_dir
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "load",
            str(folder),
            "--backend",
            "process",
            "--rate",
            "40",
            "--duration",
            "2",
            "--payload",
            '{"sleep": 0.01}',
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "summary:" in done.stdout and "environments created" in done.stdout
    assert "p50" in done.stdout.splitlines()[0]


async def test_stop_ends_a_run_early_and_waits_for_what_is_in_flight(
    make_service: ServiceFactory, tmp_path: Path
):
    import asyncio

    service = await make_service()
    service.deploy(write_function(tmp_path, QUICK, name="stoppable"))
    run = LoadRun(service, "stoppable", LoadPlan(duration_s=30, rate_per_s=50))
    task = asyncio.create_task(run.run())
    await asyncio.sleep(0.5)
    run.stop()
    final = await asyncio.wait_for(task, 10)
    assert 0 < final.sent < 100
    assert final.succeeded == final.sent and final.in_flight == 0
