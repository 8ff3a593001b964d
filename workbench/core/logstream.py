"""Reads a runtime's merged stdout/stderr and turns it into log lines, bounded in bytes.

The runtime writes its output before it makes its next Runtime API call, so draining the
pipe when that call arrives gives every line to the right invocation, in order.

A line longer than a CloudWatch Logs event (1 MB since April 2025, 256 KB before:
InputLogEvent.message) is cut there; the rest of it is skipped as it arrives, never held,
and the line ends with a note of how many bytes were cut. How Lambda's own log delivery
treats such a line is not published.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

MAX_LINE_BYTES = 1024 * 1024  # CloudWatch Logs' largest event since April 2025
_READ_CHUNK = 64 * 1024


_NOTE_ROOM = 128  # bytes kept free for the note, so a cut line is at most MAX_LINE_BYTES


def cut_note(cut_bytes: int) -> str:
    """What ends a line that was cut."""
    return f" [workbench: line cut here, {cut_bytes:,} more bytes not kept (1 MB per log event)]"


def _whole_characters(raw: bytes) -> bytes:
    """raw without a UTF-8 character cut short at its end."""
    for back in range(1, min(4, len(raw)) + 1):
        lead = raw[-back]
        if lead & 0xC0 != 0x80:  # ASCII or the lead byte of a character
            size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            return raw if size <= back else raw[:-back]
    return raw


class LogReader:
    """Splits what arrives on a non-blocking fd into lines and passes them to on_line."""

    def __init__(self, fd: int, on_line: Callable[[str], None]) -> None:
        self._fd = fd
        self._on_line = on_line
        self._partial = bytearray()  # the line being read, at most MAX_LINE_BYTES
        self._skipped = 0  # bytes of the current line cut off after MAX_LINE_BYTES
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
        if self._partial or self._skipped:
            self._end_line()

    def _feed(self, chunk: bytes) -> None:
        start = 0
        while start < len(chunk):
            newline = chunk.find(b"\n", start)
            stop = len(chunk) if newline < 0 else newline
            room = MAX_LINE_BYTES - len(self._partial)
            taken = min(room, stop - start)
            self._partial += chunk[start : start + taken]
            self._skipped += stop - start - taken  # beyond the cap: counted, not kept
            if newline < 0:
                return
            self._end_line()
            start = newline + 1

    def _end_line(self) -> None:
        raw, skipped = bytes(self._partial), self._skipped
        self._partial.clear()
        self._skipped = 0
        if skipped:
            kept = _whole_characters(raw[: MAX_LINE_BYTES - _NOTE_ROOM])
            skipped += len(raw) - len(kept)
            raw = kept
        text = raw.decode("utf-8", "replace").rstrip("\r")
        self._on_line(text + cut_note(skipped) if skipped else text)

    def _stop_watching(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(self._fd)

    def close(self) -> None:
        """Emit what is left and stop reading; the fd is closed by its owner."""
        self.flush()
        self._stop_watching()
