"""The log lines of the invocation in progress: attributed, capped, and the tail kept.

Every line the runtime prints while an invocation runs belongs to it; a handler that prints
megabytes is capped (the count of dropped lines is reported), and the last 4 KB are kept
for `X-Amz-Log-Result`.
"""

from __future__ import annotations

from collections import deque

MAX_LINES_PER_INVOCATION = 10_000
TAIL_BYTES = 4 * 1024


class InvocationLog:
    """Which request the runtime's lines belong to, and what of them is kept."""

    def __init__(self) -> None:
        self.request_id: str | None = None
        self._count = 0
        self._dropped = 0
        self._tail: deque[str] = deque()
        self._tail_bytes = 0

    def begin(self, request_id: str) -> None:
        self.request_id = request_id
        self._count = self._dropped = self._tail_bytes = 0
        self._tail.clear()

    def admit(self, text: str) -> bool:
        """Count a line; False when it is over the cap and must not be published."""
        if self.request_id is None:
            return True
        self._count += 1
        if self._count > MAX_LINES_PER_INVOCATION:
            self._dropped += 1
            return False
        self.keep(text)
        return True

    def keep(self, text: str) -> None:
        """Add a line to the tail without counting it against the cap."""
        self._tail.append(text)
        self._tail_bytes += len(text.encode()) + 1
        while self._tail_bytes > TAIL_BYTES and len(self._tail) > 1:
            self._tail_bytes -= len(self._tail.popleft().encode()) + 1

    def dropped_notice(self) -> str | None:
        """A line saying how many lines were not kept, once, or None."""
        if not self._dropped:
            return None
        dropped, self._dropped = self._dropped, 0
        return (
            f"[workbench] {dropped:,} more log lines of this invocation were not kept "
            f"(limit {MAX_LINES_PER_INVOCATION:,} lines per invocation)"
        )

    def tail(self) -> str:
        return "\n".join(self._tail)

    def end(self) -> None:
        self.request_id = None
