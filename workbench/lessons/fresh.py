"""Fresh values for checks: events and expectations that change every time a check runs.

A lesson's events (events/*.json, events.toml params) and its checks' parameters may say
`${name}`, `${key}` and the like. Each check run draws new values, so an answer hard-coded
for the sample events fails, and an answer that decodes only the easy characters meets
spaces, `+`, parentheses and non-ASCII letters. Where no check is running (the app showing
an event, the try-it), the first value of each list stands in, so the samples read well.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

FIRST = ("Ada", "Zoë", "José", "Łukasz", "Mónica", "Chidi", "Søren", "Anaïs", "Grace", "Nguyễn")
LAST = ("Lovelace", "Hopper", "Müller", "O'Brien", "García", "Østergaard", "Dvořák", "Okafor")
WORDS = ("beach day", "café", "tabby cat", "año nuevo", "straße", "sunset", "façade", "niño")
CURRENCIES = ("GBP", "SEK", "CHF", "PLN", "DKK", "NOK")  # never the samples' EUR
PLACEHOLDER = re.compile(r"\$\{([a-z_0-9]+)\}")
# A string that is exactly one of these placeholders becomes a JSON number, not text.
NUMERIC = frozenset({"n", "big", "big_primes"})


def primes_below(limit: int) -> int:
    """How many primes are below limit (a sieve: the check's own answer, in milliseconds)."""
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(range(i * i, limit, i)))
    return sum(sieve)


def _draw(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    other = rng.choice([n for n in FIRST if n != first])
    n = rng.randint(2, 98)
    words = rng.choice(WORDS)
    file = f"{words} ({n})+{rng.choice(FIRST)}.jpg"  # space, parentheses, +, non-ASCII
    order = f"A-{rng.randint(1000, 9999)}"
    big = rng.randint(120_000, 160_000)
    return {
        "name": f"{first} {last}",
        "first": first,
        "other": other,  # a second person, never the same first name
        "name_q": quote(f"{first} {last}"),  # for a URL's query string
        "file": file,
        "file_stem": file.rsplit(".", 1)[0],
        "word": words,
        "n": str(n),
        "n2": f"{n:02d}",
        "currency": rng.choice(CURRENCIES),
        "big": str(big),
        "big_primes": str(primes_below(big)),
        "order": order,
        "token": f"{rng.getrandbits(40):010x}",
    }


# What shows where no check runs: the first of each list, readable and stable.
DEFAULTS: Mapping[str, str] = {
    "name": "Ada Lovelace",
    "first": "Ada",
    "other": "Bob",
    "name_q": "Ada%20Lovelace",
    "file": "beach day (2)+Zoë.jpg",
    "file_stem": "beach day (2)+Zoë",
    "word": "beach day",
    "n": "2",
    "n2": "02",
    "currency": "EUR",
    "big": "150000",
    "big_primes": "13848",
    "order": "A-1001",
    "token": "0000c0ffee",
}
NAMES: tuple[str, ...] = tuple(DEFAULTS)


def draw(seed: int | None = None) -> dict[str, str]:
    """New values for one check run (a seed makes them repeatable, for tests)."""
    return _draw(random.Random(seed))


def substitute(value: Any, values: Mapping[str, str] | None = None) -> Any:
    """`value` with every `${name}` in its strings (and keys) replaced; lists and dicts too."""
    chosen = values if values is not None else DEFAULTS
    replace: Callable[[re.Match[str]], str] = lambda m: chosen.get(m.group(1), m.group(0))  # noqa: E731
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in NUMERIC and whole.group(1) in chosen:
            return int(chosen[whole.group(1)])
        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, list):
        return [substitute(v, chosen) for v in value]
    if isinstance(value, tuple):
        return tuple(substitute(v, chosen) for v in value)
    if isinstance(value, Mapping):
        return {substitute(k, chosen): substitute(v, chosen) for k, v in value.items()}
    return value


def unknown(value: Any) -> list[str]:
    """Placeholder names used in value that are not known here (for `lessons check`)."""
    found: list[str] = []
    if isinstance(value, str):
        found += [n for n in PLACEHOLDER.findall(value) if n not in DEFAULTS]
    elif isinstance(value, list | tuple):
        for v in value:
            found += unknown(v)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            found += unknown(k) + unknown(v)
    return found
