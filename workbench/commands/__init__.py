"""The CLI's sub-commands, one module each. The table below is what `--help` lists without
importing any of them (a sub-command's module, and the engine it needs, load only when it runs);
a test keeps it equal to each module's own `help=`. The trigger kinds' commands (api, bucket,
schedule, queue…) come from the trigger registry, whose descriptions import cheaply."""

from workbench.triggers.registry import trigger_kinds

_BEFORE_TRIGGERS: dict[str, str] = {
    "invoke": "invoke a function folder and print its response",
    "serve": "serve function folders on the Lambda Invoke API (for boto3 and the AWS CLI)",
}
_AFTER_TRIGGERS: dict[str, str] = {
    "load": "invoke a function at a steady rate and show live figures",
    "cost": "estimate a month's Lambda bill and show the arithmetic",
    "image": "build or list the Docker runtime image",
    "runtimes": "list the runtimes and whether each runs here, on processes and on Docker",
    "events": "list the sample events and print one as JSON",
    "package": "build a deployment package (.zip or container image) and list a .zip",
    "layer": "publish and list layers (shared code mounted at /opt)",
    "export": "export a function as an AWS SAM template.yaml (plus its saved test events)",
    "lessons": "the course: list lessons, check a lesson pack, run an exercise, report progress",
}


def command_table() -> dict[str, str]:
    """Every sub-command and its help line, the registered trigger kinds' among them."""
    triggers = {k.command: k.command_help for k in trigger_kinds() if k.command is not None}
    return {**_BEFORE_TRIGGERS, **triggers, **_AFTER_TRIGGERS}


COMMANDS: dict[str, str] = command_table()  # the built-in ones, as --help lists them
