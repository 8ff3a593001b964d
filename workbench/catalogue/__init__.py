"""Sample events: an index plus one JSON body per event (the catalogue grows with triggers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent / "events"


class CatalogueError(LookupError):
    """An unknown sample key or a broken sample file."""


def sample_keys() -> list[str]:
    return sorted(path.stem for path in EVENTS_DIR.glob("*.json"))


def load_sample(key: str) -> Any:
    """The JSON body of a sample event, by key (e.g. 's3-put')."""
    path = EVENTS_DIR / f"{key}.json"
    if not path.is_file():
        raise CatalogueError(
            f"no sample event {key!r}; available: {', '.join(sample_keys()) or 'none'}"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"sample event {key!r} is broken: {exc}") from None
