"""Lambda's price table and the running meter, in exact decimals (monthly_cost.py estimates).

Prices are AWS us-east-1 (LAMBDA_FACTS.md §A5). Money is `Decimal` throughout so that totals add
up exactly; rounding to cents happens only when a figure is shown to a person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from types import MappingProxyType

from workbench.core.events import Report
from workbench.core.model import EPHEMERAL_RANGE_MB

ZERO = Decimal(0)
# A month of GB-s (up to ~10^25 ms·MB) times a 10-decimal price needs more than the default 28
# digits to stay exact.
_PRECISION = 60
_MICROSECOND = Decimal("0.001")  # in ms
_CENT = Decimal("0.01")
_SUB_CENT = Decimal("1e-10")  # prices are published to 10 decimals, so show no more than that
_MS_MB_PER_GB_S = Decimal(1_024_000)  # 1000 ms per s × 1024 MB per GB


@dataclass(frozen=True)
class DurationTier:
    """One duration price band: applies to a month's GB-s up to `up_to_gb_s` (None: no ceiling)."""

    up_to_gb_s: Decimal | None
    price_per_gb_s: Decimal


@dataclass(frozen=True)
class PriceTable:
    """The us-east-1 prices for one architecture."""

    duration_tiers: tuple[DurationTier, ...]
    request_price: Decimal
    ephemeral_per_gb_s: Decimal
    provisioned_capacity_per_gb_s: Decimal | None
    provisioned_duration_per_gb_s: Decimal | None


REQUEST_PRICE_PER_MILLION = Decimal("0.20")
REQUEST_PRICE = REQUEST_PRICE_PER_MILLION / 1_000_000  # $0.0000002, exact
EPHEMERAL_PRICE_PER_GB_S = Decimal("0.0000000309")  # only for storage above the included 512 MB
EPHEMERAL_INCLUDED_MB = 512
FREE_TIER_REQUESTS = 1_000_000  # per month, shared by x86_64 and arm64
FREE_TIER_GB_S = Decimal(400_000)  # per month, shared by x86_64 and arm64
# "AWS Lambda standardizes billing for INIT Phase" (AWS Compute Blog, 2025-04-29),
# https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/ :
# from this date on-demand ZIP functions on managed runtimes pay for INIT too; container images,
# custom runtimes and provisioned concurrency already did.
INIT_BILLING_SINCE = date(2025, 8, 1)
CHARGE_HISTORY_LIMIT = 10_000

# Source: the AWS calculator's lambda.json and the tiered-pricing blog (LAMBDA_FACTS.md §A5).
# Tier ceilings are cumulative monthly GB-s: "first 6 B, next 9 B" makes the second ceiling 15 B.
PRICES: Mapping[str, PriceTable] = MappingProxyType(
    {
        "x86_64": PriceTable(
            duration_tiers=(
                DurationTier(Decimal(6_000_000_000), Decimal("0.0000166667")),
                DurationTier(Decimal(15_000_000_000), Decimal("0.0000150000")),
                DurationTier(None, Decimal("0.0000133334")),
            ),
            request_price=REQUEST_PRICE,
            ephemeral_per_gb_s=EPHEMERAL_PRICE_PER_GB_S,
            # Capacity is charged in 5-minute steps; both figures are for x86_64 only.
            provisioned_capacity_per_gb_s=Decimal("0.0000041667"),
            provisioned_duration_per_gb_s=Decimal("0.0000097222"),
        ),
        "arm64": PriceTable(
            duration_tiers=(
                DurationTier(Decimal(7_500_000_000), Decimal("0.0000133334")),
                DurationTier(Decimal(18_750_000_000), Decimal("0.0000120001")),
                # UNVERIFIED: derived from the published −20% for tier 3, not read from AWS data.
                DurationTier(None, Decimal("0.0000106667")),
            ),
            request_price=REQUEST_PRICE,
            ephemeral_per_gb_s=EPHEMERAL_PRICE_PER_GB_S,
            # Not collected for arm64, so unknown rather than guessed.
            provisioned_capacity_per_gb_s=None,
            provisioned_duration_per_gb_s=None,
        ),
    }
)
ARCHITECTURES = tuple(PRICES)


