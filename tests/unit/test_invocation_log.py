"""The per-invocation log cap counts bytes (and lines), keeps order, and says what was cut."""

from __future__ import annotations

from workbench.core.invocation_log import (
    MAX_BYTES_PER_INVOCATION,
    MAX_LINES_PER_INVOCATION,
    InvocationLog,
)


def test_long_lines_are_capped_by_bytes_and_the_notice_says_how_much():
    log = InvocationLog()
    log.begin("req-1")
    line = "x" * (100 * 1024 - 1)  # 100 KB with its newline
    admitted = [log.admit(line) for _ in range(100)]
    kept = admitted.count(True)
    assert kept == MAX_BYTES_PER_INVOCATION // (100 * 1024)
    assert admitted == [True] * kept + [False] * (100 - kept)  # the first ones, in order
    notice = log.dropped_notice()
    assert notice is not None and notice.startswith(f"[workbench] log cut: {100 - kept} more lines")
    assert "(7.8 MB)" in notice and "2.0 MB" in notice
    assert log.dropped_notice() is None  # said once


def test_a_small_line_after_the_cap_is_dropped_too_so_order_holds():
    log = InvocationLog()
    log.begin("req-1")
    assert log.admit("a" * (MAX_BYTES_PER_INVOCATION - 10))
    assert not log.admit("b" * 100)
    assert not log.admit("c")


def test_many_short_lines_hit_the_line_cap():
    log = InvocationLog()
    log.begin("req-1")
    results = [log.admit("hi") for _ in range(MAX_LINES_PER_INVOCATION + 5)]
    assert results.count(False) == 5
    assert "5 more lines (15 bytes)" in (log.dropped_notice() or "")


def test_a_new_invocation_starts_with_a_fresh_budget():
    log = InvocationLog()
    log.begin("req-1")
    log.admit("a" * MAX_BYTES_PER_INVOCATION)
    log.dropped_notice()
    log.end()
    log.begin("req-2")
    assert log.admit("a" * 1000)
    assert log.dropped_notice() is None


def test_lines_outside_an_invocation_are_not_counted():
    log = InvocationLog()
    assert all(log.admit("x" * 1024 * 1024) for _ in range(5))
