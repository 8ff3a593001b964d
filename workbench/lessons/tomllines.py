"""Where each key of a TOML document is written, so schema errors can name a line.

tomllib reports lines for syntax errors only; this light scanner maps key paths such as
("checks", 2, "expect") to the line that defines them. It understands tables, arrays of
tables, dotted and quoted keys, and skips multi-line strings; anything it cannot place falls
back to the nearest enclosing key it did place.
"""

from __future__ import annotations

import re
import tomllib

KeyPath = tuple[str | int, ...]

_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEYS = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_SPLIT = re.compile(_PART)
_ERROR_LINE = re.compile(r"at line (\d+)")


def _parts(keys: str) -> list[str]:
    return [p[1:-1] if p[:1] in "\"'" else p for p in _SPLIT.findall(keys)]


class KeyLines:
    """The line of every key and table header in one TOML text."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._counts: dict[KeyPath, int] = {}
        # Scanned when a line is first asked for: most files of a sound pack never are.
        self._unscanned: tuple[str, int] | None = (text, first_line)

    def _resolve(self, parts: list[str]) -> KeyPath:
        """A header's path, with the latest index of each array of tables it passes through."""
        path: KeyPath = ()
        for part in parts[:-1]:
            path += (part,)
            if path in self._counts:
                path += (self._counts[path] - 1,)
        return (*path, parts[-1])

    def _scan(self, text: str, first_line: int) -> None:
        table: KeyPath = ()
        closing: str | None = None  # the delimiter of a multi-line string we are inside
        for number, raw in enumerate(text.splitlines(), first_line):
            line = raw.strip()
            if closing:
                if line.count(closing) % 2:
                    closing = None
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith("[["):
                path = self._resolve(_parts(line[2 : line.find("]]")]))
                index = self._counts.get(path, 0)
                self._counts[path] = index + 1
                table = (*path, index)
                self._lines.setdefault(table, number)
                self._lines.setdefault(path, number)
            elif line.startswith("["):
                table = self._resolve(_parts(line[1 : line.find("]")]))
                self._lines.setdefault(table, number)
            else:
                match = _KEYS.match(raw)
                if match:
                    self._lines.setdefault((*table, *_parts(match.group(1))), number)
                    rest = raw[match.end() :]
                    for quote in ('"""', "'''"):
                        if rest.count(quote) % 2:
                            closing = quote

    def line(self, path: KeyPath) -> int:
        """The line defining `path`, else that of its nearest placed ancestor, else 1."""
        if self._unscanned is not None:
            self._scan(*self._unscanned)
            self._unscanned = None
        for length in range(len(path), 0, -1):
            if path[:length] in self._lines:
                return self._lines[path[:length]]
        return 1


def format_path(path: KeyPath) -> str:
    """A key path as a reader would write it: checks[2].expect.statusCode."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def error_line(exc: tomllib.TOMLDecodeError, first_line: int = 1) -> int:
    """The line a TOML syntax error names (tomllib puts it in the message only)."""
    match = _ERROR_LINE.search(str(exc))
    return int(match.group(1)) + first_line - 1 if match else first_line