def exact_decimals() -> AbstractContextManager[Context]:
    """A decimal context wide enough that billing arithmetic never rounds."""
    return localcontext(prec=_PRECISION)


def price_table(architecture: str) -> PriceTable:
    """The prices for an architecture; ValueError naming the valid ones otherwise."""
    try:
        return PRICES[architecture]
    except (KeyError, TypeError):
        raise ValueError(
            f"architecture must be one of {', '.join(ARCHITECTURES)}, got {architecture!r}"
        ) from None


def check_whole(name: str, value: object, low: int, high: int | None, unit: str) -> None:
    """Raise a ValueError naming the range unless value is a whole number within it."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        where = f"from {low:,} to {high:,}" if high is not None else f"≥ {low:,}"
        raise ValueError(f"{name} must be a whole number {where}{unit}, got {value!r}")


def check_real(name: str, value: object, low: float, high: float | None, unit: str) -> float:
    """Return value as a float, or raise a ValueError naming the range it must lie in."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < low
        or (high is not None and value > high)
    ):
        where = f"from {low:,g} to {high:,g}" if high is not None else f"≥ {low:,g}"
        raise ValueError(f"{name} must be {where}{unit}, got {value!r}")
    return float(value)


def to_microseconds(value: float, name: str) -> Decimal:
    """A ms figure as an exact Decimal rounded to the microsecond."""
    check_real(name, value, 0, None, " ms")
    # Rounding to µs first stops float noise (1.0000000002 ms) from costing a whole extra ms.
    with exact_decimals():
        return Decimal(value).quantize(_MICROSECOND, rounding=ROUND_HALF_EVEN)


def billed_duration_ms(
    duration_ms: float, init_duration_ms: float | None = None, *, init_billed: bool = True
) -> int:
    """Billed Duration: duration, plus init when it is billed, rounded up to whole ms."""
    total = to_microseconds(duration_ms, "duration")
    if init_billed and init_duration_ms is not None:
        # Observed on AWS: Billed ≈ ceil(Init + Duration), one ceiling over the sum.
        total += to_microseconds(init_duration_ms, "init duration")
    # 1 ms granularity since Dec 2020 (100 ms before). The floor of 1 ms is our rule: billing is
    # in whole 1 ms units and a request that ran costs at least one (LAMBDA_FACTS quotes no source).
    return max(1, int(total.to_integral_value(rounding=ROUND_CEILING)))


def gb_seconds(billed_ms: int, memory_mb: int) -> Decimal:
    """Compute used, in GB-seconds: billed ms / 1000 × memory MB / 1024, exactly."""
    with exact_decimals():
        return Decimal(billed_ms) * Decimal(memory_mb) / _MS_MB_PER_GB_S


def ephemeral_gb_seconds(billed_ms: int, ephemeral_storage_mb: int) -> Decimal:
    """GB-s of ephemeral storage above the 512 MB that every function gets free."""
    return gb_seconds(billed_ms, max(0, ephemeral_storage_mb - EPHEMERAL_INCLUDED_MB))


def format_usd(amount: Decimal) -> str:
    """Money for people: `$` and 2 decimals, or up to 10 decimals for a figure under a cent."""
    if amount != 0 and abs(amount) < _CENT:
        small = amount.quantize(_SUB_CENT, rounding=ROUND_HALF_UP)
        if small != 0:
            return f"${small.normalize():f}"
    return f"${amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_price(price: Decimal) -> str:
    """A unit price as AWS publishes it, to 10 decimals: $0.0000166667."""
    return f"${price:.10f}"


