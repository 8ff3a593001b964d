"""The CLI's sub-commands, one module each. The table below is what `--help` lists without
importing any of them (a sub-command's module, and the engine it needs, load only when it runs);
a test keeps it equal to each module's own `help=`."""

COMMANDS: dict[str, str] = {
    "invoke": "invoke a function folder and print its response",
    "serve": "serve function folders on the Lambda Invoke API (for boto3 and the AWS CLI)",
    "api": "serve a function folder behind a local API Gateway (HTTP API or REST API)",
    "load": "invoke a function at a steady rate and show live figures",
    "cost": "estimate a month's Lambda bill and show the arithmetic",
    "image": "build or list the Docker runtime image",
    "runtimes": "list the runtimes and whether each runs here, on processes and on Docker",
    "events": "list the sample events and print one as JSON",
    "schedule": "invoke a function folder on an EventBridge schedule (rate or cron, UTC)",
    "queue": "send messages to a local SQS queue and let its event source mapping invoke a "
    "function folder",
    "bucket": "treat a folder as an S3 bucket whose new and removed files invoke a function",
    "package": "build a deployment package (.zip or container image) and list a .zip",
    "layer": "publish and list layers (shared code mounted at /opt)",
    "export": "export a function as an AWS SAM template.yaml (plus its saved test events)",
    "lessons": "the course: list lessons, check a lesson pack, run an exercise, report progress",
}
