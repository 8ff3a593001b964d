"""Provisioned concurrency's capacity charge: GB-s for as long as environments are provisioned.

Billed whether or not they serve, in 5-minute steps (LAMBDA_FACTS A2, A5); the duration of
the invocations they serve is billed separately, at the lower provisioned price (billing.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from workbench.core.billing import (
    PRICES,
    REQUEST_PRICE_PER_MILLION,
    billed_duration_ms,
    check_real,
    check_whole,
    ephemeral_gb_seconds,
    exact_decimals,
    format_price,
    format_usd,
    gb_seconds,
    price_table,
    quantity,
)
from workbench.core.events import EnvironmentCreated, EnvironmentReaped, Event
from workbench.core.model import EPHEMERAL_RANGE_MB, MAX_CONCURRENCY, MEMORY_RANGE_MB

BILLING_STEP_S = 300  # capacity is rounded up to 5 minutes


@dataclass
class _Allocation:
    memory_mb: int
    architecture: str
    since: float
    until: float | None = None


class ProvisionedCapacity:
    """Folds provisioned environments' lifetimes from events; prices them at any moment."""

    def __init__(self) -> None:
        self._allocations: dict[str, _Allocation] = {}

    def observe(self, event: Event) -> None:
        if isinstance(event, EnvironmentCreated):
            if event.initialization_type == "provisioned-concurrency":
                self._allocations[event.env_id] = _Allocation(
                    event.memory_mb, event.architecture, event.at
                )
        elif isinstance(event, EnvironmentReaped) and event.env_id in self._allocations:
            self._allocations[event.env_id].until = event.at

    def billed_seconds(self, now: float) -> int:
        """Provisioned time billed so far, each environment rounded up to 5 minutes."""
        return sum(_rounded(a, now) for a in self._allocations.values())

    def cost(self, now: float) -> Decimal:
        """The capacity charge so far, in dollars."""
        total = Decimal(0)
        with exact_decimals():
            for allocation in self._allocations.values():
                used = gb_seconds(_rounded(allocation, now) * 1000, allocation.memory_mb)
                total += used * _capacity_price(allocation.architecture)
        return total

    def restart(self, now: float) -> None:
        """A fresh bill from `now`: environments still provisioned count from now on."""
        self._allocations = {
            env_id: _Allocation(a.memory_mb, a.architecture, now)
            for env_id, a in self._allocations.items()
            if a.until is None
        }

    def active(self) -> int:
        """Provisioned environments allocated now."""
        return sum(1 for a in self._allocations.values() if a.until is None)

    def has_capacity(self) -> bool:
        """Whether any capacity was billed since the last restart."""
        return bool(self._allocations)


def _rounded(allocation: _Allocation, now: float) -> int:
    end = allocation.until if allocation.until is not None else now
    seconds = max(0.0, end - allocation.since)
    return max(1, math.ceil(seconds / BILLING_STEP_S)) * BILLING_STEP_S


HOURS_PER_MONTH = 730  # AWS's pricing calculator's month
MAX_MONTH_HOURS = 744  # 31 days


def _capacity_price(architecture: str) -> Decimal:
    # arm64's provisioned prices were not collected: the x86_64 ones stand in.
    prices = PRICES[architecture]
    price = prices.provisioned_capacity_per_gb_s or PRICES["x86_64"].provisioned_capacity_per_gb_s
    assert price is not None
    return price


def _provisioned_duration_price(architecture: str) -> Decimal:
    prices = PRICES[architecture]
    price = prices.provisioned_duration_per_gb_s or PRICES["x86_64"].provisioned_duration_per_gb_s
    assert price is not None
    return price


