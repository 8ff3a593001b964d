"""The environment variables a runtime receives, as Lambda sets them (configuration-envvars)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime

from workbench.core.model import REGION, FunctionConfig

TASK_ROOT = "/var/task"
RUNTIME_DIR = "/var/runtime"
# Placeholder credentials: boto3 needs some to sign requests; they grant nothing by
# themselves. The access key id names the function (see access_key_for), so the local S3
# endpoint can tell whose execution role a request carries.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAWORKBENCHLOCAL00",
    "AWS_ACCESS_KEY": "AKIAWORKBENCHLOCAL00",
    "AWS_SECRET_ACCESS_KEY": "workbench-local-secret-not-a-real-key",
    "AWS_SESSION_TOKEN": "workbench-local-session",
}


def access_key_for(function_name: str) -> str:
    """The access key id of a function's execution-role credentials, stable per name.

    Shaped like AWS's temporary keys (ASIA + 16 characters of A-Z, 2-7); a digest, so any
    function name gives a valid key and the S3 endpoint can map it back to the function.
    """
    digest = hashlib.sha256(function_name.encode("utf-8")).digest()
    return "ASIA" + base64.b32encode(digest).decode("ascii")[:16]


def role_credentials(function_name: str) -> dict[str, str]:
    """The credential variables a function's environments get, as Lambda sets them."""
    key = access_key_for(function_name)
    return {**DUMMY_CREDENTIALS, "AWS_ACCESS_KEY_ID": key, "AWS_ACCESS_KEY": key}


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
        **role_credentials(config.name),
    }
    if not config.runtime.startswith("provided"):
        # Set by managed runtimes only: a custom runtime does not get it (configuration-envvars).
        variables["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{config.runtime}"
    return variables
