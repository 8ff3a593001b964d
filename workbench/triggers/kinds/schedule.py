"""The EventBridge schedule trigger kind: a rate or cron expression invokes the function
asynchronously. Its spec, checks, runner and SAM events are in
workbench.triggers.schedule_trigger.
"""

from workbench.triggers.kind import TriggerKind

KIND = TriggerKind(
    name="schedule",
    title="EventBridge schedule",
    summary="A rate or cron expression invokes the function (asynchronous)",
    order=30,
    implementation="workbench.triggers.schedule_trigger",
    spec="ScheduleSpec",
    runner="ScheduleTrigger",
    command="schedule",
    command_help="invoke a function folder on an EventBridge schedule (rate or cron, UTC)",
    samples=("eventbridge-scheduled",),
    icon_svg='<circle cx="12" cy="12" r="9" fill="#fbefff" stroke="#8250df" '
    'stroke-width="1.6"/><path d="M12 6.5 V12 L15.8 14.3" fill="none" stroke="#8250df" '
    'stroke-width="1.8" stroke-linecap="round"/>',
)
