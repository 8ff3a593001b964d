"""Carries out a lesson's action buttons (`[label](action:KIND?…)`) in the app.

One method per action kind (workbench/lessons/actions.py defines them); each calls an
intent of the window (workbench/ui/intents.py), never a pane's widgets, so a button does
exactly what the learner could do by hand and its effect shows in the same timeline, logs
and billing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from workbench.lessons.actions import Action, ActionError, parse_action
from workbench.ui.intents import IntentError
from workbench.ui.tasks import spawn

if TYPE_CHECKING:
    from workbench.ui.lessons.reader_parts import ReaderParts

SAMPLE_FOLDER = "events"  # bucket-put's sample= names a file of the lesson's events/ folder


class ActionRunner:
    """Runs action links for the lesson reader; `last` is the task of the last one run."""

    def __init__(self, reader: ReaderParts) -> None:
        self.reader = reader
        self.window = reader.window
        self.last: asyncio.Task[Any] | None = None
        self._kinds: dict[str, Callable[..., Awaitable[object] | object]] = {
            "invoke": self.invoke,
            "warm-then-burst": self.warm_then_burst,
            "set": self.set_settings,
            "rate": self.rate,
            "bucket-put": self.bucket_put,
            "api-call": self.api_call,
            "queue-send": self.queue_send,
            "show": self.show,
            "load": self.load,
        }

    def run(self, href: str) -> asyncio.Task[Any] | None:
        """Carry out an action link; a task when it runs on (invocations, requests)."""
        try:
            action = parse_action(href)
        except ActionError as exc:
            self.window.show_message(f"This lesson link cannot run: {exc}")
            return None
        self.window.show_message(f"▶ {action.describe()}")
        try:
            outcome = self._kinds[action.kind](**action.params)
        except (IntentError, ActionError, KeyError, OSError) as exc:
            self._failed(action, exc)
            return None
        if asyncio.iscoroutine(outcome):
            self.last = spawn(self._guarded(action, outcome))
        elif isinstance(outcome, asyncio.Task):
            self.last = outcome
        else:
            self.last = None
        return self.last

    async def _guarded(self, action: Action, work: Awaitable[object]) -> object:
        try:
            return await work
        except (IntentError, ActionError, KeyError, ValueError, OSError) as exc:
            self._failed(action, exc)
            return None
        except Exception as exc:  # a trigger that could not start: say so, never crash Qt
            self._failed(action, exc)
            return None

    def _failed(self, action: Action, exc: BaseException) -> None:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        self.window.show_message(f"✗ Could not {action.describe()}: {text}")

    # ----- one method per kind ---------------------------------------------------------------
    async def invoke(self, times: int, mode: str, type: str, event: str) -> None:
        intents = self.window.intents
        if event:
            lesson = self.reader.lesson
            if lesson is None or event not in lesson.events:
                raise ActionError(f"the lesson has no event {event!r}")
            intents.set_event(lesson.event(event).text())
        await intents.invoke(times, at_once=mode == "parallel", asynchronous=type == "async")

    async def warm_then_burst(self, burst: int) -> None:
        await self.window.intents.warm_then_burst(burst)

    def set_settings(self, **settings: object) -> bool:
        return self.window.intents.apply_settings(**settings)

    def rate(self, per_second: float, seconds: float) -> asyncio.Task[object] | None:
        return self.window.intents.run_at_rate(per_second, seconds)

    async def bucket_put(self, key: str, sample: str) -> None:
        data = b"uploaded by a lesson\n"
        if sample:
            lesson = self.reader.lesson
            if lesson is None:
                raise ActionError("no lesson is open")
            source = lesson.folder / SAMPLE_FOLDER / sample
            if not source.is_file():
                raise ActionError(f"the lesson has no file {SAMPLE_FOLDER}/{sample}")
            data = source.read_bytes()
        path = await self.window.intents.put_object(key, data)
        self.window.show_message(f"Put {key} into the bucket ({path}): the S3 trigger fires")

    def api_call(self, method: str, path: str, body: str) -> asyncio.Task[str] | None:
        return self.window.intents.call_api(method, path, body)

    async def queue_send(self, body: str, count: int) -> None:
        ids = await self.window.intents.send_messages(body, count)
        noun = "message" if count == 1 else "messages"
        self.window.show_message(f"Sent {len(ids)} {noun} to the queue: the mapping polls it")

    def show(self, pane: str) -> None:
        self.window.intents.show_pane(pane)

    def load(self, code: str) -> None:
        self.reader.try_it(code=code)
