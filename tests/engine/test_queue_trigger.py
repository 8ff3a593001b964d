"""The SQS-like queue and its event source mapping, and schedules, through the real engine.

First the queue's own semantics on a fake clock (visibility, receive counts, redrive) and how
a partial batch response is read; then the poller against a stand-in service (batching
window, throttles); then the real engine on the process backend (one event per batch,
partial failures ending in the DLQ, whole-batch retries, the function's concurrency, a
schedule); last the `queue` and `schedule` commands as a learner runs them.

Visibility timeouts and rates are minutes or seconds on the service's clock; the teaching
clock (idle time × speed) makes them pass in milliseconds, so no test waits for long.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import ServiceFactory, log_texts, wait_until, write_function

from tests.support.fake_clock import FakeClock
from workbench.core import errors
from workbench.core.clock import TeachingClock
from workbench.core.events import Report
from workbench.core.model import FunctionConfig
from workbench.core.outcomes import Served
from workbench.triggers.queue import MessageDeadLettered, MessageSent, Queue, QueueError
from workbench.triggers.queue_batches import BatchResult, MappingError, interpret_batch_response
from workbench.triggers.queue_poller import SqsEventSourceMapping
from workbench.triggers.schedule import Scheduler

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 15.0  # upper bound for anything in these tests to happen


# ----- the queue on a fake clock -----------------------------------------------------------
def make_queue(clock: FakeClock, **settings: Any) -> Queue:
    return Queue("orders", clock=clock, **settings)  # type: ignore[arg-type]


def test_a_received_message_is_an_sqs_record():
    clock = FakeClock()
    queue = make_queue(clock)
    message_id = queue.send_message('{"order": 1}', {"kind": "new", "qty": 3, "raw": b"\x00"})
    clock.advance(0.25)
    (message,) = queue.receive_messages()
    record = message.record
    assert record["messageId"] == message_id == message.message_id
    assert record["receiptHandle"] == message.receipt_handle and message.receipt_handle
    assert record["body"] == '{"order": 1}'
    assert record["md5OfBody"] == hashlib.md5(b'{"order": 1}').hexdigest()
    assert record["attributes"] == {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1700000000000",
        "SenderId": record["attributes"]["SenderId"],
        "ApproximateFirstReceiveTimestamp": "1700000000250",
    }
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "new",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageAttributes"]["qty"]["dataType"] == "Number"
    assert record["messageAttributes"]["raw"]["binaryValue"] == "AA=="
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:orders"
    assert record["awsRegion"] == "us-east-1"


def test_visibility_timeout_hides_a_message_until_it_returns_with_a_higher_count():
    clock = FakeClock()
    queue = make_queue(clock, visibility_timeout_s=30)
    queue.send_message("hello")
    (first,) = queue.receive_messages()
    assert queue.receive_messages() == []  # in flight: invisible
    assert queue.counts() == (0, 1)
    assert queue.seconds_until_visible() == 30
    clock.advance(29.9)
    assert queue.receive_messages() == []
    clock.advance(0.1)
    (second,) = queue.receive_messages()
    assert second.message_id == first.message_id
    assert second.receive_count == 2
    assert second.record["attributes"]["ApproximateReceiveCount"] == "2"
    assert (
        second.record["attributes"]["ApproximateFirstReceiveTimestamp"]
        == first.record["attributes"]["ApproximateFirstReceiveTimestamp"]
    )
    assert second.receipt_handle != first.receipt_handle
    assert queue.delete_message(first.receipt_handle) is False  # a stale handle deletes nothing
    assert len(queue) == 1
    assert queue.delete_message(second.receipt_handle) is True
    assert len(queue) == 0 and queue.counts() == (0, 0)


def test_change_visibility_returns_a_message_early():
    clock = FakeClock()
    queue = make_queue(clock)
    queue.send_message("x")
    (message,) = queue.receive_messages()
    assert queue.change_message_visibility(message.receipt_handle, 0)
    assert [m.receive_count for m in queue.receive_messages()] == [2]


def test_redrive_moves_a_message_to_the_dlq_after_max_receive_count():
    clock = FakeClock()
    seen: list[object] = []
    dlq = Queue("orders-dlq", clock=clock)  # type: ignore[arg-type]
    queue = make_queue(
        clock,
        visibility_timeout_s=10,
        dead_letter_queue=dlq,
        max_receive_count=2,
        on_event=seen.append,
    )
    message_id = queue.send_message("poison")
    for expected in (1, 2):
        (message,) = queue.receive_messages()
        assert message.receive_count == expected
        clock.advance(10)
    assert queue.receive_messages() == []  # the third receive redrives instead of delivering
    assert len(queue) == 0
    (dead,) = dlq.messages()
    assert (dead.message_id, dead.body, dead.receive_count) == (message_id, "poison", 2)
    assert isinstance(seen[0], MessageSent)
    assert seen[-1] == MessageDeadLettered(clock.now(), "orders", "orders-dlq", message_id, 2)
    # In the DLQ it is an ordinary, visible message again.
    assert [m.message_id for m in dlq.receive_messages()] == [message_id]


def test_receive_takes_the_oldest_first_up_to_the_limits():
    clock = FakeClock()
    queue = make_queue(clock)
    ids = [queue.send_message(f"m{i}" * 100) for i in range(6)]
    first_three = queue.receive_messages(3)
    assert [m.message_id for m in first_three] == ids[:3]
    size = first_three[0].size  # every record here is the same size
    assert queue.receive_messages(10, max_bytes=size - 1) == []  # not even one fits
    assert [m.message_id for m in queue.receive_messages(10, max_bytes=2 * size)] == ids[3:5]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"visibility_timeout_s": 43_201}, "visibility timeout 43201 s is out of range"),
        ({"visibility_timeout_s": -1}, "use 0 to 43,200 seconds"),
        ({"max_receive_count": 3}, "needs both a dead-letter queue and maxReceiveCount"),
        ({"max_receive_count": 0, "dead_letter_queue": "dlq"}, "maxReceiveCount 0 is out of range"),
    ],
)
def test_queue_settings_are_checked(settings: dict[str, Any], message: str):
    clock = FakeClock()
    if settings.get("dead_letter_queue") == "dlq":
        settings["dead_letter_queue"] = make_queue(clock)
    with pytest.raises(QueueError, match=message):
        make_queue(clock, **settings)


def test_messages_sqs_refuses():
    queue = make_queue(FakeClock())
    with pytest.raises(QueueError, match="non-empty string"):
        queue.send_message("")
    with pytest.raises(QueueError, match="SQS allows 1,048,576 bytes"):
        queue.send_message("x" * (1024 * 1024 + 1))
    with pytest.raises(QueueError, match="queue name"):
        Queue("no spaces allowed")
    assert len(queue) == 0  # nothing half-sent


# ----- partial batch responses -------------------------------------------------------------
IDS = ("id-1", "id-2", "id-3")


@pytest.mark.parametrize(
    ("payload", "failed", "complete_failure"),
    [
        (b"", set(), None),
        (b"null", set(), None),
        (b"{}", set(), None),
        (b'{"batchItemFailures": null}', set(), None),
        (b'{"batchItemFailures": []}', set(), None),
        (b'{"batchItemFailures": [{"itemIdentifier": "id-2"}]}', {"id-2"}, None),
        (
            b'{"batchItemFailures": [{"itemIdentifier": "id-1"}, {"itemIdentifier": "id-3"}]}',
            {"id-1", "id-3"},
            None,
        ),
        (b"not json", set(), "not valid JSON"),
        (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', set(), 'itemIdentifier is ""'),
        (b'{"batchItemFailures": [{"itemIdentifier": null}]}', set(), "itemIdentifier is null"),
        (b'{"batchItemFailures": [{"itemId": "id-1"}]}', set(), "no itemIdentifier key"),
        (b'{"batchItemFailures": [{"itemIdentifier": "id-9"}]}', set(), "not a message"),
        (b'{"batchItemFailures": "id-1"}', set(), "not a list"),
        (b'"ok"', set(), "not an object"),
    ],
)
def test_partial_batch_responses_are_read_as_aws_documents(
    payload: bytes, failed: set[str], complete_failure: str | None
):
    verdict = interpret_batch_response(payload, IDS)
    assert verdict.failed == frozenset(failed)
    if complete_failure is None:
        assert verdict.complete_failure is None
    else:
        assert verdict.complete_failure is not None and complete_failure in verdict.complete_failure


# ----- the poller against a stand-in service -----------------------------------------------
class StandInService:
    """invoke() answers from a script; deploys nothing."""

    init_limit_s = 10.0

    def __init__(self, clock: Any, timeout_s: int = 3, answers: list[Any] | None = None) -> None:
        self.clock = clock
        self.config = FunctionConfig(name="fn", code_dir=Path("."), timeout_s=timeout_s)
        self.events: list[dict[str, Any]] = []
        self.answers = answers or []

    def function(self, name: str) -> FunctionConfig:
        return self.config

    async def invoke(self, name: str, payload: bytes) -> Served:
        self.events.append(json.loads(payload))
        answer = self.answers.pop(0) if self.answers else b"null"
        if isinstance(answer, Exception):
            raise answer
        report = Report("req", 1.0, 1, 128, 30)
        return Served(f"req-{len(self.events)}", answer, None, report, "", False)


def mapping_for(service: StandInService, queue: Queue, **settings: Any) -> SqsEventSourceMapping:
    return SqsEventSourceMapping(service, "fn", queue, tick_s=0.005, **settings)  # type: ignore[arg-type]


async def test_batching_window_gathers_until_it_ends():
    clock = FakeClock()
    service = StandInService(clock)
    queue = make_queue(clock)
    async with mapping_for(service, queue, batch_size=3, batching_window_s=5, max_concurrency=1):
        queue.send_message("a")
        await asyncio.sleep(0.05)
        queue.send_message("b")
        await asyncio.sleep(0.05)
        assert service.events == []  # window still open, batch not full
        clock.advance(5)
        assert await wait_until(lambda: len(service.events) == 1, timeout=2)
    assert [r["body"] for r in service.events[0]["Records"]] == ["a", "b"]
    assert len(queue) == 0


async def test_a_full_batch_does_not_wait_for_the_window():
    clock = FakeClock()
    service = StandInService(clock)
    queue = make_queue(clock)
    async with mapping_for(service, queue, batch_size=2, batching_window_s=300, max_concurrency=1):
        for body in "abc":
            queue.send_message(body)
        assert await wait_until(lambda: len(service.events) == 1, timeout=2)
        await asyncio.sleep(0.05)
    assert [len(e["Records"]) for e in service.events] == [2]  # "c" still waits for its window


async def test_without_a_window_each_poll_invokes_with_what_is_there():
    clock = FakeClock()
    service = StandInService(clock)
    queue = make_queue(clock)
    for body in "abcde":
        queue.send_message(body)
    mapping = mapping_for(service, queue, batch_size=2, max_concurrency=1)
    async with mapping:
        assert await mapping.wait_until_drained(2)
    assert [len(e["Records"]) for e in service.events] == [2, 2, 1]
    assert [r.outcome for r in mapping.results] == ["success"] * 3


async def test_a_throttled_batch_is_retried_while_its_messages_are_invisible():
    clock = TeachingClock(1000)  # back-off seconds pass in milliseconds
    throttle = errors.throttled(
        "ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded."
    )
    service = StandInService(clock, answers=[throttle, throttle, b"null"])
    queue = Queue("q", clock=clock, visibility_timeout_s=600)  # 0.6 s of real time
    queue.send_message("a")
    mapping = mapping_for(service, queue)
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    outcomes = [(r.outcome, r.retrying) for r in mapping.results]
    assert outcomes == [("throttled", True), ("throttled", True), ("success", False)]
    assert "ReservedFunctionConcurrentInvocationLimitExceeded" in mapping.results[0].line()
    # The same delivery each time: Lambda retried the batch, the queue did not redeliver it.
    counts = {e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in service.events}
    assert counts == {"1"}


async def test_throttled_past_the_visibility_timeout_the_messages_go_back():
    clock = TeachingClock(1000)
    throttle = errors.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.")
    service = StandInService(clock, answers=[throttle] * 5 + [b"null"])
    queue = Queue("q", clock=clock, visibility_timeout_s=3)
    message_id = queue.send_message("a")
    mapping = mapping_for(service, queue)
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    # Retried while invisible; once the next back-off would outlast the visibility timeout,
    # the message goes back and is received again, one count higher. (How many tries fit
    # in 3 clock seconds depends on the machine's speed, so only the pattern is checked.)
    counts = [int(e["Records"][0]["attributes"]["ApproximateReceiveCount"]) for e in service.events]
    given_up = [r for r in mapping.results if r.outcome == "throttled" and not r.retrying]
    assert given_up and all(r.returned == (message_id,) for r in given_up)
    assert counts[0] == 1 and counts == sorted(counts)
    assert counts[-1] == 1 + len(given_up)
    assert mapping.results[-1].outcome == "success"


async def test_a_service_error_leaves_the_batch_for_the_visibility_timeout():
    clock = TeachingClock(1000)
    service = StandInService(clock, answers=[errors.service_error("boom"), b"null"])
    queue = Queue("q", clock=clock, visibility_timeout_s=5)
    queue.send_message("a")
    mapping = mapping_for(service, queue)
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    assert [r.outcome for r in mapping.results] == ["service_error", "success"]
    assert "ServiceException: boom" in mapping.results[0].line()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"batch_size": 0}, "batch size 0 is out of range: use 1 to 10,000"),
        ({"batch_size": 10_001, "batching_window_s": 1}, "batch size 10001 is out of range"),
        ({"batch_size": 11}, "needs a batching window of at least 1 second"),
        ({"batching_window_s": 301}, "batching window 301 s is out of range: use 0 to 300"),
    ],
)
def test_mapping_settings_are_checked(settings: dict[str, Any], message: str):
    clock = FakeClock()
    with pytest.raises(MappingError, match=message):
        mapping_for(StandInService(clock), make_queue(clock), **settings)


def test_function_timeout_may_not_exceed_the_visibility_timeout():
    clock = FakeClock()
    queue = make_queue(clock, visibility_timeout_s=30)
    with pytest.raises(MappingError) as caught:
        mapping_for(StandInService(clock, timeout_s=60), queue)
    assert str(caught.value).startswith(
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
    )


def test_batch_results_read_well():
    result = BatchResult(
        0.0,
        "q",
        "fn",
        ("aaaaaaaa-1", "bbbbbbbb-2"),
        "partial",
        ("aaaaaaaa-1",),
        ("bbbbbbbb-2",),
        "r-1",
    )
    assert result.line() == (
        "batch of 2 (request r-1) → partial batch response: deleted 1; 1 back on the queue "
        "after the visibility timeout: bbbbbbbb"
    )


# ----- through the real engine -------------------------------------------------------------
SQS_HANDLER = """\
import json


