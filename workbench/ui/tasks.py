"""Start coroutines from Qt slots, keep them alive, and send their errors to sys.excepthook."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

# asyncio keeps only weak references to tasks: hold them here until they finish.
_running: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run coro on the (qasync) loop; an exception it raises reaches sys.excepthook."""
    task = asyncio.ensure_future(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def running() -> list[asyncio.Task[Any]]:
    """Tasks started with spawn that have not finished yet."""
    return [task for task in _running if not task.done()]


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
