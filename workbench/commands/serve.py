"""Placeholder replaced by the Invoke API implementation."""

from typing import Any


def register(subparsers: Any) -> None:
    pass
