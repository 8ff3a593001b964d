"""The concurrency gate: reservations, the shared pool, and the machine-sized account limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.concurrency import (
    ACCOUNT_LIMIT,
    RESERVED_LIMIT,
    AccountLimit,
    ConcurrencyGate,
    machine_account_limit,
)
from workbench.core.model import ConfigError, FunctionConfig


def _fn(name: str, reserved: int | None = None) -> FunctionConfig:
    return FunctionConfig(name, Path("."), reserved_concurrency=reserved)


def test_the_account_limit_follows_the_machine_and_says_so():
    small = machine_account_limit(total_memory_mb=24 * 1024)
    assert small.limit == 192 and "24 GiB" in small.origin
    assert machine_account_limit(total_memory_mb=512 * 1024).limit == 1000
    assert machine_account_limit(total_memory_mb=512).limit == 10


def test_reserved_functions_are_capped_and_others_share_the_rest():
    gate = ConcurrencyGate(AccountLimit(10, "test"))
    gate.configure(_fn("vip", reserved=3))
    gate.configure(_fn("crowd"))
    assert [gate.try_admit("vip") for _ in range(3)] == [None, None, None]
    assert gate.try_admit("vip").reason == RESERVED_LIMIT
    assert [gate.try_admit("crowd") for _ in range(7)] == [None] * 7
    assert gate.try_admit("crowd").reason == ACCOUNT_LIMIT
    gate.release("crowd")
    assert gate.try_admit("crowd") is None
    assert gate.in_flight() == 10


def test_reservations_must_leave_some_concurrency_unreserved():
    gate = ConcurrencyGate(AccountLimit(100, "test"))
    gate.configure(_fn("a", reserved=80))
    with pytest.raises(ConfigError, match="at most 10 is available"):
        gate.configure(_fn("b", reserved=11))
    gate.configure(_fn("a", reserved=None))  # removing a reservation frees it
    gate.configure(_fn("b", reserved=90))


def test_zero_disables_a_function():
    gate = ConcurrencyGate(AccountLimit(10, "test"))
    gate.configure(_fn("off", reserved=0))
    throttle = gate.try_admit("off")
    assert throttle is not None and "disabled" in throttle.message