def lambda_handler(event, context):
    records = event["Records"]
    print("BATCH " + json.dumps(
        [[r["body"], r["attributes"]["ApproximateReceiveCount"]] for r in records]))
    print("KEYS " + json.dumps(sorted(records[0])))
    for r in records:
        if r["body"] == "boom" and r["attributes"]["ApproximateReceiveCount"] == "1":
            raise RuntimeError("boom on the first delivery")
    return {"batchItemFailures": [
        {"itemIdentifier": r["messageId"]} for r in records if r["body"] == "bad"]}
"""


def batches(service: Any) -> list[list[list[str]]]:
    """What the handler saw: per invocation, [body, ApproximateReceiveCount] pairs."""
    return [json.loads(t[6:]) for t in log_texts(service) if t.startswith("BATCH ")]


async def sqs_setup(
    make_service: ServiceFactory, tmp_path: Path, *, max_receive_count: int = 3, **fn: Any
) -> tuple[Any, Queue, Queue]:
    # SQS's default visibility timeout, 30 s, with idle time at 200 × real speed: a failed
    # message is back after 150 ms. While a batch is handled the clock keeps real time, so
    # even a very slow cold start on a busy machine does not see its messages redelivered.
    service = await make_service(clock=TeachingClock(200))
    service.deploy(write_function(tmp_path, SQS_HANDLER, timeout_s=1, **fn))
    dlq = Queue("fn-dlq", clock=service.clock)
    queue = Queue(
        "fn-queue",
        clock=service.clock,
        visibility_timeout_s=30,
        dead_letter_queue=dlq,
        max_receive_count=max_receive_count,
    )
    return service, queue, dlq


async def test_five_messages_reach_the_handler_as_one_event(
    make_service: ServiceFactory, tmp_path: Path
):
    service, queue, dlq = await sqs_setup(make_service, tmp_path)
    for i in range(5):
        queue.send_message(f"m{i}")
    mapping = SqsEventSourceMapping(service, "fn", queue, tick_s=0.01)
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    assert batches(service) == [[[f"m{i}", "1"] for i in range(5)]]
    keys = [json.loads(t[5:]) for t in log_texts(service) if t.startswith("KEYS ")]
    assert keys == [
        sorted(
            [
                "messageId",
                "receiptHandle",
                "body",
                "attributes",
                "messageAttributes",
                "md5OfBody",
                "eventSource",
                "eventSourceARN",
                "awsRegion",
            ]
        )
    ]
    (result,) = mapping.results
    assert result.outcome == "success" and len(result.deleted) == 5
    assert len(queue) == 0 and len(dlq) == 0


async def test_partial_batch_failure_is_retried_alone_then_dead_lettered(
    make_service: ServiceFactory, tmp_path: Path
):
    service, queue, dlq = await sqs_setup(make_service, tmp_path, max_receive_count=3)
    ids = {queue.send_message(body): body for body in ("ok1", "bad", "ok2", "ok3", "ok4")}
    bad_id = next(i for i, b in ids.items() if b == "bad")
    mapping = SqsEventSourceMapping(
        service, "fn", queue, report_batch_item_failures=True, tick_s=0.01
    )
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    first, *retries = mapping.results
    assert first.outcome == "partial"
    assert set(first.deleted) == set(ids) - {bad_id} and first.returned == (bad_id,)
    assert [r.message_ids for r in retries] == [(bad_id,), (bad_id,)]  # redelivered alone
    assert [r.outcome for r in retries] == ["partial", "partial"]
    assert batches(service)[1:] == [[["bad", "2"]], [["bad", "3"]]]
    (dead,) = dlq.messages()
    assert (dead.message_id, dead.body, dead.receive_count) == (bad_id, "bad", 3)
    assert len(queue) == 0


async def test_a_function_error_retries_the_whole_batch(
    make_service: ServiceFactory, tmp_path: Path
):
    service, queue, dlq = await sqs_setup(make_service, tmp_path)
    ids = tuple(queue.send_message(body) for body in ("a", "boom", "c"))
    mapping = SqsEventSourceMapping(service, "fn", queue, tick_s=0.01)
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    failed, retried = mapping.results
    assert failed.outcome == "function_error" and failed.returned == ids
    assert "RuntimeError: boom on the first delivery" in failed.line()
    assert retried.outcome == "success" and retried.message_ids == ids
    assert set(retried.deleted) == set(ids)
    assert batches(service) == [
        [["a", "1"], ["boom", "1"], ["c", "1"]],
        [["a", "2"], ["boom", "2"], ["c", "2"]],
    ]
    assert len(dlq) == 0


async def test_the_poller_respects_the_functions_concurrency(
    make_service: ServiceFactory, tmp_path: Path
):
    slow = SQS_HANDLER.replace("import json", "import json, time").replace(
        "    records = event", "    time.sleep(0.3)\n    records = event"
    )
    service = await make_service(clock=TeachingClock(50))
    service.deploy(write_function(tmp_path, slow, reserved_concurrency=1, timeout_s=1))
    queue = Queue("q", clock=service.clock, visibility_timeout_s=30)
    for body in ("x", "y"):
        queue.send_message(body)
    mapping = SqsEventSourceMapping(
        service, "fn", queue, batch_size=1, max_concurrency=2, tick_s=0.01
    )
    async with mapping:
        assert await mapping.wait_until_drained(WAIT_S)
    outcomes = [r.outcome for r in mapping.results]
    assert outcomes.count("success") == 2
    assert "throttled" in outcomes  # two pollers, one environment allowed
    assert all(r.retrying for r in mapping.results if r.outcome == "throttled")
    assert sorted(b[0][0] for b in batches(service)) == ["x", "y"]


SCHEDULED_HANDLER = """\
import json


