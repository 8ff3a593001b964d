"""The API Gateway trigger kind: HTTP requests invoke the function synchronously.

Its spec, checks, runner and SAM events are in workbench.triggers.api_trigger.
"""

from workbench.triggers.kind import TriggerKind

KIND = TriggerKind(
    name="api",
    title="API Gateway",
    summary="HTTP requests invoke the function (synchronous)",
    order=10,
    implementation="workbench.triggers.api_trigger",
    spec="ApiSpec",
    runner="ApiTrigger",
    command="api",
    command_help="serve a function folder behind a local API Gateway (HTTP API or REST API)",
    samples=("apigw-http", "apigw-rest"),
    icon_svg='<rect x="2.5" y="5" width="19" height="14" rx="3" fill="#ddf4ff" stroke="#0969da" '
    'stroke-width="1.5"/><path d="M8 9 L5 12 L8 15 M16 9 L19 12 L16 15 M13.2 8.5 L10.8 15.5" '
    'fill="none" stroke="#0969da" stroke-width="1.6" stroke-linecap="round"/>',
)
