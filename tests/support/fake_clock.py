"""A clock for tests that moves only when told to (implements workbench.core.clock.Clock)."""

from __future__ import annotations

import contextlib


class FakeClock:
    """Wall and monotonic time that advance together, only through `advance`."""

    def __init__(self, wall: float = 1_700_000_000.0, mono: float = 100.0) -> None:
        self.wall = wall
        self.mono = mono

    def now(self) -> float:
        return self.wall

    def real_now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def real_time(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds
