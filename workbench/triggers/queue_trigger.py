"""The SQS queue trigger: messages sent to a queue invoke the function in batches, through
Lambda's poller (synchronous invocations). Its spec and checks, its runner (a queue with a
dead-letter queue and its event source mapping, as `lambda-workbench queue` runs them) and its SAM
event; declared in workbench.triggers.kinds.queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.triggers.queue import (
    DEFAULT_VISIBILITY_TIMEOUT_S,
    VISIBILITY_TIMEOUT_RANGE_S,
    MessageDeadLettered,
    Queue,
    QueueEvent,
)
from workbench.triggers.queue_batches import DEFAULT_BATCH_SIZE, BatchResult, check_mapping_settings
from workbench.triggers.queue_poller import SqsEventSourceMapping
from workbench.triggers.running import (
    STOP_GRACE_S,
    Changed,
    Log,
    SamEvent,
    SpecDefaults,
    Trigger,
)

if TYPE_CHECKING:
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService
DEFAULT_MAX_RECEIVE_COUNT = 3  # before a message moves to the dead-letter queue (app and CLI)


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue (with a dead-letter queue) and its event source mapping."""

    batch_size: int = DEFAULT_BATCH_SIZE
    window_s: int = 0
    visibility_timeout_s: int = int(DEFAULT_VISIBILITY_TIMEOUT_S)
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    report_failures: bool = False

    kind = "queue"


def check_queue(spec: QueueSpec, function_timeout_s: float) -> None:
    """Raise MappingError for settings CreateEventSourceMapping would refuse."""
    check_mapping_settings(
        spec.batch_size,
        spec.window_s,
        function_timeout_s=function_timeout_s,
        visibility_timeout_s=spec.visibility_timeout_s,
    )


def default_spec(defaults: SpecDefaults) -> QueueSpec:
    """The mapping refuses a visibility timeout below the function's timeout; AWS suggests six
    times it (a message must not reappear while a batch still runs)."""
    suggested = max(QueueSpec().visibility_timeout_s, 6 * defaults.function.timeout_s)
    return QueueSpec(visibility_timeout_s=min(suggested, VISIBILITY_TIMEOUT_RANGE_S[1]))


class QueueTrigger(Trigger):
    """An SQS queue with a dead-letter queue, polled by an event source mapping."""

    kind, tag = "queue", "sqs"
    spec: QueueSpec

    def __init__(
        self, function: str, log: Log, spec: QueueSpec, changed: Changed | None = None
    ) -> None:
        super().__init__(function, log, spec, changed)
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


def sam_events(spec: QueueSpec, prefix: str) -> SamEvent:
    """An SQS event on a queue (and its dead-letter queue) declared in the same template."""
    queue, dlq = f"{prefix}Queue", f"{prefix}DeadLetterQueue"
    properties: dict[str, Any] = {
        "Queue": {"Fn::GetAtt": [queue, "Arn"]},
        "BatchSize": spec.batch_size,
        "MaximumBatchingWindowInSeconds": spec.window_s,
    }
    if spec.report_failures:
        properties["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    redrive = {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    queue_properties = {"VisibilityTimeout": spec.visibility_timeout_s, "RedrivePolicy": redrive}
    resources: dict[str, dict[str, Any]] = {
        queue: {"Type": "AWS::SQS::Queue", "Properties": queue_properties},
        dlq: {"Type": "AWS::SQS::Queue"},
    }
    return SamEvent({f"{prefix}Messages": {"Type": "SQS", "Properties": properties}}, resources)
