"""The monthly cost estimate behind `lambda-workbench cost`: tiers, free tier, each term shown."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from workbench.core.billing import (
    EPHEMERAL_INCLUDED_MB,
    EPHEMERAL_PRICE_PER_GB_S,
    FREE_TIER_GB_S,
    FREE_TIER_REQUESTS,
    INIT_BILLING_SINCE,
    PRICES,
    REQUEST_PRICE_PER_MILLION,
    ZERO,
    DurationTier,
    PriceTable,
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
    to_microseconds,
)
from workbench.core.model import EPHEMERAL_RANGE_MB, MEMORY_RANGE_MB


@dataclass(frozen=True)
class TierCharge:
    """The GB-s a month bills at one duration tier, and what they cost."""

    tier: int  # 1-based
    gb_seconds: Decimal
    price_per_gb_s: Decimal
    cost: Decimal


def _tier_charges(
    start: Decimal, end: Decimal, tiers: tuple[DurationTier, ...]
) -> list[TierCharge]:
    """Cost of the month's GB-s from position start to end, band by band."""
    charges: list[TierCharge] = []
    lower = ZERO
    for number, tier in enumerate(tiers, start=1):
        upper = tier.up_to_gb_s
        low = max(start, lower)
        high = end if upper is None else min(end, upper)
        if high > low:
            amount = high - low
            charges.append(
                TierCharge(number, amount, tier.price_per_gb_s, amount * tier.price_per_gb_s)
            )
        if upper is None or end <= upper:
            break
        lower = upper
    return charges


@dataclass(frozen=True)
class MonthlyEstimate:
    """A month's bill for a steady load, with every term of the arithmetic kept."""

    architecture: str
    memory_mb: int
    duration_ms: float
    free_tier: bool
    ephemeral_storage_mb: int
    cold_start_share: float
    init_duration_ms: float
    requests: int
    billable_requests: int  # after the free tier
    request_cost: Decimal
    billed_ms_per_invocation: int  # a warm invocation
    cold_invocations: int
    cold_billed_ms: int  # per cold invocation, init included
    billed_ms_total: int
    gb_seconds: Decimal
    free_gb_seconds: Decimal
    billable_gb_seconds: Decimal  # after the free tier
    tier_charges: tuple[TierCharge, ...]
    duration_cost: Decimal
    ephemeral_gb_seconds: Decimal
    ephemeral_cost: Decimal
    init_cost: Decimal  # what cold starts' init adds to duration and storage costs
    total: Decimal

    def explain(self) -> list[str]:
        """The arithmetic behind the total, one human-readable line per step."""
        lines = [self._requests_line(), self._billed_line()]
        extra_ms = self.cold_billed_ms - self.billed_ms_per_invocation
        if self.cold_invocations:
            share = quantity(Decimal(repr(self.cold_start_share)) * 100)
            cold = quantity(self.cold_invocations)
            lines.append(
                f"Cold starts: {quantity(self.requests)} × {share}% = {cold}"
                f" invocations bill ceil({quantity(self.init_duration_ms)} ms init +"
                f" {quantity(self.duration_ms)} ms) = {quantity(self.cold_billed_ms)} ms each"
            )
        memory = f"{self.memory_mb}/1024 GB"
        if self.cold_invocations and extra_ms:
            per_call = quantity(self.billed_ms_per_invocation)
            cold = quantity(self.cold_invocations)
            lines.append(
                f"Compute: ({quantity(self.requests)} × {per_call} ms +"
                f" {cold} × {quantity(extra_ms)} ms init) ÷ 1,000 × {memory}"
                f" = {quantity(self.gb_seconds)} GB-s"
            )
        else:
            seconds = quantity(Decimal(self.billed_ms_per_invocation) / 1000)
            lines.append(
                f"Compute: {quantity(self.requests)} × {seconds} s × {memory}"
                f" = {quantity(self.gb_seconds)} GB-s"
            )
        if self.free_tier:
            lines.append(
                f"Free tier: −{quantity(self.free_gb_seconds)} GB-s (400,000 free per month)"
                f" → {quantity(self.billable_gb_seconds)} GB-s billable"
            )
        lines.extend(self._duration_lines())
        if self.ephemeral_storage_mb > EPHEMERAL_INCLUDED_MB:
            lines.append(
                f"Ephemeral storage: {quantity(Decimal(self.billed_ms_total) / 1000)} s ×"
                f" ({self.ephemeral_storage_mb} − {EPHEMERAL_INCLUDED_MB})/1024 GB ="
                f" {quantity(self.ephemeral_gb_seconds)} GB-s ×"
                f" {format_price(EPHEMERAL_PRICE_PER_GB_S)} = {format_usd(self.ephemeral_cost)}"
            )
        if self.init_cost:
            since = INIT_BILLING_SINCE
            lines.append(
                f"Init share: {format_usd(self.init_cost)} of this is cold-start init"
                f" (billed for ZIP functions on managed runtimes since"
                f" {since.day} {since:%B %Y})"
            )
        lines.append(f"Total: {format_usd(self.total)} per month")
        lines.append(f"Prices: AWS us-east-1, {self.architecture}")
        return lines

    def _requests_line(self) -> str:
        """The request term."""
        counted = quantity(self.requests)
        if self.free_tier:
            free = self.requests - self.billable_requests
            counted = f"{counted} − {quantity(free)} free = {quantity(self.billable_requests)}"
        price = format_usd(REQUEST_PRICE_PER_MILLION)
        return f"Requests: {counted} × {price} per 1M = {format_usd(self.request_cost)}"

    def _billed_line(self) -> str:
        """How one warm invocation's duration becomes billed ms."""
        raw = int(to_microseconds(self.duration_ms, "duration").to_integral_value(ROUND_CEILING))
        floor = " → the 1 ms minimum = 1 ms" if raw < 1 else ""
        ceiling = f"ceil({quantity(self.duration_ms)} ms) = {quantity(raw)} ms{floor}"
        return f"Billed duration: {ceiling} per invocation"

    def _duration_lines(self) -> list[str]:
        """The duration term, one line per tier when the month crosses a tier boundary."""
        cost = format_usd(self.duration_cost)
        if len(self.tier_charges) <= 1:
            price = (
                self.tier_charges[0].price_per_gb_s
                if self.tier_charges
                else PRICES[self.architecture].duration_tiers[0].price_per_gb_s
            )
            return [
                f"Duration cost: {quantity(self.billable_gb_seconds)} GB-s × {format_price(price)}"
                f" = {cost}"
            ]
        lines = [
            f"Duration cost, tier {t.tier}: {quantity(t.gb_seconds)} GB-s ×"
            f" {format_price(t.price_per_gb_s)} = {format_usd(t.cost)}"
            for t in self.tier_charges
        ]
        parts = " + ".join(format_usd(t.cost) for t in self.tier_charges)
        lines.append(f"Duration cost: {parts} = {cost}")
        return lines


