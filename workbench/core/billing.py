"""Lambda's price table, the running meter and the monthly estimate, all in exact decimals.

Prices are AWS us-east-1 (LAMBDA_FACTS.md §A5). Money is `Decimal` throughout so that totals add
up exactly; rounding to cents happens only when a figure is shown to a person.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from types import MappingProxyType

from workbench.core.events import Event, EventBus, InvocationCompleted, Report
from workbench.core.model import EPHEMERAL_RANGE_MB, MEMORY_RANGE_MB

_ZERO = Decimal(0)
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


def _exact() -> AbstractContextManager[Context]:
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


def _check_whole(name: str, value: object, low: int, high: int | None, unit: str) -> None:
    """Raise a ValueError naming the range unless value is a whole number within it."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        where = f"from {low:,} to {high:,}" if high is not None else f"≥ {low:,}"
        raise ValueError(f"{name} must be a whole number {where}{unit}, got {value!r}")


def _check_real(name: str, value: object, low: float, high: float | None, unit: str) -> float:
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


def _to_microseconds(value: float, name: str) -> Decimal:
    """A ms figure as an exact Decimal rounded to the microsecond."""
    _check_real(name, value, 0, None, " ms")
    # Rounding to µs first stops float noise (1.0000000002 ms) from costing a whole extra ms.
    with _exact():
        return Decimal(value).quantize(_MICROSECOND, rounding=ROUND_HALF_EVEN)


def billed_duration_ms(
    duration_ms: float, init_duration_ms: float | None = None, *, init_billed: bool = True
) -> int:
    """Billed Duration: duration, plus init when it is billed, rounded up to whole ms."""
    total = _to_microseconds(duration_ms, "duration")
    if init_billed and init_duration_ms is not None:
        # Observed on AWS: Billed ≈ ceil(Init + Duration), one ceiling over the sum.
        total += _to_microseconds(init_duration_ms, "init duration")
    # 1 ms granularity since Dec 2020 (100 ms before). The floor of 1 ms is our rule: billing is
    # in whole 1 ms units and a request that ran costs at least one (LAMBDA_FACTS quotes no source).
    return max(1, int(total.to_integral_value(rounding=ROUND_CEILING)))


def gb_seconds(billed_ms: int, memory_mb: int) -> Decimal:
    """Compute used, in GB-seconds: billed ms / 1000 × memory MB / 1024, exactly."""
    with _exact():
        return Decimal(billed_ms) * Decimal(memory_mb) / _MS_MB_PER_GB_S


def _ephemeral_gb_seconds(billed_ms: int, ephemeral_storage_mb: int) -> Decimal:
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


def _qty(value: Decimal | float) -> str:
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
    free_gb_seconds: Decimal = _ZERO  # GB-s of this invocation covered by the free tier


def _init_billed_part(report: Report) -> int:
    """How many of the report's billed ms paid for init: 0 on warm starts or unbilled init."""
    if report.init_duration_ms is None:
        return 0
    # The REPORT already says whether init was billed (that depends on packaging and on
    # INIT_BILLING_SINCE), so read it back from the figures rather than guess. Clamped because
    # old timeout REPORTs bill the timeout, less than the measured duration.
    return max(0, report.billed_duration_ms - billed_duration_ms(report.duration_ms))


def charge_for(
    report: Report, *, architecture: str = "x86_64", ephemeral_storage_mb: int = 512
) -> InvocationCharge:
    """The charge for one invocation, from its REPORT figures."""
    prices = price_table(architecture)
    _check_whole("ephemeral storage", ephemeral_storage_mb, *EPHEMERAL_RANGE_MB, " MB")
    billed = report.billed_duration_ms
    with _exact():
        used = gb_seconds(billed, report.memory_size_mb)
        # Always the tier-1 price: tiers are reached only by a month's aggregate use (6 B GB-s
        # on x86_64), which monthly_estimate models; a local meter never gets near it.
        duration_cost = used * prices.duration_tiers[0].price_per_gb_s
        storage = _ephemeral_gb_seconds(billed, ephemeral_storage_mb) * prices.ephemeral_per_gb_s
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


@dataclass(frozen=True)
class Totals:
    """Running sums over a set of invocations."""

    requests: int = 0
    billed_ms: int = 0
    init_billed_ms: int = 0
    gb_seconds: Decimal = _ZERO
    cost: Decimal = _ZERO

    def plus(self, charge: InvocationCharge) -> Totals:
        """These totals with one more charge added."""
        with _exact():
            return Totals(
                requests=self.requests + 1,
                billed_ms=self.billed_ms + charge.billed_ms,
                init_billed_ms=self.init_billed_ms + charge.init_billed_ms,
                gb_seconds=self.gb_seconds + charge.gb_seconds,
                cost=self.cost + charge.total,
            )


