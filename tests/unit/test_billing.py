"""Billing arithmetic: billed ms, GB-s, charges, the meter, the monthly estimate and `cost`."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

import pytest

from workbench.commands import cost
from workbench.core import billing_meter
from workbench.core.billing import (
    PRICES,
    InvocationCharge,
    billed_duration_ms,
    charge_for,
    format_usd,
    gb_seconds,
)
from workbench.core.billing_meter import BillingMeter
from workbench.core.events import EventBus, InvocationCompleted, InvocationStarted, LogLine, Report
from workbench.core.monthly_cost import monthly_estimate

D = Decimal


def completed(
    report: Report,
    *,
    function: str = "fn",
    architecture: str = "x86_64",
    ephemeral_storage_mb: int = 512,
    invocation_type: str = "RequestResponse",
) -> InvocationCompleted:
    """An InvocationCompleted event carrying report."""
    return InvocationCompleted(
        at=0.0,
        function=function,
        request_id=report.request_id,
        env_id="env-1",
        report=report,
        architecture=architecture,
        ephemeral_storage_mb=ephemeral_storage_mb,
        invocation_type=invocation_type,  # type: ignore[arg-type]
    )


def bill(meter: BillingMeter, report: Report, **event: Any) -> InvocationCharge:
    """Feed the meter one completed invocation and return its (non-None) charge."""
    charge = meter.observe(completed(report, **event))
    assert charge is not None
    return charge


# A warm x86_64 run: 121 ms at 512 MB = 0.0605 GB-s; 0.0605 × 0.0000166667 = 0.00000100833535,
# plus the request's 0.0000002 = 0.00000120833535.
WARM = Report(
    "r-warm", duration_ms=120.4, billed_duration_ms=121, memory_size_mb=512, max_memory_used_mb=60
)
WARM_TOTAL = D("0.00000120833535")
# A cold run with init billed: ceil(130.49 + 0.7) = 132 ms at 128 MB = 0.0165 GB-s;
# 0.0165 × 0.0000166667 = 0.00000027500055, + 0.0000002 = 0.00000047500055.
COLD = Report(
    "r-cold",
    duration_ms=0.7,
    billed_duration_ms=132,
    memory_size_mb=128,
    max_memory_used_mb=40,
    init_duration_ms=130.49,
)
COLD_TOTAL = D("0.00000047500055")
# An arm64 run: 1000 ms at 1024 MB = 1 GB-s × 0.0000133334 + 0.0000002 = 0.0000135334.
ARM = Report(
    "r-arm", duration_ms=999.2, billed_duration_ms=1000, memory_size_mb=1024, max_memory_used_mb=100
)
ARM_TOTAL = D("0.0000135334")


# --- billed duration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(1.00, 1), (1.01, 2), (0.2, 1), (0.0, 1), (100.0, 100), (15.74, 16), (1.0000000002, 1)],
)
def test_billed_duration_is_a_1ms_ceiling_with_a_1ms_minimum(
    duration: float, expected: int
) -> None:
    """Duration rounds up to whole ms, never below 1 ms, and float noise does not add a ms."""
    assert billed_duration_ms(duration) == expected


def test_billed_duration_ignores_float_noise_from_arithmetic() -> None:
    """(0.1 + 0.2) × 10 is 3.0000000000000004 in floats but bills 3 ms, not 4."""
    assert (0.1 + 0.2) * 10 != 3.0
    assert billed_duration_ms((0.1 + 0.2) * 10) == 3


def test_cold_start_bills_one_ceiling_over_init_plus_duration() -> None:
    """0.7 ms duration + 130.49 ms init = 131.19 ms → 132 ms."""
    assert billed_duration_ms(0.7, 130.49) == 132


def test_observed_container_image_report_is_reproduced() -> None:
    """Init 1293.83 + Duration 1049.63 → Billed 2344 ms, as observed on AWS."""
    assert billed_duration_ms(1049.63, 1293.83) == 2344


def test_unbilled_init_is_excluded() -> None:
    """With init_billed=False only the duration counts."""
    assert billed_duration_ms(0.7, 130.49, init_billed=False) == 1
    assert billed_duration_ms(20.01, 130.49, init_billed=False) == 21


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_billed_duration_rejects_negative_and_non_finite(bad: float) -> None:
    """A negative or non-finite duration is an error that names the range."""
    with pytest.raises(ValueError, match="≥ 0"):
        billed_duration_ms(bad)


# --- GB-seconds and one charge ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("billed_ms", "memory_mb", "expected"),
    [
        (1, 128, "0.000125"),
        (1000, 1024, "1"),
        (3, 1536, "0.0045"),
        (121, 512, "0.0605"),
        (900_000, 10_240, "9000"),
        (1, 129, "0.0001259765625"),
    ],
)
def test_gb_seconds_are_exact(billed_ms: int, memory_mb: int, expected: str) -> None:
    """GB-s = ms / 1000 × MB / 1024, with no rounding at all."""
    assert gb_seconds(billed_ms, memory_mb) == D(expected)


def test_charge_for_a_warm_invocation_is_exact() -> None:
    """Request + tier-1 duration, to the last decimal (worked out beside WARM)."""
    charge = charge_for(WARM)
    assert charge.billed_ms == 121
    assert charge.init_billed_ms == 0
    assert charge.gb_seconds == D("0.0605")
    assert charge.request_cost == D("0.0000002")
    assert charge.duration_cost == D("0.00000100833535")
    assert charge.ephemeral_cost == 0
    assert charge.total == WARM_TOTAL


def test_charge_for_ephemeral_storage_above_512_mb() -> None:
    """1024 MB of /tmp bills 512 MB: 0.121 s × 0.5 GB × 0.0000000309 = 0.00000000186945."""
    charge = charge_for(WARM, ephemeral_storage_mb=1024)
    assert charge.ephemeral_cost == D("0.00000000186945")
    assert charge.total == WARM_TOTAL + D("0.00000000186945")


def test_charge_for_a_cold_start_separates_the_init_part() -> None:
    """132 billed ms of which 131 paid for init (the duration alone would bill 1 ms)."""
    charge = charge_for(COLD)
    assert charge.billed_ms == 132
    assert charge.init_billed_ms == 131
    assert charge.total == COLD_TOTAL


def test_charge_for_a_cold_start_whose_init_was_not_billed() -> None:
    """A REPORT that did not bill init (ZIP before Aug 2025) has no init part."""
    report = Report(
        "r",
        duration_ms=0.7,
        billed_duration_ms=1,
        memory_size_mb=128,
        max_memory_used_mb=40,
        init_duration_ms=130.49,
    )
    assert charge_for(report).init_billed_ms == 0


def test_arm64_uses_its_own_price() -> None:
    """1 GB-s on arm64 costs 0.0000133334, plus the request."""
    charge = charge_for(ARM, architecture="arm64")
    assert charge.total == ARM_TOTAL
    assert charge.architecture == "arm64"


def test_charge_for_rejects_an_unknown_architecture() -> None:
    """The message lists the valid architectures."""
    with pytest.raises(ValueError, match="x86_64, arm64"):
        charge_for(WARM, architecture="arm")


# --- the meter ---------------------------------------------------------------------------------


def test_meter_folds_invocations_across_architectures_and_ignores_other_events() -> None:
    """Three charges are summed; a start event and a log line change nothing."""
    meter = BillingMeter()
    started = InvocationStarted(at=0, function="a", request_id="x", env_id="e", cold=True)
    assert meter.observe(started) is None
    assert meter.observe(LogLine(at=0, function="a", text="START")) is None
    assert bill(meter, WARM, function="a").total == WARM_TOTAL
    assert bill(meter, ARM, function="b", architecture="arm64").total == ARM_TOTAL
    assert bill(meter, COLD, function="a").total == COLD_TOTAL

    assert meter.requests == 3
    assert meter.billed_ms == 121 + 1000 + 132
    assert meter.init_billed_ms == 131
    assert meter.gb_seconds == D("0.0605") + D("1") + D("0.0165")
    assert meter.cost == D("0.00001521673590")  # WARM_TOTAL + ARM_TOTAL + COLD_TOTAL
    assert [c.request_id for c in meter.charges] == ["r-warm", "r-arm", "r-cold"]
    assert meter.by_function["a"].requests == 2
    assert meter.by_function["a"].billed_ms == 253
    assert meter.by_function["a"].cost == D("0.00000168333590")
    assert meter.by_function["b"].cost == ARM_TOTAL


def test_meter_does_not_bill_dry_runs() -> None:
    """A DryRun only validates, so it costs nothing."""
    meter = BillingMeter()
    assert meter.observe(completed(WARM, invocation_type="DryRun")) is None
    assert meter.requests == 0


def test_meter_keeps_a_bounded_history_but_complete_totals() -> None:
    """Old charges fall off the list; the totals still count them."""
    meter = BillingMeter(history_limit=2)
    for report in (WARM, COLD, ARM):
        meter.observe(completed(report))
    assert [c.request_id for c in meter.charges] == ["r-cold", "r-arm"]
    assert meter.requests == 3


def test_meter_attached_to_a_real_bus_until_detached() -> None:
    """attach() bills published events; after detaching, nothing more is counted."""
    bus = EventBus()
    meter = BillingMeter()
    detach = meter.attach(bus)
    bus.publish(completed(WARM))
    bus.publish(LogLine(at=0, function="fn", text="hello"))
    bus.publish(completed(COLD))
    detach()
    bus.publish(completed(ARM, architecture="arm64"))
    assert meter.requests == 2
    assert meter.cost == WARM_TOTAL + COLD_TOTAL


def test_free_tier_covers_the_first_400k_gb_seconds() -> None:
    """Each 900 s × 10 GB run is 9,000 GB-s: 44 are free, the 45th pays for 5,000 GB-s."""
    big = Report(
        "big",
        duration_ms=899_999.5,
        billed_duration_ms=900_000,
        memory_size_mb=10_240,
        max_memory_used_mb=500,
    )
    meter = BillingMeter(free_tier=True)
    assert all(bill(meter, big).total == 0 for _ in range(44))
    partial = bill(meter, big)
    assert partial.free_gb_seconds == 4_000
    assert partial.request_cost == 0  # still inside the first 1M requests
    assert partial.total == D("0.0833335")  # 5,000 × 0.0000166667
    assert bill(meter, big).total == D("0.1500003")  # 9,000 × 0.0000166667, request still free
    assert meter.cost == D("0.2333338")
    assert bill(BillingMeter(), big).total == D("0.1500005")  # without the free tier


def test_free_tier_covers_the_first_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests past the free allowance pay again (allowance shrunk to 2 to keep this quick)."""
    monkeypatch.setattr(billing_meter, "FREE_TIER_REQUESTS", 2)
    meter = BillingMeter(free_tier=True)
    costs = [bill(meter, WARM).request_cost for _ in range(3)]
    assert costs == [0, 0, D("0.0000002")]


