"""The SQS event source mapping: Lambda's poller, reading a queue in batches for a function.

As on AWS (services-sqs-parameters, services-sqs-errorhandling, with-sqs):
- a batch holds up to BatchSize messages (1-10,000; default 10; over 10 needs a batching
  window of at least 1 s); with a window (0-300 s) the poller keeps gathering until the batch
  is full, the window ends, or the event would pass the 6 MB synchronous payload limit;
- the function is invoked synchronously; a success deletes the whole batch;
- a function error (or timeout) deletes nothing: every message comes back after the
  visibility timeout, its ApproximateReceiveCount one higher, and the redrive policy moves
  it to the dead-letter queue once that count passes maxReceiveCount;
- with ReportBatchItemFailures, `{"batchItemFailures": [{"itemIdentifier": id}]}` leaves
  only those messages; an empty or null list, or an empty or null response, is a complete
  success; invalid JSON, an empty, null, misnamed or unknown itemIdentifier is a complete
  failure;
- a throttle (429) is retried with back-off while the messages are still invisible; after
  that they return to the queue;
- the function's timeout may not exceed the queue's visibility timeout.

Not modelled: pollers scaling with the backlog (a fixed number of concurrent batches, see
DEFAULT_MAX_CONCURRENCY), and the back-off after function errors. Each batch's fate is
published as a BatchResult through a callback, for the CLI and the app's timeline.

Timing reads the queue's clock. With the teaching clock, a batch being handled counts as
activity (real time), like an invocation; idle waits for visibility timeouts run fast.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from workbench.core.clock import Clock
from workbench.core.errors import InvokeError
from workbench.core.service import SYNC_PAYLOAD_LIMIT, LambdaService
from workbench.triggers.queue import Queue, ReceivedMessage
from workbench.triggers.queue_batches import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    BatchResult,
    Outcome,
    PartialBatchVerdict,
    check_mapping_settings,
    interpret_batch_response,
)

THROTTLE_FIRST_DELAY_S = 1.0
THROTTLE_MAX_DELAY_S = 30.0
_EVENT_OVERHEAD = len(json.dumps({"Records": []}))
logger = logging.getLogger(__name__)
ResultCallback = Callable[[BatchResult], None]


class SqsEventSourceMapping:
    """Polls a queue and invokes a function with batches of its messages, until stopped."""

    def __init__(
        self,
        service: LambdaService,
        function: str,
        queue: Queue,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batching_window_s: float = 0.0,
        report_batch_item_failures: bool = False,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        on_result: ResultCallback | None = None,
        tick_s: float = 0.05,
    ) -> None:
        self.service = service
        self.function = function
        self.queue = queue
        self.batch_size = batch_size
        self.batching_window_s = batching_window_s
        self.report_batch_item_failures = report_batch_item_failures
        self.max_concurrency = max_concurrency
        self.tick_s = tick_s
        self._on_result = on_result
        self.clock = queue.clock
        self.results: list[BatchResult] = []
        check_mapping_settings(
            batch_size,
            batching_window_s,
            max_concurrency,
            function_timeout_s=service.function(function).timeout_s,
            visibility_timeout_s=queue.visibility_timeout_s,
        )
        self._slots = asyncio.Semaphore(max_concurrency)
        self._poller: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()

    # ----- running ---------------------------------------------------------------------
    def start(self) -> None:
        """Start polling in the background."""
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())

    async def stop(self, grace_s: float | None = None) -> None:
        """Stop polling; let running batches finish (up to grace_s), then cancel the rest."""
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        if self._batches:
            grace = grace_s if grace_s is not None else self._longest_invocation_s()
            _, pending = await asyncio.wait(set(self._batches), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def __aenter__(self) -> SqsEventSourceMapping:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def drained(self) -> bool:
        """Nothing left: no message in the queue (visible or in flight), no batch running."""
        return len(self.queue) == 0 and not self._batches

    async def wait_until_drained(self, timeout_s: float | None = None) -> bool:
        """Wait until drained(); False if timeout_s real seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        while not self.drained():
            if deadline is not None and loop.time() >= deadline:
                return False
            await asyncio.sleep(self.tick_s)
        return True

    def _longest_invocation_s(self) -> float:
        return self.service.function(self.function).timeout_s + self.service.init_limit_s + 1.0

    async def _poll(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                batch = await self._gather()
            except BaseException:
                self._slots.release()
                raise
            # The teaching clock keeps real time while a batch is handled, as it does while
            # an invocation runs: a stall before the invocation must not use up the batch's
            # visibility timeout at the accelerated idle speed.
            busy = _Busy(self.clock)
            busy.hold()
            task = asyncio.create_task(self._process(batch, busy))
            self._batches.add(task)
            task.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._batches.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            logger.error("a batch failed unexpectedly", exc_info=task.exception())

    async def _gather(self) -> list[ReceivedMessage]:
        """Receive messages until the batch is full, the window ends, or 6 MB is reached."""
        batch: list[ReceivedMessage] = []
        used = _EVENT_OVERHEAD
        deadline: float | None = None
        while True:
            got = self.queue.receive_messages(
                self.batch_size - len(batch), max_bytes=SYNC_PAYLOAD_LIMIT - used
            )
            batch.extend(got)
            used += sum(m.size for m in got)
            if len(batch) >= self.batch_size:
                return batch
            if batch:
                payload_full = self.queue.counts()[0] > 0  # a visible message did not fit
                if payload_full or self.batching_window_s <= 0:
                    return batch
                now = self.clock.monotonic()
                # Assumed: the window opens with the first message, so no empty invocation.
                deadline = deadline if deadline is not None else now + self.batching_window_s
                if now >= deadline:
                    return batch
            wait = self.tick_s
            if deadline is not None:
                wait = min(wait, max(deadline - self.clock.monotonic(), 0.0))
            await self.queue.wait_for_message(wait)

    async def _process(self, batch: list[ReceivedMessage], busy: _Busy) -> None:
        try:
            await self._handle(batch, busy)
        finally:
            busy.release()

    async def _handle(self, batch: list[ReceivedMessage], busy: _Busy) -> None:
        ids = tuple(m.message_id for m in batch)
        payload = json.dumps({"Records": [m.record for m in batch]}).encode()
        delay = THROTTLE_FIRST_DELAY_S
        while True:
            try:
                served = await self.service.invoke(self.function, payload)
                break
            except InvokeError as exc:
                if exc.status != 429:
                    detail = f"{exc.error_type}: {exc.message}"
                    self._publish(ids, "service_error", returned=ids, detail=detail)
                    return
                # Lambda retries a throttled batch while its messages are still invisible.
                deadline = min(m.visible_again_at for m in batch)
                retry = self.clock.monotonic() + delay < deadline
                self._publish(
                    ids,
                    "throttled",
                    returned=() if retry else ids,
                    detail=exc.reason or exc.error_type,
                    retrying=retry,
                )
                if not retry:
                    return
                busy.release()  # backing off is idle time
                await self._sleep_on_clock(delay)
                busy.hold()
                if self.clock.monotonic() >= deadline:  # the wait overran: they are back
                    self._publish(
                        ids,
                        "throttled",
                        returned=ids,
                        detail=f"{exc.reason or exc.error_type}; the visibility timeout ended",
                    )
                    return
                delay = min(delay * 2, THROTTLE_MAX_DELAY_S)
        request_id = served.request_id
        if served.function_error:
            detail = _error_summary(served.payload, served.function_error)
            self._publish(ids, "function_error", returned=ids, request_id=request_id, detail=detail)
            return
        verdict = PartialBatchVerdict(frozenset())
        if self.report_batch_item_failures:
            verdict = interpret_batch_response(served.payload, ids)
        if verdict.complete_failure:
            self._publish(
                ids,
                "invalid_response",
                returned=ids,
                request_id=request_id,
                detail=verdict.complete_failure,
            )
            return
        keep = [m for m in batch if m.message_id not in verdict.failed]
        deleted = tuple(m.message_id for m in keep if self.queue.delete_message(m.receipt_handle))
        returned = tuple(i for i in ids if i not in deleted)
        outcome: Outcome = "partial" if verdict.failed else "success"
        self._publish(ids, outcome, deleted=deleted, returned=returned, request_id=request_id)

    async def _sleep_on_clock(self, seconds: float) -> None:
        target = self.clock.monotonic() + seconds
        while (remaining := target - self.clock.monotonic()) > 0:
            await asyncio.sleep(min(remaining, self.tick_s))

    def _publish(
        self,
        ids: tuple[str, ...],
        outcome: Outcome,
        *,
        deleted: tuple[str, ...] = (),
        returned: tuple[str, ...] = (),
        request_id: str | None = None,
        detail: str = "",
        retrying: bool = False,
    ) -> None:
        result = BatchResult(
            self.clock.now(),
            self.queue.name,
            self.function,
            ids,
            outcome,
            deleted,
            returned,
            request_id,
            detail,
            retrying,
        )
        self.results.append(result)
        if self._on_result is not None:
            self._on_result(result)


class _Busy:
    """Holds the clock at real speed (Clock.real_time) until released; can hold again."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._held: AbstractContextManager[None] | None = None

    def hold(self) -> None:
        if self._held is None:
            self._held = self._clock.real_time()
            self._held.__enter__()

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)


def _error_summary(payload: bytes, function_error: str) -> str:
    """`errorType: errorMessage` from a function error's payload."""
    try:
        body = json.loads(payload)
    except ValueError:
        return function_error
    if isinstance(body, dict) and "errorType" in body:
        return f"{body['errorType']}: {body.get('errorMessage', '')}".rstrip(": ")
    return function_error
