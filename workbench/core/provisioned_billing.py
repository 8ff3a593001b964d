"""Provisioned concurrency's capacity charge: GB-s for as long as environments are provisioned.

Billed whether or not they serve, in 5-minute steps (LAMBDA_FACTS A2, A5); the duration of
the invocations they serve is billed separately, at the lower provisioned price (billing.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from workbench.core.billing import PRICES, exact_decimals, gb_seconds
from workbench.core.events import EnvironmentCreated, EnvironmentReaped, Event

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
                prices = PRICES[allocation.architecture]
                # arm64's capacity price was not collected: the x86_64 price stands in.
                price = (
                    prices.provisioned_capacity_per_gb_s
                    or PRICES["x86_64"].provisioned_capacity_per_gb_s
                )
                assert price is not None
                used = gb_seconds(_rounded(allocation, now) * 1000, allocation.memory_mb)
                total += used * price
        return total


def _rounded(allocation: _Allocation, now: float) -> int:
    end = allocation.until if allocation.until is not None else now
    seconds = max(0.0, end - allocation.since)
    return max(1, math.ceil(seconds / BILLING_STEP_S)) * BILLING_STEP_S
