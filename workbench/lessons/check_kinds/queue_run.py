"""Runners of the check kinds (declared in queue.py) about events that arrive later: SQS
batches and asynchronous destinations.

sqs_batch (an event source mapping on a local queue with a dead-letter queue), and
async_delivery (where an asynchronous invocation's record, or its event, ends up).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from workbench.core.clock import TeachingClock
from workbench.core.events import DestinationDelivered
from workbench.core.model import parse_target
from workbench.lessons.check_kinds.config_run import succeeded
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import short
from workbench.triggers.queue import Queue
from workbench.triggers.queue_batches import BatchResult, MappingError
from workbench.triggers.queue_poller import SqsEventSourceMapping

# Idle time (visibility timeouts) runs this much faster than real time during the check.
QUEUE_CLOCK_SPEED = 40.0
QUEUE_WAIT_S = 45.0
ASYNC_WAIT_S = 30.0


async def sqs_batch(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    clock = TeachingClock(QUEUE_CLOCK_SPEED)
    name = ctx.name[:70]
    dlq = Queue(f"{name}-dlq", clock=clock)
    try:
        queue = Queue(
            f"{name}-q",
            clock=clock,
            visibility_timeout_s=int(params.get("visibility_timeout_s", 30)),
            dead_letter_queue=dlq,
            max_receive_count=int(params.get("max_receive_count", 2)),
        )
        mapping = SqsEventSourceMapping(
            ctx.service,
            ctx.name,
            queue,
            batch_size=int(params.get("batch_size", 10)),
            report_batch_item_failures=bool(params.get("report_batch_item_failures", True)),
            max_concurrency=1,
        )
    except MappingError as exc:
        return failed(f"Lambda would refuse this event source mapping: {exc}")
    good = {queue.send_message(body): body for body in params["good"]}
    bad = {queue.send_message(body): body for body in params["bad"]}
    async with mapping:
        deadline = time.monotonic() + QUEUE_WAIT_S
        while len(queue) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    return _judge(queue, dlq, mapping.results, good, bad)


def _judge(
    queue: Queue, dlq: Queue, results: list[BatchResult], good: dict[str, str], bad: dict[str, str]
) -> Outcome:
    dead = {m.message_id for m in dlq.messages()}
    seen = Counter(i for r in results for i in r.message_ids)
    invalid = next((r for r in results if r.outcome == "invalid_response"), None)
    fields = {"dead_lettered": len(dead), "processed": sum(seen.values())}
    lost_good = [good[i] for i in good if i in dead]
    if lost_good:
        why = (
            f" (Lambda read the response as a complete failure: {invalid.detail})"
            if invalid
            else ": a function error, or a batchItemFailures list naming them, returns the "
            "whole batch or those messages to the queue"
        )
        return failed(
            f"{len(lost_good)} good message(s) ended in the dead-letter queue, e.g. "
            f"{short(lost_good[0])}{why}. Report only the failed messages' ids",
            **fields,
        )
    again = [good[i] for i in good if seen[i] > 1]
    if again:
        return failed(
            f"{len(again)} good message(s) were processed more than once (e.g. "
            f"{short(again[0])} {seen[next(iter(i for i in good if seen[i] > 1))]} times): a "
            'failure anywhere in the batch sent them back. Return {"batchItemFailures": '
            '[{"itemIdentifier": messageId}]} for the bad ones only',
            **fields,
        )
    missing_bad = [bad[i] for i in bad if i not in dead]
    if missing_bad:
        return failed(
            f"{len(missing_bad)} bad message(s) never reached the dead-letter queue, e.g. "
            f"{short(missing_bad[0])}: the function reported them as processed, so Lambda "
            "deleted them. List them in batchItemFailures",
            **fields,
        )
    if len(queue):
        return failed(f"{len(queue)} message(s) were still on the queue after the check", **fields)
    return passed(
        f"{len(good)} good message(s) processed once and deleted; {len(bad)} bad one(s) in the "
        f"dead-letter queue after {len(results)} batch(es)",
        **fields,
    )


async def async_delivery(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    config = ctx.service.function(ctx.name)
    target = parse_target(params["reaches"])
    allowed = int(params.get("max_retries", 0))
    success = params.get("condition") == "Success"
    if not success and config.max_retry_attempts > allowed:
        return failed(
            f"max_retry_attempts is {config.max_retry_attempts}: this event would be retried "
            "after 1 minute and again after 2, and it fails every time",
            reaches=params["reaches"],
        )
    routed = {
        "on_success": config.on_success,
        "on_failure": config.on_failure,
        "dead_letter": config.dead_letter,
    }
    targets = {k: parse_target(v) for k, v in routed.items() if v}
    if target not in targets.values():
        shown = ", ".join(f"{k} = {v}" for k, v in routed.items() if v) or "no destination"
        return failed(
            f"Nothing is routed to {params['reaches']}: the function has {shown}",
            reaches=params["reaches"],
        )
    payload = ctx.payload(params)
    event = json.loads(payload)
    before = len(ctx.service.destinations.messages(target))
    request_id = await ctx.service.invoke_event(ctx.name, payload)

    def arrived() -> tuple[list[Any], list[Any]]:
        """This invocation's records and bare events at the target (other functions may
        share the queue, so nothing else counts)."""
        kept = ctx.service.destinations.messages(target)[before:]
        records = [b for b in kept if _is_record(b) and _request_of(b) == request_id]
        return records, [b for b in kept if b == event]

    deadline = time.monotonic() + ASYNC_WAIT_S
    records, events = arrived()
    while not (records or events) and time.monotonic() < deadline:
        if not success and succeeded(ctx, request_id) and config.on_success is None:
            return failed(
                "The invocation succeeded, so nothing is sent where failures go",
                reaches=params["reaches"],
            )
        await asyncio.sleep(0.05)
        records, events = arrived()
    if not (records or events):
        went = [
            f"{e.destination} ({e.condition})"
            for e in ctx.service.bus.of_type(DestinationDelivered)
            if e.request_id == request_id
        ]
        return failed(
            f"Nothing reached {params['reaches']} within {ASYNC_WAIT_S:g} s; the outcome went "
            f"to {', '.join(went) or 'nowhere'}",
            reaches=params["reaches"],
        )
    if params["as"] == "event":
        if not events:
            return failed(
                f"{params['reaches']} got an invocation record, not the event itself: a "
                "dead-letter queue (dead_letter) receives only the event; a destination "
                "(on_failure) the record",
                reaches=params["reaches"],
            )
        return passed(f"The event reached {params['reaches']}", reaches=params["reaches"])
    if not records:
        return failed(
            f"{params['reaches']} got only the event, not the invocation record: that is what "
            "a dead-letter queue receives; a destination (on_success / on_failure) gets the "
            "record",
            reaches=params["reaches"],
        )
    condition = records[-1]["requestContext"].get("condition")
    wanted = params.get("condition")
    if wanted and condition != wanted:
        return failed(
            f"The record's condition is {condition}, expected {wanted}",
            reaches=params["reaches"],
            condition=condition,
        )
    return passed(
        f"The record ({condition}) reached {params['reaches']}", reaches=params["reaches"]
    )


def _is_record(body: Any) -> bool:
    return isinstance(body, dict) and "requestContext" in body and "requestPayload" in body


def _request_of(record: dict[str, Any]) -> Any:
    return record["requestContext"].get("requestId")
