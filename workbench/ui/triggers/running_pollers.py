"""The app's schedule and queue triggers: rules and pollers that wake on the service's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.triggers.queue import MessageDeadLettered, Queue, QueueEvent
from workbench.triggers.queue_poller import BatchResult, SqsEventSourceMapping
from workbench.triggers.schedule import ScheduleFiring, Scheduler, iso_utc, parse_schedule
from workbench.ui.triggers.running import STOP_GRACE_S, Log, Trigger
from workbench.ui.triggers.specs import QueueSpec, ScheduleSpec


class ScheduleTrigger(Trigger):
    """An EventBridge scheduled rule firing Scheduled Events on the service's clock."""

    kind, tag = "schedule", "schedule"

    def __init__(self, function: str, log: Log, spec: ScheduleSpec) -> None:
        super().__init__(function, log)
        self.spec = spec
        self.scheduler: Scheduler | None = None

    @property
    def title(self) -> str:
        return f"EventBridge schedule · {self.spec.expression}"

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        schedule = parse_schedule(self.spec.expression)
        self.scheduler = Scheduler(service, config.name, schedule, on_fire=self._fired)
        task = self.scheduler.start(fire_now=self.spec.fire_now)
        task.add_done_callback(self._ended)
        self.status = "running"
        self.log(f"rule {self.scheduler.rule}: {schedule.expression} → {config.name}")

    def details(self) -> list[str]:
        if self.scheduler is None:
            return []
        times = self.scheduler.next_fire_times(2) if self.status == "running" else []
        fired = len(self.scheduler.firings)
        upcoming = " then ".join(iso_utc(t) for t in times) or "no more fire times"
        now = datetime.fromtimestamp(self.scheduler.clock.now(), UTC)
        return [f"next: {upcoming} (UTC)", f"clock now {iso_utc(now)} · fired {fired} time(s)"]

    async def fire_now(self) -> None:
        """Send one Scheduled Event now, as the console's test does."""
        if self.scheduler is not None:
            await self.scheduler.fire()

    def _fired(self, firing: ScheduleFiring) -> None:
        self.log(firing.line(), firing.request_id)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.status != "running":
            return
        error = task.exception()
        self.status = f"failed: {error}" if error else "finished: no more fire times"
        self.log(f"the rule stopped: {self.status}")

    async def _stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()


class QueueTrigger(Trigger):
    """An SQS queue with a dead-letter queue, polled by an event source mapping."""

    kind, tag = "queue", "sqs"

    def __init__(self, function: str, log: Log, spec: QueueSpec) -> None:
        super().__init__(function, log)
        self.spec = spec
        self.queue: Queue | None = None
        self.dlq: Queue | None = None
        self.mapping: SqsEventSourceMapping | None = None

    @property
    def title(self) -> str:
        name = self.queue.name if self.queue else f"{self.function}-queue"
        return f"SQS queue · {name}"

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        name = f"{config.name[:70]}-queue"
        # Kept in the service's store (SQLite) when it has one: messages sent from the app
        # survive a crash and are delivered on the next start, as accepted messages must be.
        store = service.event_store
        self.dlq = Queue(f"{name}-dlq", clock=service.clock, store=store)
        self.queue = Queue(
            name,
            clock=service.clock,
            store=store,
            visibility_timeout_s=self.spec.visibility_timeout_s,
            dead_letter_queue=self.dlq,
            max_receive_count=self.spec.max_receive_count,
            on_event=self._queue_event,
        )
        self.mapping = SqsEventSourceMapping(
            service,
            config.name,
            self.queue,
            batch_size=self.spec.batch_size,
            batching_window_s=self.spec.window_s,
            report_batch_item_failures=self.spec.report_failures,
            on_result=self._result,
        )
        self.mapping.start()
        self.status = "running"
        self.log(f"{self.queue.arn} → {config.name}; dead-letter queue {self.dlq.name}")

    def send(self, body: str) -> str:
        """Send a message; its id. Raises QueueError for what SQS refuses."""
        assert self.queue is not None
        return self.queue.send_message(body)

    def details(self) -> list[str]:
        if self.queue is None or self.dlq is None:
            return []
        visible, in_flight = self.queue.counts()
        s = self.spec
        reporting = ", partial batch responses" if s.report_failures else ""
        return [
            f"batch {s.batch_size}, window {s.window_s} s, visibility {s.visibility_timeout_s} s,"
            f" DLQ after {s.max_receive_count} receives{reporting}",
            f"{visible} visible · {in_flight} in flight · {len(self.dlq)} in the dead-letter queue",
        ]

    def _queue_event(self, event: QueueEvent) -> None:
        if isinstance(event, MessageDeadLettered):
            self.log(
                f"message {event.message_id[:8]} moved to {event.dead_letter_queue} after "
                f"{event.receive_count} receives"
            )
        else:
            self.log(f"message {event.message_id[:8]} sent to {event.queue}")

    def _result(self, result: BatchResult) -> None:
        self.log(result.line(), result.request_id)

    async def _stop(self) -> None:
        if self.mapping is not None:
            await self.mapping.stop(grace_s=STOP_GRACE_S)
