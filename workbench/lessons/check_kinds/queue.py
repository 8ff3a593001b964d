"""Check kinds about events that arrive later: sqs_batch, async_delivery (runners: queue_run)."""

from __future__ import annotations

from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field

RUNNERS = "workbench.lessons.check_kinds.queue_run"  # imported when one of these checks runs

SQS_BATCH = declare(
    "sqs_batch",
    "Send messages to a local queue (with a dead-letter queue) polled by an event source "
    "mapping; every good message must be processed once and deleted, every bad one must end "
    "in the dead-letter queue.",
    {
        "good": Field("list", "bodies of messages the function must process", True, items="string"),
        "bad": Field("list", "bodies the function must report as failures", True, items="string"),
        "batch_size": Field("integer", "the mapping's BatchSize (default 10)", minimum=1),
        "visibility_timeout_s": Field("integer", "the queue's (default 30)", minimum=1),
        "max_receive_count": Field("integer", "the redrive policy's (default 2)", minimum=1),
        "report_batch_item_failures": Field("boolean", "the mapping's setting (default true)"),
    },
    ("dead_lettered", "processed"),
    runner=RUNNERS,
)


ASYNC_DELIVERY = declare(
    "async_delivery",
    "Invoke asynchronously; the outcome must reach `reaches` (a destination gets the "
    "invocation record, a dead-letter queue only the event).",
    {
        **EVENT_PARAMS,
        "reaches": Field("string", "the target, e.g. queue:receipts", True),
        "as": Field("string", "what arrives there", True, choices=("record", "event")),
        "condition": Field("string", "the record's condition, e.g. Success or RetriesExhausted"),
        "max_retries": Field("integer", "the most retries allowed (default 0)", minimum=0),
    },
    ("reaches", "condition"),
    runner=RUNNERS,
)

KINDS = (
    SQS_BATCH,
    ASYNC_DELIVERY,
)
