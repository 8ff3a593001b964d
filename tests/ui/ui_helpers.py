"""Helpers for UI tests: bounded runs on a qasync loop, waiting, and recorded dialogs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from workbench.ui import tasks

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
RUN_LIMIT_S = 30.0


def run(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], limit: float = RUN_LIMIT_S
):
    """Run a coroutine on the qasync loop (Qt events are processed meanwhile), bounded."""
    return loop.run_until_complete(asyncio.wait_for(coro, limit))


async def wait_for(predicate: Callable[[], bool], limit: float = RUN_LIMIT_S) -> None:
    """Poll until predicate holds; AssertionError after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def spawned_tasks_done(limit: float = RUN_LIMIT_S) -> None:
    """Wait for every task the UI spawned (e.g. an invocation started by a click)."""
    await wait_for(lambda: not tasks.running(), limit)


class RestoreAnswers:
    """Stands in for the restore dialog: answers `answer` and records each question."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[Path] = []

    def __call__(self, _parent: Any, source: Path) -> bool:
        self.asked.append(source)
        return self.answer
