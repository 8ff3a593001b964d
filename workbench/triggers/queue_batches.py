"""The SQS event source mapping's settings and its batches: what CreateEventSourceMapping
refuses, what a batch did (BatchResult), and how a partial batch response is read.

No engine here: the Add trigger form checks settings with it; the poller that uses them is
workbench.triggers.queue_poller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

BATCH_SIZE_RANGE = (1, 10_000)
BATCHING_WINDOW_RANGE_S = (0, 300)
DEFAULT_BATCH_SIZE = 10
# AWS starts pollers in parallel and scales them with the backlog; the workbench keeps a
# fixed number of batches in flight at once (an assumption, not a published figure).
DEFAULT_MAX_CONCURRENCY = 5


Outcome = Literal[
    "success", "partial", "function_error", "invalid_response", "throttled", "service_error"
]


class MappingError(ValueError):
    """An event source mapping setting Lambda would refuse; the message says why."""


@dataclass(frozen=True)
class BatchResult:
    """What one invocation with one batch did to its messages."""

    at: float  # epoch seconds
    queue: str
    function: str
    message_ids: tuple[str, ...]
    outcome: Outcome
    deleted: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()  # left in flight: visible again after the visibility timeout
    request_id: str | None = None
    detail: str = ""
    retrying: bool = False  # throttled, and Lambda retries the same batch shortly

    def line(self) -> str:
        """One line for a log or the CLI."""
        size = len(self.message_ids)
        head = f"batch of {size}" + (f" (request {self.request_id})" if self.request_id else "")
        back = f"{len(self.returned)} back on the queue after the visibility timeout"
        if self.returned:
            back += ": " + ", ".join(i[:8] for i in self.returned)
        if self.outcome == "success":
            return f"{head} → success: deleted {len(self.deleted)}"
        if self.outcome == "partial":
            return f"{head} → partial batch response: deleted {len(self.deleted)}; {back}"
        if self.outcome == "throttled":
            then = "retrying" if self.retrying else back
            return f"{head} → throttled ({self.detail}); {then}"
        label = {
            "function_error": "function error",
            "invalid_response": "invalid partial batch response, so a complete failure",
            "service_error": "not invoked",
        }[self.outcome]
        return f"{head} → {label} ({self.detail}); {back}"


@dataclass(frozen=True)
class PartialBatchVerdict:
    """How Lambda reads a partial batch response: the failed ids, or a complete failure."""

    failed: frozenset[str]
    complete_failure: str | None = None


def interpret_batch_response(payload: bytes, message_ids: Sequence[str]) -> PartialBatchVerdict:
    """Read `{"batchItemFailures": [...]}` by the rules of services-sqs-errorhandling."""
    if not payload.strip():
        return PartialBatchVerdict(frozenset())
    try:
        response = json.loads(payload)
    except ValueError:
        return _complete_failure("the response is not valid JSON")
    if response is None:
        return PartialBatchVerdict(frozenset())  # a null response: complete success
    if not isinstance(response, dict):
        # Not in AWS's lists; a non-object cannot carry batchItemFailures, so: failure.
        return _complete_failure(f"the response is a JSON {type(response).__name__}, not an object")
    failures = response.get("batchItemFailures")
    if failures is None:
        return PartialBatchVerdict(frozenset())  # empty response or null list: success
    if not isinstance(failures, list):
        return _complete_failure("batchItemFailures is not a list")
    known, failed = set(message_ids), set()
    for item in failures:
        if not isinstance(item, dict) or "itemIdentifier" not in item:
            return _complete_failure(f"{json.dumps(item)} has no itemIdentifier key")
        identifier = item["itemIdentifier"]
        if identifier is None or identifier == "":
            return _complete_failure(f"itemIdentifier is {json.dumps(identifier)}")
        if identifier not in known:
            return _complete_failure(f"itemIdentifier {identifier!r} is not a message in the batch")
        failed.add(identifier)
    return PartialBatchVerdict(frozenset(failed))


def _complete_failure(reason: str) -> PartialBatchVerdict:
    return PartialBatchVerdict(frozenset(), reason)


def check_mapping_settings(
    batch_size: int,
    batching_window_s: float,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    *,
    function_timeout_s: float,
    visibility_timeout_s: float,
) -> None:
    """Raise MappingError for a setting CreateEventSourceMapping would refuse."""
    low, high = BATCH_SIZE_RANGE
    if isinstance(batch_size, bool) or not low <= batch_size <= high:
        raise MappingError(f"batch size {batch_size} is out of range: use {low} to {high:,}")
    low, high = BATCHING_WINDOW_RANGE_S
    if not low <= batching_window_s <= high:
        raise MappingError(
            f"batching window {batching_window_s:g} s is out of range: use {low} to {high} seconds"
        )
    if batch_size > 10 and batching_window_s < 1:
        raise MappingError(
            f"a batch size over 10 ({batch_size}) needs a batching window of at least 1 second "
            "(MaximumBatchingWindowInSeconds)"
        )
    if max_concurrency < 1:
        raise MappingError("max concurrency must be at least 1")
    if function_timeout_s > visibility_timeout_s:
        raise MappingError(
            f"Queue visibility timeout: {visibility_timeout_s:g} seconds is less than Function "
            f"timeout: {function_timeout_s:g} seconds (AWS suggests at least six times the "
            "function timeout)"
        )
