"""Provisioned concurrency billing: lower duration price, capacity in 5-minute steps."""

from __future__ import annotations

from decimal import Decimal

from workbench.core.billing import REQUEST_PRICE, charge_for
from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EnvironmentCreated, EnvironmentReaped, InvocationCompleted, Report
from workbench.core.provisioned_billing import ProvisionedCapacity


def _report(billed_ms: int = 1000, memory_mb: int = 1024) -> Report:
    return Report("r", billed_ms - 0.5, billed_ms, memory_mb, 40)


def test_provisioned_duration_uses_the_lower_price():
    on_demand = charge_for(_report())
    provisioned = charge_for(_report(), provisioned=True)
    # 1,000 ms at 1,024 MB = 1 GB-s.
    assert on_demand.duration_cost == Decimal("0.0000166667")
    assert provisioned.duration_cost == Decimal("0.0000097222")
    assert provisioned.total == REQUEST_PRICE + Decimal("0.0000097222")


def test_the_free_tier_does_not_cover_provisioned_invocations():
    meter = BillingMeter(free_tier=True)
    common = {"at": 0.0, "function": "f", "request_id": "r", "env_id": "e", "report": _report()}
    free = meter.observe(InvocationCompleted(**common))
    paid = meter.observe(
        InvocationCompleted(**common, initialization_type="provisioned-concurrency")
    )
    assert free is not None and free.total == 0
    assert paid is not None and paid.total == REQUEST_PRICE + Decimal("0.0000097222")


def test_capacity_is_billed_in_five_minute_steps_until_reaped():
    capacity = ProvisionedCapacity()
    capacity.observe(
        EnvironmentCreated(
            at=100.0,
            function="f",
            env_id="f-1",
            backend="process",
            initialization_type="provisioned-concurrency",
            memory_mb=1024,
        )
    )
    capacity.observe(
        EnvironmentCreated(at=100.0, function="f", env_id="f-2", backend="process", memory_mb=1024)
    )
    assert capacity.billed_seconds(now=110.0) == 300  # only the provisioned one, rounded up
    assert capacity.cost(now=110.0) == 300 * Decimal("0.0000041667")
    capacity.observe(EnvironmentReaped(at=500.0, function="f", env_id="f-1", reason="replaced"))
    assert capacity.billed_seconds(now=10_000.0) == 600  # 400 s → two 5-minute steps
