"""Waiting for the first of several things to happen, with a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def first_of(waitables: dict[str, Awaitable[object]], timeout: float | None) -> str | None:
    """The key of the first waitable to complete, or None on timeout.

    Futures passed in are left running; coroutines are wrapped and cancelled if they lose.
    """
    tasks: dict[asyncio.Future[object], str] = {}
    created: list[asyncio.Future[object]] = []
    for key, waitable in waitables.items():
        future = asyncio.ensure_future(waitable)
        if future is not waitable:
            created.append(future)
        tasks[future] = key
    try:
        done, _pending = await asyncio.wait(
            tasks,
            timeout=max(timeout, 0.0) if timeout is not None else None,
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        for loser in created:
            if not loser.done():
                loser.cancel()
    if not done:
        return None
    # Prefer a result over an exit when both landed in the same loop turn.
    finished = {tasks[future] for future in done}
    return next(key for key in waitables if key in finished)