# --- the monthly estimate --------------------------------------------------------------------


def test_monthly_estimate_matches_the_worked_example() -> None:
    """3M × 120.4 ms at 512 MB: $0.60 requests + 181,500 GB-s × 0.0000166667 = $3.63."""
    estimate = monthly_estimate(3_000_000, 120.4, 512)
    assert estimate.billed_ms_per_invocation == 121
    assert estimate.gb_seconds == 181_500
    assert estimate.request_cost == D("0.60")
    assert estimate.duration_cost == D("3.02500605")
    assert estimate.total == D("3.62500605")
    assert format_usd(estimate.total) == "$3.63"


def test_monthly_estimate_crosses_a_tier_boundary() -> None:
    """7 B GB-s on x86_64: 6 B × 0.0000166667 + 1 B × 0.0000150000 = $115,000.20."""
    # 1 GB for 1 s per invocation makes the GB-s equal to the invocation count.
    estimate = monthly_estimate(7_000_000_000, 1000, 1024)
    assert estimate.gb_seconds == 7_000_000_000
    assert [(t.tier, t.gb_seconds) for t in estimate.tier_charges] == [
        (1, D(6_000_000_000)),
        (2, D(1_000_000_000)),
    ]
    assert estimate.duration_cost == D("115000.2")
    assert estimate.request_cost == D("1400")
    assert estimate.total == D("116400.2")