def quantity(value: Decimal | float) -> str:
    """A quantity with thousands separators and no trailing zeros: 181,500 or 0.121."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if abs(number) >= 1:
        number = number.quantize(_MICROSECOND, rounding=ROUND_HALF_UP)
    if number == 0:
        return "0"
    return f"{number.normalize():,f}"


@dataclass(frozen=True)
class InvocationCharge:
    """What one invocation costs, term by term, in dollars."""

    request_id: str
    billed_ms: int
    init_billed_ms: int  # the part of billed_ms that paid for init
    memory_mb: int
    architecture: str
    gb_seconds: Decimal
    request_cost: Decimal
    duration_cost: Decimal
    ephemeral_cost: Decimal
    total: Decimal
    free_request: bool = False  # the request fell inside the free tier
    free_gb_seconds: Decimal = ZERO  # GB-s of this invocation covered by the free tier


def _init_billed_part(report: Report) -> int:
    """How many of the report's billed ms paid for init: 0 on warm starts or unbilled init."""
    if report.init_duration_ms is None:
        return 0
    # The REPORT already says whether init was billed (that depends on packaging and on
    # INIT_BILLING_SINCE), so read it back from the figures rather than guess. Clamped because
    # old timeout REPORTs bill the timeout, less than the measured duration.
    return max(0, report.billed_duration_ms - billed_duration_ms(report.duration_ms))


def charge_for(
    report: Report,
    *,
    architecture: str = "x86_64",
    ephemeral_storage_mb: int = 512,
    provisioned: bool = False,
) -> InvocationCharge:
    """The charge for one invocation, from its REPORT figures.

    On a provisioned environment the duration is billed at the lower "duration while
    provisioned" price (the capacity itself is billed by ProvisionedCapacity).
    """
    prices = price_table(architecture)
    check_whole("ephemeral storage", ephemeral_storage_mb, *EPHEMERAL_RANGE_MB, " MB")
    billed = report.billed_duration_ms
    with exact_decimals():
        used = gb_seconds(billed, report.memory_size_mb)
        # Always the tier-1 price: tiers are reached only by a month's aggregate use (6 B GB-s
        # on x86_64), which monthly_estimate models; a local meter never gets near it.
        duration_cost = used * _duration_price(prices, provisioned)
        storage = ephemeral_gb_seconds(billed, ephemeral_storage_mb) * prices.ephemeral_per_gb_s
        total = prices.request_price + duration_cost + storage
    return InvocationCharge(
        request_id=report.request_id,
        billed_ms=billed,
        init_billed_ms=_init_billed_part(report),
        memory_mb=report.memory_size_mb,
        architecture=architecture,
        gb_seconds=used,
        request_cost=prices.request_price,
        duration_cost=duration_cost,
        ephemeral_cost=storage,
        total=total,
    )


def _duration_price(prices: PriceTable, provisioned: bool) -> Decimal:
    if not provisioned:
        return prices.duration_tiers[0].price_per_gb_s
    # arm64's provisioned prices were not collected: the x86_64 price stands in for them.
    price = prices.provisioned_duration_per_gb_s or PRICES["x86_64"].provisioned_duration_per_gb_s
    assert price is not None
    return price


@dataclass(frozen=True)
class Totals:
    """Running sums over a set of invocations."""

    requests: int = 0
    billed_ms: int = 0
    init_billed_ms: int = 0
    gb_seconds: Decimal = ZERO
    cost: Decimal = ZERO

    def plus(self, charge: InvocationCharge) -> Totals:
        """These totals with one more charge added."""
        with exact_decimals():
            return Totals(
                requests=self.requests + 1,
                billed_ms=self.billed_ms + charge.billed_ms,
                init_billed_ms=self.init_billed_ms + charge.init_billed_ms,
                gb_seconds=self.gb_seconds + charge.gb_seconds,
                cost=self.cost + charge.total,
            )
