"""Reads a runtime's merged stdout/stderr and turns it into log lines, bounded.

The runtime writes its output before it makes its next Runtime API call, so draining the
pipe when that call arrives gives every line to the right invocation, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

MAX_LINE_BYTES = 256 * 1024  # CloudWatch's event size; longer lines are split, as Lambda does
_READ_CHUNK = 64 * 1024


def _character_boundary(raw: bytes, limit: int) -> int:
    """The largest cut ≤ limit that does not split a UTF-8 character."""
    cut = limit
    while cut > limit - 4 and cut > 0 and raw[cut] & 0xC0 == 0x80:  # continuation byte
        cut -= 1
    return cut if cut > 0 else limit


class LogReader:
    """Splits what arrives on a non-blocking fd into lines and passes them to on_line."""

    def __init__(self, fd: int, on_line: Callable[[str], None]) -> None:
        self._fd = fd
        self._on_line = on_line
        self._partial = b""
        self._closed = False
        self._loop = asyncio.get_running_loop()
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self.drain)

    def drain(self) -> None:
        """Read everything available now; called by the loop and before END lines."""
        if self._closed:
            return
        while True:
            try:
                chunk = os.read(self._fd, _READ_CHUNK)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self._stop_watching()
                break
            self._feed(chunk)

    def flush(self) -> None:
        """Drain, then emit a trailing line that has no newline yet."""
        self.drain()
        if self._partial:
            self._emit(self._partial)
            self._partial = b""

    def _feed(self, chunk: bytes) -> None:
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self._emit(line)
        while len(self._partial) > MAX_LINE_BYTES:
            cut = _character_boundary(self._partial, MAX_LINE_BYTES)
            self._emit(self._partial[:cut])
            self._partial = self._partial[cut:]

    def _emit(self, raw: bytes) -> None:
        while True:
            cut = (
                _character_boundary(raw, MAX_LINE_BYTES) if len(raw) > MAX_LINE_BYTES else len(raw)
            )
            self._on_line(raw[:cut].decode("utf-8", "replace").rstrip("\r"))
            raw = raw[cut:]
            if not raw:
                return

    def _stop_watching(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(self._fd)

    def close(self) -> None:
        """Emit what is left and stop reading; the fd is closed by its owner."""
        self.flush()
        self._stop_watching()