def test_monthly_estimate_reaches_the_third_tier() -> None:
    """16 B GB-s: 6 B at tier 1, 9 B at tier 2, 1 B at tier 3 = 100,000.2 + 135,000 + 13,333.4."""
    estimate = monthly_estimate(16_000_000_000, 1000, 1024)
    assert [t.gb_seconds for t in estimate.tier_charges] == [6e9, 9e9, 1e9]
    assert estimate.duration_cost == D("248333.6")


def test_arm64_is_cheaper_for_the_same_load() -> None:
    """The same 7 B GB-s stay inside arm64's 7.5 B tier 1: 7 B × 0.0000133334 = $93,333.80."""
    x86 = monthly_estimate(7_000_000_000, 1000, 1024)
    arm = monthly_estimate(7_000_000_000, 1000, 1024, architecture="arm64")
    assert arm.duration_cost == D("93333.8")
    assert len(arm.tier_charges) == 1
    assert arm.total < x86.total


def test_monthly_free_tier_takes_off_requests_and_gb_seconds() -> None:
    """3M requests − 1M free = $0.40; 181,500 GB-s are all inside the 400,000 free."""
    estimate = monthly_estimate(3_000_000, 120.4, 512, free_tier=True)
    assert estimate.billable_requests == 2_000_000
    assert estimate.free_gb_seconds == 181_500
    assert estimate.billable_gb_seconds == 0
    assert estimate.total == D("0.40")


