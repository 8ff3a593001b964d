"""`lambda-workbench queue DIR --send BODY ...`: process messages through a local SQS queue."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from workbench.commands.function_options import (
    add_function_options,
    function_from_args,
    running_service,
)
from workbench.commands.serve import _log_printer, _until_stopped, open_event_store
from workbench.core.event_store import EventStore
from workbench.core.model import ConfigError, FunctionConfig
from workbench.triggers.kinds.queue import KIND
from workbench.triggers.queue import (
    DEFAULT_VISIBILITY_TIMEOUT_S,
    MessageDeadLettered,
    Queue,
    QueueError,
    QueueEvent,
)
from workbench.triggers.queue_batches import (
    DEFAULT_BATCH_SIZE,
    BatchResult,
    MappingError,
    check_mapping_settings,
)
from workbench.triggers.queue_poller import SqsEventSourceMapping
from workbench.triggers.queue_trigger import DEFAULT_MAX_RECEIVE_COUNT

_BODY_PREVIEW = 60


def register(subparsers: Any) -> None:
    """Add the `queue` command."""
    parser = subparsers.add_parser(
        KIND.command,
        help=KIND.command_help,
        description=(
            "Send messages to a local SQS queue (with a dead-letter queue) and poll it as "
            "Lambda's event source mapping does: batches, synchronous invocations, "
            "visibility timeout, partial batch responses, redrive. Runs until the queue is "
            "empty (or Ctrl+C), prints each batch's result, then the dead-letter queue. Exit "
            "status 1 when messages ended in the dead-letter queue. --clock-speed makes "
            "visibility timeouts pass faster."
        ),
    )
    parser.add_argument("dir", metavar="DIR", help="the function's code folder")
    messages = parser.add_argument_group("messages (at least one)")
    messages.add_argument(
        "--send", action="append", default=[], metavar="BODY", help="a message body (repeatable)"
    )
    messages.add_argument(
        "--send-file",
        metavar="FILE",
        help="a file with one message body per line, e.g. JSON Lines ('-' for stdin)",
    )
    parser.add_argument("--queue-name", help="the queue's name (default: FUNCTION-queue)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"messages per invocation, 1-10000 (default {DEFAULT_BATCH_SIZE}; over 10 needs "
        "--window 1 or more)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=0,
        metavar="SECONDS",
        help="batching window: gather messages up to this long, 0-300 (default 0)",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=int(DEFAULT_VISIBILITY_TIMEOUT_S),
        metavar="SECONDS",
        help="how long a received message stays invisible, at least the function timeout "
        f"(default {DEFAULT_VISIBILITY_TIMEOUT_S:.0f})",
    )
    parser.add_argument(
        "--max-receive-count",
        type=int,
        default=DEFAULT_MAX_RECEIVE_COUNT,
        metavar="N",
        help="move a message to the dead-letter queue after N receives, 1-1000 "
        f"(default {DEFAULT_MAX_RECEIVE_COUNT})",
    )
    parser.add_argument(
        "--report-batch-item-failures",
        action="store_true",
        help='let the function return {"batchItemFailures": [{"itemIdentifier": id}]}',
    )
    add_function_options(parser)
    parser.set_defaults(func=run)


def read_bodies(args: argparse.Namespace, *, kept: int = 0) -> list[str]:
    """The message bodies from --send and --send-file, in order.

    ValueError if none, unless `kept` messages from an earlier run are waiting.
    """
    bodies = list(args.send)
    if args.send_file:
        if args.send_file == "-":
            text, origin = sys.stdin.read(), "standard input"
        else:
            path = Path(args.send_file)
            try:
                text, origin = path.read_text(encoding="utf-8"), str(path)
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read the messages file {path}: {exc}") from None
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            raise ValueError(f"{origin} holds no messages (one body per line)")
        bodies.extend(lines)
    if not bodies and not kept:
        raise ValueError("nothing to send: give --send BODY (repeatable) or --send-file FILE")
    return bodies


def run(args: argparse.Namespace) -> int:
    """Run the `queue` command; returns the exit code."""
    store = open_event_store()
    try:
        try:
            config = function_from_args(args.dir, args)
            kept = len(store.messages(queue_name(args, config))) if store else 0
            bodies = read_bodies(args, kept=kept)
            _check_settings(args, config, bodies)
        except (ConfigError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return asyncio.run(_run(args, config, bodies, store))
    finally:
        if store is not None:
            store.close()


def queue_name(args: argparse.Namespace, config: FunctionConfig) -> str:
    return str(args.queue_name or f"{config.name}-queue")


def _check_settings(args: argparse.Namespace, config: FunctionConfig, bodies: list[str]) -> None:
    """Refuse bad settings and messages before starting any environment (or sending any)."""
    name = queue_name(args, config)
    Queue(name, visibility_timeout_s=args.visibility_timeout)  # its name, before the DLQ's
    trial = Queue(
        name,
        visibility_timeout_s=args.visibility_timeout,
        dead_letter_queue=Queue(_dlq_name(name)),
        max_receive_count=args.max_receive_count,
    )
    for number, body in enumerate(bodies, 1):
        try:
            trial.send_message(body)
        except QueueError as exc:
            raise QueueError(f"message {number}: {exc}") from None
    check_mapping_settings(
        args.batch_size,
        args.window,
        function_timeout_s=config.timeout_s,
        visibility_timeout_s=args.visibility_timeout,
    )


def _dlq_name(name: str) -> str:
    return f"{name[:76]}-dlq"  # queue names are at most 80 characters


async def _run(
    args: argparse.Namespace, config: FunctionConfig, bodies: list[str], store: EventStore | None
) -> int:
    async with running_service(args, image=config.image, runtime=config.runtime) as service:
        service.bus.subscribe(_log_printer(prefix=False))
        service.deploy(config)
        name = queue_name(args, config)
        sent: dict[str, str] = {}
        try:
            # The queue keeps its messages on disk until deleted; the dead-letter queue is
            # printed at the end and not kept (runs would otherwise pile up old failures).
            dlq = Queue(_dlq_name(name), clock=service.clock)
            queue = Queue(
                name,
                clock=service.clock,
                visibility_timeout_s=args.visibility_timeout,
                dead_letter_queue=dlq,
                max_receive_count=args.max_receive_count,
                on_event=_queue_printer(sent),
                store=store,
            )
            sent.update({m.message_id: m.body for m in queue.messages()})
            kept = len(queue)
            mapping = SqsEventSourceMapping(
                service,
                config.name,
                queue,
                batch_size=args.batch_size,
                batching_window_s=args.window,
                report_batch_item_failures=args.report_batch_item_failures,
                on_result=_print_result,
            )
            for body in bodies:
                sent[queue.send_message(body)] = body
        except (QueueError, MappingError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        _print_banner(queue, mapping, len(bodies), kept)
        mapping.start()
        drained = asyncio.ensure_future(mapping.wait_until_drained())
        stopped = asyncio.ensure_future(_until_stopped())
        await asyncio.wait({drained, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (drained, stopped):
            task.cancel()
        await asyncio.gather(drained, stopped, return_exceptions=True)
        await mapping.stop()
        _print_summary(queue, dlq)
        return 1 if len(dlq) else 0


def _print_banner(queue: Queue, mapping: SqsEventSourceMapping, count: int, kept: int) -> None:
    dlq = queue.dead_letter_queue.name if queue.dead_letter_queue is not None else "-"
    reporting = ", ReportBatchItemFailures" if mapping.report_batch_item_failures else ""
    earlier = f" (and {kept} kept from an earlier run)" if kept else ""
    print(
        f"sent {count} message(s) to {queue.arn}{earlier}\n"
        f"  → {mapping.function}: batch size {mapping.batch_size}, window "
        f"{mapping.batching_window_s:g} s, visibility timeout {queue.visibility_timeout_s:g} s"
        f"{reporting}; dead-letter queue {dlq} after {queue.max_receive_count} receives",
        flush=True,
    )


def _print_result(result: BatchResult) -> None:
    print(result.line(), flush=True)


def _queue_printer(sent: dict[str, str]) -> Any:
    def print_event(event: QueueEvent) -> None:
        if isinstance(event, MessageDeadLettered):
            print(
                f"message {event.message_id[:8]} ({_preview(sent.get(event.message_id, ''))}) "
                f"moved to {event.dead_letter_queue} after {event.receive_count} receives",
                flush=True,
            )

    return print_event


def _print_summary(queue: Queue, dlq: Queue) -> None:
    left = len(queue)
    if left:
        where = f"; kept in {queue.store.path}, they resume on the next run" if queue.store else ""
        print(f"{left} message(s) still in {queue.name} (stopped before the queue emptied{where})")
    messages = dlq.messages()
    print(f"dead-letter queue {dlq.name}: {len(messages)} message(s)")
    for message in messages:
        print(f"  {message.message_id}  receives {message.receive_count}  {_preview(message.body)}")
    sys.stdout.flush()


def _preview(body: str) -> str:
    text = body.replace("\n", " ")
    return text if len(text) <= _BODY_PREVIEW else text[: _BODY_PREVIEW - 1] + "…"
