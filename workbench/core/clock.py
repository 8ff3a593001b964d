"""Injected time, so tests and teaching controls can own the clock.

The teaching clock runs idle time faster (or slower) than real time, so that minutes of idle
before an environment is reaped can be watched in seconds. While any invocation runs it keeps
real time: durations, timeouts and billing stay true, and the timeline, billing and reaper
all read the same clock, so they agree.

What leaves the service for the runtime or the learner's log — an invocation's deadline
(Lambda-Runtime-Deadline-Ms, which the runtime compares with its own real clock) and the
timestamps written into log lines — is stamped with `real_now`, never with the teaching time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

SPEED_RANGE = (0.1, 1000.0)


class Clock(Protocol):
    """Wall time for timestamps and a monotonic time for durations."""

    def now(self) -> float:
        """Seconds since the epoch, on the (possibly sped-up) teaching clock."""
        ...

    def real_now(self) -> float:
        """Seconds since the epoch by the real clock: deadlines and log timestamps."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def real_time(self) -> AbstractContextManager[None]:
        """While held (an invocation runs), the clock runs at real speed."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def real_now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def real_time(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()


class TeachingClock:
    """Real time while anything runs; `speed` × real time while everything is idle."""

    def __init__(self, speed: float = 1.0) -> None:
        self._real_base = time.monotonic()
        self._simulated_base = self._real_base
        self._epoch_offset = time.time() - self._real_base
        self._busy = 0
        self._speed = 1.0
        self.set_speed(speed)

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change how fast idle time passes (0.1 to 1,000 × real time)."""
        low, high = SPEED_RANGE
        if not low <= speed <= high:
            raise ValueError(f"clock speed {speed} is out of range: use {low} to {high:,.0f}")
        self._rebase()
        self._speed = float(speed)

    def _rate(self) -> float:
        return 1.0 if self._busy else self._speed

    def _rebase(self) -> None:
        real = time.monotonic()
        self._simulated_base += (real - self._real_base) * self._rate()
        self._real_base = real

    def monotonic(self) -> float:
        return self._simulated_base + (time.monotonic() - self._real_base) * self._rate()

    def now(self) -> float:
        return self.monotonic() + self._epoch_offset

    def real_now(self) -> float:
        return time.time()

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        self._rebase()
        self._busy += 1
        try:
            yield
        finally:
            self._rebase()
            self._busy -= 1

    def real_time(self) -> AbstractContextManager[None]:
        return self._held()
