"""The memory sweep's sums and words: sizes parsed, the best points chosen, failures named."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from workbench.core.events import Report
from workbench.core.model import FunctionConfig
from workbench.core.outcomes import Served
from workbench.memory_sweep import SweepPoint, best, parse_sizes, why_failed


def test_sizes_parse_and_the_best_point_is_chosen():
    """Sizes are whole MB within Lambda's range; cheapest and fastest skip failing sizes."""
    assert parse_sizes("512, 128 256,128") == [128, 256, 512]
    with pytest.raises(ValueError, match="out of range"):
        parse_sizes("64")
    with pytest.raises(ValueError, match="not a whole number"):
        parse_sizes("1.5G")
    cheap = SweepPoint(128, (40.0,), (40,), (Decimal("0.000001"),))
    fast = SweepPoint(1024, (5.0,), (5,), (Decimal("0.000002"),))
    broken = SweepPoint(2048, (1.0,), (1,), (Decimal("0.0000001"),), errors=1)
    assert best([cheap, fast, broken]) == (cheap, fast)


def test_each_kind_of_failure_is_put_in_words(tmp_path):
    """Timeout, out of memory and an error with its message, grouped and counted per point."""
    config = FunctionConfig(name="f", code_dir=tmp_path, timeout_s=3, memory_mb=128)

    def served(status="error", error_type=None, body=None) -> Served:
        report = Report("r", 10.0, 10, 128, 128, status=status, error_type=error_type)
        return Served("r", json.dumps(body or {}).encode(), "Unhandled", report, "", False)

    timeout = why_failed(served("timeout", "Sandbox.Timedout"), config)
    assert timeout == "timed out (timeout 3 s)"
    oom = why_failed(served(error_type="Runtime.OutOfMemory"), config)
    assert oom == "ran out of memory at 128 MB"
    error = why_failed(
        served("success", body={"errorType": "KeyError", "errorMessage": "'name'"}), config
    )
    assert error == "failed: KeyError: 'name'"
    point = SweepPoint(
        128, (1.0, 2.0, 3.0), (1, 2, 3), (Decimal(0),) * 3, 3, 5.0, (oom, oom, error), oom
    )
    assert point.failure_text() == (
        "the cold start and 2 of 3 warm runs ran out of memory at 128 MB; "
        "1 of 3 warm runs failed: KeyError: 'name'"
    )