def lambda_handler(event, context):
    print("EVENT " + json.dumps(event))
"""


async def test_a_schedule_invokes_the_function_with_scheduled_events(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(clock=TeachingClock(300))  # a minute passes in 0.2 s
    service.deploy(write_function(tmp_path, SCHEDULED_HANDLER, name="ticker"))
    scheduler = Scheduler(service, "ticker", "rate(1 minute)", rule="tick", tick_s=0.005)

    def events() -> list[dict[str, Any]]:
        return [json.loads(t[6:]) for t in log_texts(service) if t.startswith("EVENT ")]

    scheduler.start()
    try:
        assert await wait_until(lambda: len(events()) >= 2, timeout=WAIT_S)
    finally:
        await scheduler.stop()
    first, second = sorted(events()[:2], key=lambda e: e["time"])
    for event in (first, second):
        assert event["detail-type"] == "Scheduled Event"
        assert event["source"] == "aws.events"
        assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/tick"]
        assert event["detail"] == {} and event["version"] == "0"
    assert first["id"] != second["id"]
    assert {f.request_id for f in scheduler.firings[:2]} <= {
        e.request_id for e in service.bus.history() if hasattr(e, "request_id")
    }
    # A minute apart, unless a very busy machine stalled past a fire time (then skipped).
    gap = time_of(second["time"]) - time_of(first["time"])
    assert gap == 60 * (1 + scheduler.firings[1].skipped)


def time_of(iso: str) -> float:
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


# ----- the commands, as a learner runs them ------------------------------------------------
@pytest.fixture
def sqs_function(tmp_path: Path) -> Path:
    folder = tmp_path / "worker"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(SQS_HANDLER)
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_queue_command_reports_batches_and_the_dead_letter_queue(sqs_function: Path):
    done = run_cli(
        "queue", str(sqs_function), "--backend", "process",
        "--send", "ok", "--send", "bad", "--send", "fine",
        "--report-batch-item-failures", "--timeout", "1", "--max-receive-count", "2",
        "--clock-speed", "200",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # a message ended in the dead-letter queue
    out = done.stdout
    assert "sent 3 message(s) to arn:aws:sqs:us-east-1:123456789012:worker-queue" in out
    assert "partial batch response: deleted 2; 1 back on the queue" in out
    assert "(bad) moved to worker-queue-dlq after 2 receives" in out
    assert "dead-letter queue worker-queue-dlq: 1 message(s)" in out
    assert out.rstrip().endswith("receives 2  bad")
    assert 'BATCH [["ok", "1"], ["bad", "1"], ["fine", "1"]]' in done.stderr


def test_queue_command_sends_a_file_of_messages(sqs_function: Path, tmp_path: Path):
    messages = tmp_path / "messages.jsonl"
    messages.write_text('{"n": 1}\n\n{"n": 2}\n{"n": 3}\n')
    done = run_cli(
        "queue", str(sqs_function), "--backend", "process", "--send-file", str(messages),
        "--batch-size", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("→ success") == 2
    assert "dead-letter queue worker-queue-dlq: 0 message(s)" in done.stdout
    assert '["{\\"n\\": 1}", "1"], ["{\\"n\\": 2}", "1"]' in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to send"),
        (("--send", "x", "--batch-size", "11"), "needs a batching window of at least 1 second"),
        (("--send", "x", "--timeout", "60"), "Queue visibility timeout: 30 seconds is less"),
        (("--send", "x", "--max-receive-count", "0"), "maxReceiveCount 0 is out of range"),
    ],
)
def test_queue_command_refuses_what_aws_refuses(
    sqs_function: Path, args: tuple[str, ...], message: str
):
    done = run_cli("queue", str(sqs_function), "--backend", "process", *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_schedule_command_fires_now_and_stops_on_sigterm(tmp_path: Path):
    folder = tmp_path / "ticker"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(SCHEDULED_HANDLER)
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "schedule", str(folder), "--backend", "process",
         "--expression", "rate(1 minute)", "--fire-now", "--rule", "demo"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    out, err = Collector(process.stdout), Collector(process.stderr)
    try:
        assert out.wait_for("Scheduled Event"), out.text() + err.text()
        assert err.wait_for('"detail-type": "Scheduled Event"'), err.text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=WAIT_S) == 0, err.text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    out.join()
    err.join()
    lines = out.text().splitlines()
    assert lines[0] == "rule demo: rate(1 minute) → ticker"
    assert lines[1] == "next 5 fire times (UTC):"
    assert all(line.startswith("  20") and line.endswith("Z") for line in lines[2:7])
    assert "demo → ticker: Scheduled Event" in lines[7]
    assert "rule/demo" in err.text()


def test_schedule_command_rejects_an_invalid_expression(tmp_path: Path):
    folder = tmp_path / "ticker"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(SCHEDULED_HANDLER)
    done = run_cli("schedule", str(folder), "--expression", "rate(1 minutes)")
    assert done.returncode == 2
    assert "rate(1 minutes): use the singular 'minute' for a value of 1" in done.stderr
    done = run_cli("schedule", str(folder), "--expression", "cron(0 12 * * ?)")
    assert done.returncode == 2
    assert "cron needs 6 fields: Minutes Hours Day-of-month Month Day-of-week Year — got 5" in (
        done.stderr
    )


class Collector:
    """Reads a pipe on a thread so the test can wait for a line with a deadline."""

    def __init__(self, pipe: Any) -> None:
        self._chunks: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: Any) -> None:
        for line in pipe:
            self._chunks.append(line)

    def text(self) -> str:
        return "".join(self._chunks)

    def wait_for(self, needle: str, timeout: float = WAIT_S) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return True
            time.sleep(0.02)
        return needle in self.text()

    def join(self) -> None:
        self._thread.join(timeout=5)
