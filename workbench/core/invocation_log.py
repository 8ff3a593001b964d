"""The log lines of the invocation in progress: attributed, capped in bytes, the tail kept.

Every line the runtime prints while an invocation runs belongs to it. Lambda sends all of
it to CloudWatch (and bills it); the workbench keeps it in memory, so a handler that prints
megabytes is capped at MAX_BYTES_PER_INVOCATION (and MAX_LINES_PER_INVOCATION, which bounds
the event history): the rest is counted, not kept, and one line says what was cut. The last
4 KB are kept for `X-Amz-Log-Result`.
"""

from __future__ import annotations

from collections import deque

MAX_BYTES_PER_INVOCATION = 2 * 1024 * 1024  # two of CloudWatch's largest (1 MB) log events
MAX_LINES_PER_INVOCATION = 10_000
TAIL_BYTES = 4 * 1024


def _size(text: str) -> int:
    """Bytes of a line as printed: UTF-8 plus its newline."""
    return len(text.encode("utf-8", "replace")) + 1


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


class InvocationLog:
    """Which request the runtime's lines belong to, and what of them is kept."""

    def __init__(self) -> None:
        self.request_id: str | None = None
        self._count = self._bytes = 0
        self._dropped = self._dropped_bytes = 0
        self._tail: deque[str] = deque()
        self._tail_bytes = 0

    def begin(self, request_id: str) -> None:
        self.request_id = request_id
        self._count = self._bytes = self._dropped = self._dropped_bytes = self._tail_bytes = 0
        self._tail.clear()

    def admit(self, text: str) -> bool:
        """Count a line; False when it is over the cap and must not be published."""
        if self.request_id is None:
            return True
        size = _size(text)
        over = self._dropped or self._count >= MAX_LINES_PER_INVOCATION
        if over or self._bytes + size > MAX_BYTES_PER_INVOCATION:
            self._dropped += 1  # once over, every later line is dropped too: order holds
            self._dropped_bytes += size
            return False
        self._count += 1
        self._bytes += size
        self.keep(text)
        return True

    def keep(self, text: str) -> None:
        """Add a line to the tail without counting it against the cap."""
        self._tail.append(text)
        self._tail_bytes += _size(text)
        while self._tail_bytes > TAIL_BYTES and len(self._tail) > 1:
            self._tail_bytes -= _size(self._tail.popleft())

    def dropped_notice(self) -> str | None:
        """A line saying what of this invocation's log was not kept, once, or None."""
        if not self._dropped:
            return None
        lines, size = self._dropped, self._dropped_bytes
        self._dropped = self._dropped_bytes = 0
        return (
            f"[workbench] log cut: {lines:,} more lines ({_megabytes(size)}) of this invocation"
            f" were not kept; the workbench keeps {_megabytes(MAX_BYTES_PER_INVOCATION)}"
            f" or {MAX_LINES_PER_INVOCATION:,} lines per invocation (Lambda would send them"
            " all to CloudWatch Logs)"
        )

    def tail(self) -> str:
        return "\n".join(self._tail)

    def end(self) -> None:
        self.request_id = None
