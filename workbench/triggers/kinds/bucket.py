"""The S3 bucket trigger kind: objects put into or removed from a folder-as-bucket invoke the
function asynchronously. Its spec, checks, runner and SAM events are in
workbench.triggers.bucket_trigger.
"""

from workbench.triggers.kind import TriggerKind

KIND = TriggerKind(
    name="bucket",
    title="S3 bucket",
    summary="Files added to or removed from a folder invoke the function (asynchronous)",
    order=20,
    implementation="workbench.triggers.bucket_trigger",
    spec="BucketSpec",
    runner="BucketTrigger",
    command="bucket",
    command_help="treat a folder as an S3 bucket whose new and removed files invoke a function",
    samples=("s3-put", "s3-delete"),
    icon_svg='<path d="M4 6.5 L6 20 Q12 22.5 18 20 L20 6.5" fill="#dafbe1" stroke="#1a7f37" '
    'stroke-width="1.5" stroke-linejoin="round"/><ellipse cx="12" cy="6.5" rx="8" ry="2.6" '
    'fill="#aceebb" stroke="#1a7f37" stroke-width="1.5"/>',
    one_per_function=(
        "this function already has a bucket trigger: its environments have one S3 endpoint "
        "(AWS_ENDPOINT_URL_S3). Stop that trigger first."
    ),
)
