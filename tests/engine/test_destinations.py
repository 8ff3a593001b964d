"""Asynchronous invocation outcomes: destinations, dead-letter queues, invocation records."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, wait_until, write_function

from workbench.core.async_queue import RetryPolicy
from workbench.core.events import DestinationDelivered, InvocationCompleted
from workbench.core.model import ConfigError, Target

HANDLER = """
def lambda_handler(event, context):
    if event.get("fail"):
        raise ValueError("bad order")
    return {"ok": event.get("order")}
"""
FAST = RetryPolicy(error_delays_s=(0.05, 0.05))


async def test_success_sends_an_invocation_record_to_the_on_success_destination(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(retry_policy=FAST)
    service.deploy(write_function(tmp_path, HANDLER, name="orders", on_success="queue:done"))
    request_id = await service.invoke_event("orders", b'{"order": 7}')
    done = Target("queue", "done")
    assert await wait_until(lambda: bool(service.destinations.messages(done)))
    record = service.destinations.messages(done)[0]
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"ok": 7}


async def test_exhausted_retries_go_to_on_failure_and_the_event_to_the_dead_letter_queue(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(retry_policy=FAST)
    config = write_function(
        tmp_path,
        HANDLER,
        name="strict",
        max_retry_attempts=1,
        on_failure="arn:aws:sqs:us-east-1:123456789012:failures",
        dead_letter="queue:dlq",
    )
    service.deploy(config)
    await service.invoke_event("strict", b'{"fail": true, "order": 9}')
    failures, dlq = Target("queue", "failures"), Target("queue", "dlq")
    assert await wait_until(lambda: bool(service.destinations.messages(dlq)))
    record = service.destinations.messages(failures)[0]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2  # 1 + 1 retry
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "bad order"
    assert service.destinations.messages(dlq) == [{"fail": True, "order": 9}]
    attempts = [e for e in service.bus.of_type(InvocationCompleted) if e.function == "strict"]
    assert len(attempts) == 2


async def test_a_function_destination_is_invoked_with_the_record(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(retry_policy=FAST)
    service.deploy(write_function(tmp_path, HANDLER, name="first", on_success="function:second"))
    service.deploy(
        write_function(tmp_path, "def lambda_handler(e, c):\n    return e\n", name="second")
    )
    await service.invoke_event("first", b'{"order": 1}')
    assert await wait_until(
        lambda: any(e.function == "second" for e in service.bus.of_type(InvocationCompleted))
    )
    delivered = next(service.bus.of_type(DestinationDelivered))
    assert delivered.delivered and delivered.destination.endswith(":function:second")


async def test_a_disabled_function_sends_events_straight_to_on_failure_without_retries(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service(retry_policy=FAST)
    service.deploy(
        write_function(tmp_path, HANDLER, name="off", reserved_concurrency=0, on_failure="queue:f")
    )
    await service.invoke_event("off", b"{}")
    assert await wait_until(lambda: bool(service.destinations.messages(Target("queue", "f"))))
    record = service.destinations.messages(Target("queue", "f"))[0]
    assert record["requestContext"]["condition"] == "FunctionDisabled"
    assert "responseContext" not in record


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"on_success": "mailbox:x"}, "is not a destination"),
        ({"max_retry_attempts": 3}, "use 0 to 2 retries"),
        ({"max_event_age_s": 30}, "use 60 to 21,600 seconds"),
    ],
)
def test_invalid_async_settings_are_refused(tmp_path: Path, settings, message):
    with pytest.raises(ConfigError, match=message):
        write_function(tmp_path, HANDLER, name="bad", **settings)