class BillingMeter:
    """The running bill, folded from InvocationCompleted events."""

    def __init__(self, *, free_tier: bool = False, history_limit: int = CHARGE_HISTORY_LIMIT):
        self._free_tier = free_tier
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
        # A DryRun only validates the request and is not billed.
        if not isinstance(event, InvocationCompleted) or event.invocation_type == "DryRun":
            return None
        charge = charge_for(
            event.report,
            architecture=event.architecture,
            ephemeral_storage_mb=event.ephemeral_storage_mb,
        )
        if self._free_tier:
            charge = self._apply_free_tier(charge)
        self._totals = self._totals.plus(charge)
        previous = self._by_function.get(event.function, Totals())
        self._by_function[event.function] = previous.plus(charge)
        self._charges.append(charge)
        return charge

    def _apply_free_tier(self, charge: InvocationCharge) -> InvocationCharge:
        """The charge with whatever free requests and GB-s are left taken off."""
        free_request = self._totals.requests < FREE_TIER_REQUESTS
        with _exact():
            left = max(_ZERO, FREE_TIER_GB_S - self._totals.gb_seconds)
            free_used = min(charge.gb_seconds, left)
            price = PRICES[charge.architecture].duration_tiers[0].price_per_gb_s
            duration_cost = (charge.gb_seconds - free_used) * price
            request_cost = _ZERO if free_request else charge.request_cost
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

    def reset(self) -> None:
        """Start a fresh bill (the free tier starts over too)."""
        self._totals = Totals()
        self._by_function.clear()
        self._charges.clear()


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
    lower = _ZERO
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
            share = _qty(Decimal(repr(self.cold_start_share)) * 100)
            lines.append(
                f"Cold starts: {_qty(self.requests)} × {share}% = {_qty(self.cold_invocations)}"
                f" invocations bill ceil({_qty(self.init_duration_ms)} ms init +"
                f" {_qty(self.duration_ms)} ms) = {_qty(self.cold_billed_ms)} ms each"
            )
        memory = f"{self.memory_mb}/1024 GB"
        if self.cold_invocations and extra_ms:
            lines.append(
                f"Compute: ({_qty(self.requests)} × {_qty(self.billed_ms_per_invocation)} ms +"
                f" {_qty(self.cold_invocations)} × {_qty(extra_ms)} ms init) ÷ 1,000 × {memory}"
                f" = {_qty(self.gb_seconds)} GB-s"
            )
        else:
            seconds = _qty(Decimal(self.billed_ms_per_invocation) / 1000)
            lines.append(
                f"Compute: {_qty(self.requests)} × {seconds} s × {memory}"
                f" = {_qty(self.gb_seconds)} GB-s"
            )
        if self.free_tier:
            lines.append(
                f"Free tier: −{_qty(self.free_gb_seconds)} GB-s (400,000 free per month)"
                f" → {_qty(self.billable_gb_seconds)} GB-s billable"
            )
        lines.extend(self._duration_lines())
        if self.ephemeral_storage_mb > EPHEMERAL_INCLUDED_MB:
            lines.append(
                f"Ephemeral storage: {_qty(Decimal(self.billed_ms_total) / 1000)} s ×"
                f" ({self.ephemeral_storage_mb} − {EPHEMERAL_INCLUDED_MB})/1024 GB ="
                f" {_qty(self.ephemeral_gb_seconds)} GB-s ×"
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
        counted = _qty(self.requests)
        if self.free_tier:
            free = self.requests - self.billable_requests
            counted = f"{counted} − {_qty(free)} free = {_qty(self.billable_requests)}"
        price = format_usd(REQUEST_PRICE_PER_MILLION)
        return f"Requests: {counted} × {price} per 1M = {format_usd(self.request_cost)}"

    def _billed_line(self) -> str:
        """How one warm invocation's duration becomes billed ms."""
        raw = int(_to_microseconds(self.duration_ms, "duration").to_integral_value(ROUND_CEILING))
        floor = " → the 1 ms minimum = 1 ms" if raw < 1 else ""
        ceiling = f"ceil({_qty(self.duration_ms)} ms) = {_qty(raw)} ms{floor}"
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
                f"Duration cost: {_qty(self.billable_gb_seconds)} GB-s × {format_price(price)}"
                f" = {cost}"
            ]
        lines = [
            f"Duration cost, tier {t.tier}: {_qty(t.gb_seconds)} GB-s ×"
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
    free = min(used, FREE_TIER_GB_S) if free_tier else _ZERO
    tiers = _tier_charges(free, used, prices.duration_tiers)
    storage = _ephemeral_gb_seconds(billed_ms_total, ephemeral_mb)
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
    _check_whole("invocations", invocations, 0, None, "")
    _check_real("duration", duration_ms, 0, 900_000, " ms (Lambda's 900 s maximum timeout)")
    _check_whole("memory", memory_mb, *MEMORY_RANGE_MB, " MB")
    _check_whole("ephemeral storage", ephemeral_storage_mb, *EPHEMERAL_RANGE_MB, " MB")
    share = _check_real("cold start share", cold_start_share, 0, 1, "")
    _check_real("init duration", init_duration_ms, 0, None, " ms")
    with _exact():
        warm_ms = billed_duration_ms(duration_ms)
        cold_ms = billed_duration_ms(duration_ms, init_duration_ms)
        cold = int((invocations * Decimal(repr(share))).to_integral_value(ROUND_HALF_UP))
        warm_total = invocations * warm_ms
        total_ms = warm_total + cold * (cold_ms - warm_ms)
        used, free, tiers, storage, storage_cost = _month_costs(
            total_ms, memory_mb, ephemeral_storage_mb, prices, free_tier
        )
        duration_cost = sum((t.cost for t in tiers), _ZERO)
        # Init's cost is the difference it makes: the same month priced without the init ms.
        *_, warm_tiers, _, warm_storage_cost = _month_costs(
            warm_total, memory_mb, ephemeral_storage_mb, prices, free_tier
        )
        warm_cost = sum((t.cost for t in warm_tiers), _ZERO) + warm_storage_cost
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