def test_monthly_free_tier_gb_seconds_come_out_of_tier_1() -> None:
    """With 7 B GB-s, tier 1 bills 6 B − 400,000 and tier 2 is unchanged."""
    estimate = monthly_estimate(7_000_000_000, 1000, 1024, free_tier=True)
    assert [t.gb_seconds for t in estimate.tier_charges] == [5_999_600_000, 1_000_000_000]


def test_monthly_cold_starts_add_their_init() -> None:
    """1% of 1M cold with 250 ms init add 10,000 × 250 ms = 312.5 GB-s at 128 MB."""
    estimate = monthly_estimate(1_000_000, 100, 128, cold_start_share=0.01, init_duration_ms=250)
    assert estimate.cold_invocations == 10_000
    assert estimate.cold_billed_ms == 350
    assert estimate.billed_ms_total == 102_500_000
    assert estimate.gb_seconds == D("12812.5")
    assert estimate.init_cost == D("0.00520834375")  # 312.5 × 0.0000166667
    assert estimate.total == D("0.41354209375")  # $0.20 + 12,812.5 × 0.0000166667


def test_explain_shows_each_term() -> None:
    """The lines of the worked example, exactly."""
    lines = monthly_estimate(3_000_000, 120.4, 512).explain()
    for expected in (
        "Requests: 3,000,000 × $0.20 per 1M = $0.60",
        "Billed duration: ceil(120.4 ms) = 121 ms per invocation",
        "Compute: 3,000,000 × 0.121 s × 512/1024 GB = 181,500 GB-s",
        "Duration cost: 181,500 GB-s × $0.0000166667 = $3.03",
        "Total: $3.63 per month",
    ):
        assert expected in lines
    assert not any(line.startswith("Free tier") for line in lines)


def test_explain_shows_free_tier_tiers_storage_and_init() -> None:
    """Every optional term gets its own line when it applies."""
    text = "\n".join(
        monthly_estimate(
            7_000_000_000,
            1000,
            1024,
            free_tier=True,
            ephemeral_storage_mb=1024,
            cold_start_share=0.01,
            init_duration_ms=130.49,
        ).explain()
    )
    assert "Requests: 7,000,000,000 − 1,000,000 free = 6,999,000,000" in text
    assert "Cold starts: 7,000,000,000 × 1% = 70,000,000 invocations" in text
    assert "Free tier: −400,000 GB-s" in text
    assert "Duration cost, tier 1: 5,999,600,000 GB-s × $0.0000166667" in text
    assert "Duration cost, tier 2:" in text
    assert "Ephemeral storage:" in text and "$0.0000000309" in text
    assert "Init share:" in text and "1 August 2025" in text


