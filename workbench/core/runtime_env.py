"""The environment variables a runtime receives, as Lambda sets them (configuration-envvars)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from workbench.core.model import REGION, FunctionConfig

TASK_ROOT = "/var/task"
RUNTIME_DIR = "/var/runtime"
# Placeholder credentials: boto3 needs some to sign requests; they grant nothing.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAWORKBENCHLOCAL00",
    "AWS_ACCESS_KEY": "AKIAWORKBENCHLOCAL00",
    "AWS_SECRET_ACCESS_KEY": "workbench-local-secret-not-a-real-key",
    "AWS_SESSION_TOKEN": "workbench-local-session",
}


def log_stream_name(version: str = "$LATEST") -> str:
    """YYYY/MM/DD/[$LATEST]<32 hex>, one per environment."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{secrets.token_hex(16)}"


def runtime_variables(
    config: FunctionConfig,
    runtime_api: str,
    initialization_type: str = "on-demand",
    version: str = "$LATEST",
) -> dict[str, str]:
    """The full environment for one execution environment's runtime, user variables included."""
    variables = {
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:"
        "/var/task:/var/task/lib:/opt/lib",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        **config.environment,
        "_HANDLER": config.handler,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name(version),
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": TASK_ROOT,
        "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
        **DUMMY_CREDENTIALS,
    }
    if not config.runtime.startswith("provided"):
        # Set by managed runtimes only: a custom runtime does not get it (configuration-envvars).
        variables["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{config.runtime}"
    return variables