@dataclass(frozen=True)
class ProvisionedMonth:
    """A month with provisioned concurrency: capacity, plus invocations at the provisioned price.

    Assumes every invocation lands on a provisioned environment (warm, no init billed per
    request); invocations beyond the provisioned concurrency would spill over to on-demand
    prices. The free tier does not apply to provisioned concurrency (LAMBDA_FACTS A2).
    """

    concurrency: int
    hours: float
    memory_mb: int
    architecture: str
    invocations: int
    duration_ms: float
    ephemeral_storage_mb: int
    capacity_seconds: int  # per environment, in 5-minute steps
    capacity_gb_seconds: Decimal
    capacity_cost: Decimal
    billed_ms_per_invocation: int
    duration_gb_seconds: Decimal
    duration_cost: Decimal
    request_cost: Decimal
    ephemeral_cost: Decimal
    total: Decimal

    def explain(self) -> list[str]:
        """Every term of the sum, one line each."""
        gb = quantity(Decimal(self.memory_mb) / 1024)
        capacity_price = _capacity_price(self.architecture)
        duration_price = _provisioned_duration_price(self.architecture)
        lines = [
            f"Provisioned capacity: {self.concurrency} environment(s) × {gb} GB × "
            f"{quantity(Decimal(self.capacity_seconds))} s ({quantity(Decimal(repr(self.hours)))}"
            f" h in 5-minute steps) = {quantity(self.capacity_gb_seconds)} GB-s × "
            f"{format_price(capacity_price)} = {format_usd(self.capacity_cost)}",
            f"Requests: {quantity(Decimal(self.invocations))} × "
            f"{format_usd(REQUEST_PRICE_PER_MILLION)} per 1M = {format_usd(self.request_cost)}",
            f"Billed duration: ceil({quantity(Decimal(repr(self.duration_ms)))} ms) = "
            f"{self.billed_ms_per_invocation:,} ms per invocation, on provisioned environments "
            "(no cold starts)",
            f"Duration cost at the provisioned price: {quantity(self.duration_gb_seconds)} GB-s ×"
            f" {format_price(duration_price)} = {format_usd(self.duration_cost)}",
        ]
        if self.ephemeral_cost:
            lines.append(f"Ephemeral storage above 512 MB: {format_usd(self.ephemeral_cost)}")
        lines += [
            f"Total: {format_usd(self.total)} per month",
            "Free tier: not applied (it does not cover provisioned concurrency); invocations "
            f"beyond {self.concurrency} at once would spill over at on-demand prices",
            f"Prices: AWS us-east-1, {self.architecture}"
            + (
                " (arm64's provisioned prices were not collected: x86_64's stand in)"
                if self.architecture != "x86_64"
                else ""
            ),
        ]
        return lines


def provisioned_month(
    concurrency: int,
    invocations: int,
    duration_ms: float,
    memory_mb: int,
    *,
    hours: float = HOURS_PER_MONTH,
    architecture: str = "x86_64",
    ephemeral_storage_mb: int = 512,
) -> ProvisionedMonth:
    """The month's bill with `concurrency` environments provisioned for `hours` hours."""
    prices = price_table(architecture)
    check_whole("provisioned concurrency", concurrency, 1, MAX_CONCURRENCY, " environments")
    check_real("provisioned hours", hours, 0, MAX_MONTH_HOURS, " h (a month has at most 744)")
    check_whole("invocations", invocations, 0, None, "")
    check_real("duration", duration_ms, 0, 900_000, " ms (Lambda's 900 s maximum timeout)")
    check_whole("memory", memory_mb, *MEMORY_RANGE_MB, " MB")
    check_whole("ephemeral storage", ephemeral_storage_mb, *EPHEMERAL_RANGE_MB, " MB")
    with exact_decimals():
        steps = math.ceil(Decimal(repr(hours)) * 3600 / BILLING_STEP_S)
        seconds = int(steps * BILLING_STEP_S)
        capacity = gb_seconds(seconds * 1000, memory_mb) * concurrency
        capacity_cost = capacity * _capacity_price(architecture)
        billed = billed_duration_ms(duration_ms)
        used = gb_seconds(billed * invocations, memory_mb)
        duration_cost = used * _provisioned_duration_price(architecture)
        request_cost = invocations * prices.request_price
        storage = ephemeral_gb_seconds(billed * invocations, ephemeral_storage_mb)
        storage_cost = storage * prices.ephemeral_per_gb_s
        return ProvisionedMonth(
            concurrency=concurrency,
            hours=hours,
            memory_mb=memory_mb,
            architecture=architecture,
            invocations=invocations,
            duration_ms=duration_ms,
            ephemeral_storage_mb=ephemeral_storage_mb,
            capacity_seconds=seconds,
            capacity_gb_seconds=capacity,
            capacity_cost=capacity_cost,
            billed_ms_per_invocation=billed,
            duration_gb_seconds=used,
            duration_cost=duration_cost,
            request_cost=request_cost,
            ephemeral_cost=storage_cost,
            total=capacity_cost + duration_cost + request_cost + storage_cost,
        )
