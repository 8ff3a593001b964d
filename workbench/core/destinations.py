"""Destinations for asynchronous invocations, and the invocation record Lambda sends them.

On success or failure, Lambda can send an invocation record to a destination (another
function, a queue, ...); a dead-letter queue receives only the event (invocation-async.html,
LAMBDA_FACTS A7). Locally a target is another function of the service or a named sink that a
trigger (e.g. a local queue) registers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from workbench.core.model import Target
from workbench.core.outcomes import Served

Sink = Callable[[bytes], Awaitable[None]]


def invocation_record(
    *,
    function_arn: str,
    request_id: str,
    condition: str,
    attempts: int,
    request_payload: bytes,
    result: Served | None,
    now: float,
) -> dict[str, Any]:
    """The record Lambda sends to an on-success or on-failure destination."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if result is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if result.function_error:
            response["functionError"] = result.function_error
        record["responseContext"] = response
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


class DestinationRouter:
    """Delivers records to targets: functions through `invoke_function`, others to sinks.

    A queue or topic that no trigger registered keeps its messages here, for the learner to
    inspect (`messages(target)`).
    """

    def __init__(self, invoke_function: Callable[[str, bytes], Awaitable[object]]) -> None:
        self._invoke_function = invoke_function
        self._sinks: dict[Target, Sink] = {}
        self._kept: dict[Target, list[Any]] = {}

    def register(self, target: Target, sink: Sink) -> None:
        self._sinks[target] = sink

    def messages(self, target: Target) -> list[Any]:
        return list(self._kept.get(target, []))

    async def send(self, target: Target, body: Any) -> None:
        """Deliver one message; raises InvokeError if a function target refuses it."""
        raw = json.dumps(body).encode()
        if target.kind == "function":
            await self._invoke_function(target.name, raw)
        elif target in self._sinks:
            await self._sinks[target](raw)
        else:
            self._kept.setdefault(target, []).append(body)
