"""Provisioned concurrency's capacity in the running meter and in `cost --provisioned-...`."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EnvironmentCreated, EnvironmentReaped
from workbench.core.provisioned_billing import provisioned_month

ROOT = Path(__file__).resolve().parents[2]
COST = [sys.executable, "-m", "workbench", "cost"]


def created(env_id: str, at: float, kind: str = "provisioned-concurrency") -> EnvironmentCreated:
    return EnvironmentCreated(
        at=at,
        function="f",
        env_id=env_id,
        backend="process",
        initialization_type=kind,
        memory_mb=1024,
        architecture="x86_64",
    )


def test_the_meter_bills_provisioned_capacity_while_it_lasts():
    meter = BillingMeter(free_tier=True)
    meter.observe(created("pc-1", 1000.0))
    meter.observe(created("od-1", 1000.0, "on-demand"))  # on-demand: no capacity charge
    # 1 GB for 5 minutes (the first step) = 300 GB-s × $0.0000041667.
    assert meter.capacity_cost(1010.0) == Decimal("300") * Decimal("0.0000041667")
    assert meter.capacity_cost(1000.0 + 301) == Decimal("600") * Decimal("0.0000041667")
    meter.observe(EnvironmentReaped(at=1000.0 + 320, function="f", env_id="pc-1", reason="idle"))
    assert meter.capacity_cost(99_999.0) == Decimal("600") * Decimal("0.0000041667")
    assert meter.total_cost(99_999.0) == meter.cost + meter.capacity_cost(99_999.0)
    assert meter.capacity.active() == 0 and meter.capacity.has_capacity()


def test_a_fresh_bill_keeps_billing_environments_still_provisioned():
    meter = BillingMeter()
    meter.observe(created("pc-1", 0.0))
    meter.reset(now=3600.0)
    assert meter.capacity_cost(3601.0) == Decimal("300") * Decimal("0.0000041667")
    meter.reset()
    assert not meter.capacity.has_capacity()


def test_a_month_of_provisioned_concurrency():
    month = provisioned_month(2, 1_000_000, 120.0, 1024)
    assert month.capacity_seconds == 730 * 3600
    assert month.capacity_gb_seconds == Decimal(2 * 730 * 3600)
    assert month.capacity_cost == Decimal(2 * 730 * 3600) * Decimal("0.0000041667")
    assert month.duration_cost == Decimal(120_000) * Decimal("0.0000097222")
    assert month.request_cost == Decimal("0.20")
    assert month.total == month.capacity_cost + month.duration_cost + month.request_cost
    short = provisioned_month(1, 0, 1.0, 128, hours=0.01)  # 36 s → one 5-minute step
    assert short.capacity_seconds == 300


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provisioned-concurrency", "0"], "provisioned concurrency must be a whole number"),
        (["--provisioned-concurrency", "1", "--provisioned-hours", "800"], "at most 744"),
        (["--provisioned-hours", "5"], "--provisioned-hours needs --provisioned-concurrency"),
    ],
)
def test_cost_command_refuses_bad_provisioned_options(args, message):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "cost",
            "--invocations",
            "10",
            "--duration-ms",
            "5",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and message in result.stderr


def test_cost_command_prints_the_capacity_charge():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "cost",
            "--invocations",
            "1000000",
            "--duration-ms",
            "120",
            "--memory-mb",
            "1024",
            "--provisioned-concurrency",
            "2",
            "--provisioned-hours",
            "8",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Provisioned capacity: 2 environment(s) × 1 GB × 28,800 s (8 h in 5-minute steps) = "
        "57,600 GB-s × $0.0000041667 = $0.24"
    )
    assert "Duration cost at the provisioned price: 120,000 GB-s × $0.0000097222 = $1.17" in lines
    assert "Total: $1.61 per month" in lines
