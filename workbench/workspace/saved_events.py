"""Named test events saved per function, as the Lambda console keeps them.

Like the console's private test events: up to 10 per function, names of up to 25 letters,
digits, dots, hyphens and underscores. They live in the user data dir, one JSON file per
function, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

MAX_EVENTS = 10
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,25}$")


class SavedEventError(ValueError):
    """A test event cannot be saved: bad name, invalid JSON, or no room left."""


def check_name(name: str) -> str:
    """The name, stripped, if the console would accept it; SavedEventError otherwise."""
    name = name.strip()
    if not NAME_RE.fullmatch(name):
        raise SavedEventError(
            "Event names have 1 to 25 letters, digits, dots (.), hyphens (-) or underscores (_)"
        )
    return name


class SavedEvents:
    """The saved test events of every function, in one folder (one file per function)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, function: str) -> Path:
        """The file holding a function's events (function names are already file-safe)."""
        return self.folder / f"{function}.json"

    def load(self, function: str) -> dict[str, str]:
        """Name → JSON text of a function's events, oldest first; {} if none or unreadable."""
        try:
            data = json.loads(self.path_for(function).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, dict):
            return {}
        return {str(k): str(v) for k, v in events.items() if isinstance(v, str)}

    def save(self, function: str, name: str, text: str) -> str:
        """Save (or overwrite) one event; returns the name used. Blocks briefly on disk I/O."""
        name = check_name(name)
        try:
            json.loads(text or "{}")
        except ValueError as exc:
            raise SavedEventError(f"Not saved: the event is not valid JSON ({exc})") from None
        events = self.load(function)
        if name not in events and len(events) >= MAX_EVENTS:
            raise SavedEventError(
                f"A function keeps up to {MAX_EVENTS} saved events: delete one first"
            )
        events[name] = text
        self._write(function, events)
        return name

    def delete(self, function: str, name: str) -> bool:
        """Forget one event; returns whether it existed."""
        events = self.load(function)
        if events.pop(name, None) is None:
            return False
        self._write(function, events)
        return True

    def _write(self, function: str, events: dict[str, str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"function": function, "events": events}, indent=2)
        # Write then rename: a crash mid-write never loses the events saved before.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
            os.replace(tmp, self.path_for(function))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
