"""What the learner can ask the workspace to do, by intent: invoke, burst, change settings, run
at a rate, drop a file in the bucket, call the API, send to the queue, show a pane.

The lesson's action buttons (lessons/actions_runner.py) call these; each goes through the same
controller, triggers and load run as the panes' own buttons, so its effect shows in the same
timeline, logs and billing. Triggers an intent needs (bucket, API, queue) are started here
when the function has none yet.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.model import FunctionConfig
from workbench.triggers.api_trigger import ApiTrigger
from workbench.triggers.bucket_trigger import BucketTrigger
from workbench.triggers.queue_trigger import QueueTrigger
from workbench.triggers.registry import kind_of
from workbench.triggers.running import SpecDefaults, Trigger
from workbench.ui.request_panel import RequestPanel

if TYPE_CHECKING:
    from workbench.ui.window_port import WindowPort

# Action setting names (as function.toml) → FunctionConfig fields.
SETTING_FIELDS = {
    "memory": "memory_mb",
    "timeout": "timeout_s",
    "ephemeral_storage": "ephemeral_storage_mb",
    "reserved_concurrency": "reserved_concurrency",
    "provisioned_concurrency": "provisioned_concurrency",
}


class IntentError(Exception):
    """The workspace cannot do what was asked now; the message says why, for the learner."""


class WorkspaceIntents:
    """The window's intent-named operations (no pane internals leak to callers)."""

    def __init__(self, window: WindowPort) -> None:
        self.window = window
        # The request panel call_api fills; the window shows it as its Request tab.
        self.request_panel = RequestPanel(self.api_base)

    # ----- invoking --------------------------------------------------------------------
    def set_event(self, text: str) -> None:
        """Put an event in the event editor (what the next Invoke sends)."""
        self.window.set_event_text(text)

    async def invoke(
        self, times: int = 1, at_once: bool = False, asynchronous: bool = False
    ) -> None:
        """Invoke the function in the editor with the event in the event editor."""
        payload = self.window.event_text().encode("utf-8")
        await self.window.controller.invoke(payload, times, at_once, asynchronous)

    async def warm_then_burst(self, burst: int) -> None:
        """One invocation to warm an environment, then `burst` at once."""
        await self.invoke(1)
        await self.invoke(burst, at_once=True)

    def apply_settings(self, **settings: object) -> bool:
        """Change settings (function.toml names) and redeploy, as Apply in the settings pane."""
        config = self._config()
        changes: dict[str, object] = {}
        for name, value in settings.items():
            field = SETTING_FIELDS[name]
            if field == "provisioned_concurrency" and value is None:
                value = 0  # "remove" provisioned concurrency
            changes[field] = value
        return self.window.controller.apply_settings(config.with_changes(**changes))

    def run_at_rate(self, per_second: float, seconds: float) -> asyncio.Task[object] | None:
        """Invoke at a steady rate for a while (the Load tab, shown with its live figures)."""
        load = self.window.trigger_ui.load_pane
        self.window.show_side(load)
        return load.run_at(per_second, seconds)  # type: ignore[return-value]

    # ----- triggers --------------------------------------------------------------------
    async def put_object(self, key: str, data: bytes) -> Path:
        """Write an object into the function's bucket (starting one): the S3 trigger fires."""
        bucket = await self._trigger(BucketTrigger)
        assert isinstance(bucket, BucketTrigger)
        target = bucket.root / key
        if bucket.root not in target.resolve().parents:
            raise IntentError(f"the key {key!r} leaves the bucket folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(target.write_bytes, data)
        self.window.show_side(self.window.trigger_ui.bucket_view)
        return target

    async def api_base(self) -> str:
        """The base URL of the function's API Gateway trigger (starting one)."""
        api = await self._trigger(ApiTrigger)
        assert isinstance(api, ApiTrigger)
        return api.url

    def call_api(self, method: str, path: str, body: str = "") -> asyncio.Task[str] | None:
        """Send a request through the request panel (shown), as a client of the API would."""
        panel = self.request_panel
        panel.fill(method, path, body)
        self.window.show_side(panel)
        return panel.send()

    async def send_messages(self, body: str, count: int = 1) -> list[str]:
        """Send messages to the function's queue (starting one with its event source mapping)."""
        queue = await self._trigger(QueueTrigger)
        assert isinstance(queue, QueueTrigger)
        ids = [queue.send(body) for _ in range(count)]
        self.window.show_side(self.window.trigger_ui.panel)
        return ids

    async def _trigger(self, kind: type[Trigger]) -> Trigger:
        manager = self.window.trigger_ui.manager
        for trigger in manager.triggers:
            if isinstance(trigger, kind) and trigger.status == "running":
                return trigger
        defaults = SpecDefaults(self._config(), self.window.trigger_ui.buckets_dir)
        trigger = await manager.add(kind_of(kind).default_spec(defaults))
        self.window.show_message(f"Added: {trigger.title}")
        return trigger

    # ----- panes -----------------------------------------------------------------------
    def show_pane(self, name: str) -> None:
        """Bring a pane to the front: timeline, logs, result, billing or editor."""
        self.window.show_pane(name)

    def _config(self) -> FunctionConfig:
        config = self.window.controller.config
        if config is None:
            raise IntentError("no function is open: load the lesson's code first")
        return config