def _month_costs(
    billed_ms_total: int, memory_mb: int, ephemeral_mb: int, prices: PriceTable, free_tier: bool
) -> tuple[Decimal, Decimal, list[TierCharge], Decimal, Decimal]:
    """GB-s, free GB-s, tier charges, ephemeral GB-s and ephemeral cost for a month's billed ms."""
    used = gb_seconds(billed_ms_total, memory_mb)
    # The free GB-s are taken as the month's first ones, so they come out of tier 1 and tier
    # ceilings keep counting all usage (AWS does not spell out the order; at 400,000 vs 6 B
    # GB-s the choice moves a tier-crossing bill by well under $1).
    free = min(used, FREE_TIER_GB_S) if free_tier else ZERO
    tiers = _tier_charges(free, used, prices.duration_tiers)
    storage = ephemeral_gb_seconds(billed_ms_total, ephemeral_mb)
    return used, free, tiers, storage, storage * prices.ephemeral_per_gb_s


def monthly_estimate(
    invocations: int,
    duration_ms: float,
    memory_mb: int,
    *,
    architecture: str = "x86_64",
    free_tier: bool = False,
    ephemeral_storage_mb: int = 512,
    cold_start_share: float = 0.0,
    init_duration_ms: float = 0.0,
) -> MonthlyEstimate:
    """A month's bill for `invocations` requests of `duration_ms` each, with tiered pricing."""
    prices = price_table(architecture)
    check_whole("invocations", invocations, 0, None, "")
    check_real("duration", duration_ms, 0, 900_000, " ms (Lambda's 900 s maximum timeout)")
    check_whole("memory", memory_mb, *MEMORY_RANGE_MB, " MB")
    check_whole("ephemeral storage", ephemeral_storage_mb, *EPHEMERAL_RANGE_MB, " MB")
    share = check_real("cold start share", cold_start_share, 0, 1, "")
    check_real("init duration", init_duration_ms, 0, None, " ms")
    with exact_decimals():
        warm_ms = billed_duration_ms(duration_ms)
        cold_ms = billed_duration_ms(duration_ms, init_duration_ms)
        cold = int((invocations * Decimal(repr(share))).to_integral_value(ROUND_HALF_UP))
        warm_total = invocations * warm_ms
        total_ms = warm_total + cold * (cold_ms - warm_ms)
        used, free, tiers, storage, storage_cost = _month_costs(
            total_ms, memory_mb, ephemeral_storage_mb, prices, free_tier
        )
        duration_cost = sum((t.cost for t in tiers), ZERO)
        # Init's cost is the difference it makes: the same month priced without the init ms.
        *_, warm_tiers, _, warm_storage_cost = _month_costs(
            warm_total, memory_mb, ephemeral_storage_mb, prices, free_tier
        )
        warm_cost = sum((t.cost for t in warm_tiers), ZERO) + warm_storage_cost
        billable_requests = max(0, invocations - FREE_TIER_REQUESTS) if free_tier else invocations
        request_cost = billable_requests * prices.request_price
        return MonthlyEstimate(
            architecture=architecture,
            memory_mb=memory_mb,
            duration_ms=duration_ms,
            free_tier=free_tier,
            ephemeral_storage_mb=ephemeral_storage_mb,
            cold_start_share=share,
            init_duration_ms=init_duration_ms,
            requests=invocations,
            billable_requests=billable_requests,
            request_cost=request_cost,
            billed_ms_per_invocation=warm_ms,
            cold_invocations=cold,
            cold_billed_ms=cold_ms,
            billed_ms_total=total_ms,
            gb_seconds=used,
            free_gb_seconds=free,
            billable_gb_seconds=used - free,
            tier_charges=tuple(tiers),
            duration_cost=duration_cost,
            ephemeral_gb_seconds=storage,
            ephemeral_cost=storage_cost,
            init_cost=duration_cost + storage_cost - warm_cost,
            total=request_cost + duration_cost + storage_cost,
        )