def test_explain_names_the_1ms_minimum() -> None:
    """A 0 ms duration is shown being raised to 1 ms."""
    lines = monthly_estimate(10, 0, 128).explain()
    assert "Billed duration: ceil(0 ms) = 0 ms → the 1 ms minimum = 1 ms per invocation" in lines


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"memory_mb": 64}, "from 128 to 10,240 MB"),
        ({"memory_mb": 10_241}, "from 128 to 10,240 MB"),
        ({"memory_mb": 256.5}, "whole number"),
        ({"invocations": -1}, "≥ 0"),
        ({"duration_ms": -0.5}, "from 0 to 900,000 ms"),
        ({"architecture": "arm"}, "x86_64, arm64"),
        ({"cold_start_share": 1.5}, "from 0 to 1"),
        ({"cold_start_share": -0.1}, "from 0 to 1"),
        ({"init_duration_ms": -1}, "≥ 0 ms"),
        ({"ephemeral_storage_mb": 100}, "from 512 to 10,240 MB"),
    ],
)
def test_invalid_inputs_name_the_valid_range(change: dict[str, object], message: str) -> None:
    """Each bad input raises a ValueError whose message gives the valid range."""
    arguments: dict[str, object] = {"invocations": 1, "duration_ms": 10.0, "memory_mb": 128}
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        monthly_estimate(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("3.62500605", "$3.63"),
        ("1234.5", "$1,234.50"),
        ("0", "$0.00"),
        ("0.0000012083", "$0.0000012083"),
        ("0.00000120833535", "$0.0000012083"),
        ("0.0057", "$0.0057"),
    ],
)
def test_money_formatting(amount: str, text: str) -> None:
    """Cents for ordinary sums; more digits when the figure is under a cent."""
    assert format_usd(D(amount)) == text


def test_price_table_facts() -> None:
    """Tier ceilings are cumulative and arm64's tier 1 is the cheaper one."""
    x86, arm = PRICES["x86_64"], PRICES["arm64"]
    assert [t.up_to_gb_s for t in x86.duration_tiers] == [6e9, 15e9, None]
    assert [t.up_to_gb_s for t in arm.duration_tiers] == [7.5e9, 18.75e9, None]
    assert arm.duration_tiers[0].price_per_gb_s < x86.duration_tiers[0].price_per_gb_s
    assert x86.request_price * 1_000_000 == D("0.20")


# --- the `cost` command --------------------------------------------------------------------------


def run_cost(argv: list[str]) -> int:
    """Parse argv with a parser holding only `cost`, and run the chosen command."""
    parser = argparse.ArgumentParser(prog="lambda-workbench")
    cost.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cost_command_prints_the_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    """The worked example end to end through argparse."""
    argv = ["cost", "--invocations", "3000000", "--duration-ms", "120.4", "--memory-mb", "512"]
    assert run_cost(argv) == 0
    out, err = capsys.readouterr()
    assert "Total: $3.63 per month" in out.splitlines()
    assert "Compute: 3,000,000 × 0.121 s × 512/1024 GB = 181,500 GB-s" in out
    assert err == ""


def test_cost_command_passes_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--arch, --free-tier, storage and cold starts all reach the estimate."""
    argv = [
        "cost",
        "--invocations",
        "3000000",
        "--duration-ms",
        "120.4",
        "--memory-mb",
        "512",
        "--arch",
        "arm64",
        "--free-tier",
        "--ephemeral-mb",
        "1024",
        "--cold-start-share",
        "0.5",
        "--init-duration-ms",
        "200",
    ]
    assert run_cost(argv) == 0
    out = capsys.readouterr().out
    assert "Prices: AWS us-east-1, arm64" in out
    assert "Free tier:" in out
    assert "Ephemeral storage:" in out
    assert "Cold starts: 3,000,000 × 50% = 1,500,000" in out


def test_cost_command_reports_bad_memory_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Out-of-range memory returns 2 with an `error:` line naming the range."""
    argv = ["cost", "--invocations", "10", "--duration-ms", "5", "--memory-mb", "64"]
    assert run_cost(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: memory must be")
    assert "128 to 10,240 MB" in err
