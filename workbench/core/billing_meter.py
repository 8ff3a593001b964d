"""The running bill: invocations folded from the event stream, plus provisioned capacity.

Its own module so that billing.py (prices and the arithmetic) and provisioned_billing.py
(capacity) both stay below it, without importing each other.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from workbench.core.billing import (
    CHARGE_HISTORY_LIMIT,
    FREE_TIER_GB_S,
    FREE_TIER_REQUESTS,
    PRICES,
    ZERO,
    InvocationCharge,
    Totals,
    charge_for,
    exact_decimals,
)
from workbench.core.events import Event, EventBus, InvocationCompleted
from workbench.core.provisioned_billing import ProvisionedCapacity


class BillingMeter:
    """The running bill, folded from InvocationCompleted events."""

    def __init__(self, *, free_tier: bool = False, history_limit: int = CHARGE_HISTORY_LIMIT):
        self._free_tier = free_tier
        self.capacity = ProvisionedCapacity()  # provisioned concurrency, billed while it lasts
        self._totals = Totals()
        self._by_function: dict[str, Totals] = {}
        # Bounded so a long session cannot grow without limit; the totals stay complete.
        self._charges: deque[InvocationCharge] = deque(maxlen=history_limit)

    @property
    def free_tier(self) -> bool:
        """Whether the first 1M requests and 400,000 GB-s of this meter's life are free."""
        return self._free_tier

    @property
    def totals(self) -> Totals:
        """All the running sums at once."""
        return self._totals

    @property
    def requests(self) -> int:
        """Invocations billed so far."""
        return self._totals.requests

    @property
    def billed_ms(self) -> int:
        """Billed milliseconds so far, init included."""
        return self._totals.billed_ms

    @property
    def init_billed_ms(self) -> int:
        """The part of billed_ms that paid for init."""
        return self._totals.init_billed_ms

    @property
    def gb_seconds(self) -> Decimal:
        """Compute used so far, in GB-s, free tier included."""
        return self._totals.gb_seconds

    @property
    def cost(self) -> Decimal:
        """Dollars owed so far, after the free tier when it is on."""
        return self._totals.cost

    @property
    def charges(self) -> list[InvocationCharge]:
        """The most recent charges (up to the history limit), most recent last."""
        return list(self._charges)

    @property
    def by_function(self) -> dict[str, Totals]:
        """Totals per function name."""
        return dict(self._by_function)

    def observe(self, event: Event) -> InvocationCharge | None:
        """Fold one event in; returns the charge for an InvocationCompleted, else None."""
        self.capacity.observe(event)  # provisioned environments' lifetimes
        # A DryRun only validates the request and is not billed.
        if not isinstance(event, InvocationCompleted) or event.invocation_type == "DryRun":
            return None
        provisioned = event.initialization_type == "provisioned-concurrency"
        charge = charge_for(
            event.report,
            architecture=event.architecture,
            ephemeral_storage_mb=event.ephemeral_storage_mb,
            provisioned=provisioned,
        )
        if self._free_tier and not provisioned:  # the free tier does not cover provisioned use
            charge = self._apply_free_tier(charge)
        self._totals = self._totals.plus(charge)
        previous = self._by_function.get(event.function, Totals())
        self._by_function[event.function] = previous.plus(charge)
        self._charges.append(charge)
        return charge

    def _apply_free_tier(self, charge: InvocationCharge) -> InvocationCharge:
        """The charge with whatever free requests and GB-s are left taken off."""
        free_request = self._totals.requests < FREE_TIER_REQUESTS
        with exact_decimals():
            left = max(ZERO, FREE_TIER_GB_S - self._totals.gb_seconds)
            free_used = min(charge.gb_seconds, left)
            price = PRICES[charge.architecture].duration_tiers[0].price_per_gb_s
            duration_cost = (charge.gb_seconds - free_used) * price
            request_cost = ZERO if free_request else charge.request_cost
            # Ephemeral storage is not part of the free tier.
            total = request_cost + duration_cost + charge.ephemeral_cost
        return replace(
            charge,
            request_cost=request_cost,
            duration_cost=duration_cost,
            total=total,
            free_request=free_request,
            free_gb_seconds=free_used,
        )

    def attach(self, bus: EventBus) -> Callable[[], None]:
        """Observe every future event on bus; returns the function that detaches."""

        def subscriber(event: Event) -> None:
            self.observe(event)

        return bus.subscribe(subscriber)

    def capacity_cost(self, now: float) -> Decimal:
        """Provisioned concurrency's capacity charge up to `now` (service clock seconds)."""
        return self.capacity.cost(now)

    def total_cost(self, now: float) -> Decimal:
        """Invocations plus provisioned capacity, up to `now`."""
        with exact_decimals():
            return self._totals.cost + self.capacity.cost(now)

    def reset(self, now: float | None = None) -> None:
        """Start a fresh bill (the free tier starts over too).

        now: when the new bill starts; provisioned environments still allocated are
        billed from then on (without it, their capacity is dropped from the bill).
        """
        if now is None:
            self.capacity = ProvisionedCapacity()
        else:
            self.capacity.restart(now)
        self._totals = Totals()
        self._by_function.clear()
        self._charges.clear()
