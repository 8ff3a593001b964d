"""The teaching clock: idle time runs fast, invocations keep real time."""

from __future__ import annotations

import time

import pytest

from workbench.core.clock import TeachingClock


def test_idle_time_runs_at_the_chosen_speed():
    clock = TeachingClock(speed=100)
    start = clock.monotonic()
    time.sleep(0.05)
    assert 4.0 <= clock.monotonic() - start <= 15.0


def test_time_is_real_while_an_invocation_runs():
    clock = TeachingClock(speed=100)
    with clock.real_time():
        start = clock.monotonic()
        time.sleep(0.05)
        elapsed = clock.monotonic() - start
    assert 0.04 <= elapsed <= 0.5


def test_wall_time_moves_with_the_monotonic_time_and_never_jumps_back():
    clock = TeachingClock(speed=50)
    first_wall, first_mono = clock.now(), clock.monotonic()
    time.sleep(0.02)
    clock.set_speed(1)
    assert clock.now() - first_wall == pytest.approx(clock.monotonic() - first_mono, abs=0.01)
    assert clock.monotonic() >= first_mono + 0.5


@pytest.mark.parametrize("speed", [0, 0.01, 5000])
def test_speeds_out_of_range_are_refused(speed):
    with pytest.raises(ValueError, match="out of range"):
        TeachingClock(speed=speed)
