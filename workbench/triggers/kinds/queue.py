"""The SQS queue trigger kind: messages sent to a queue invoke the function in batches through
Lambda's poller. Its spec, checks, runner and SAM events are in
workbench.triggers.queue_trigger.
"""

from workbench.triggers.kind import TriggerKind

KIND = TriggerKind(
    name="queue",
    title="SQS queue",
    summary="Messages sent to a queue invoke the function in batches (synchronous poller)",
    order=40,
    implementation="workbench.triggers.queue_trigger",
    spec="QueueSpec",
    runner="QueueTrigger",
    command="queue",
    command_help="send messages to a local SQS queue and let its event source mapping invoke a "
    "function folder",
    samples=("sqs",),
    icon_svg='<rect x="2.5" y="7" width="5" height="10" rx="1.2" fill="#ffc99a" '
    'stroke="#bc4c00" stroke-width="1.4"/><rect x="9.5" y="7" width="5" height="10" rx="1.2" '
    'fill="#ffc99a" stroke="#bc4c00" stroke-width="1.4"/><path d="M16.5 12 H21.5 M19 9.5 '
    'L21.5 12 L19 14.5" fill="none" stroke="#bc4c00" stroke-width="1.6" '
    'stroke-linecap="round"/>',
)
