"""What the Invoke API and the control operations share: the service key, names, bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from workbench.core import errors
from workbench.core.errors import InvokeError
from workbench.core.service import LambdaService

SERVICE_KEY = web.AppKey("service", LambdaService)


def invalid_parameter(message: str) -> InvokeError:
    return InvokeError(400, "InvalidParameterValueException", message)


def resolve_function(function_name: str, qualifier: str | None) -> tuple[str, str | None]:
    """The function's name and qualifier from a name, name:qualifier, partial or full ARN.

    Accepts `my-function`, `my-function:$LATEST`,
    `123456789012:function:my-function` and `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:Q]`.
    """
    parts = function_name.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[5] == "function":
        name, embedded = parts[6], (parts[7] if len(parts) == 8 else None)
        if len(parts) > 8:
            raise errors.not_found(function_name)
    elif len(parts) in (3, 4) and parts[1] == "function":
        name, embedded = parts[2], (parts[3] if len(parts) == 4 else None)
    elif len(parts) in (1, 2):
        name, embedded = parts[0], (parts[1] if len(parts) == 2 else None)
    else:
        raise errors.not_found(function_name)
    if embedded is not None and qualifier is not None and embedded != qualifier:
        raise invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return name, embedded if embedded is not None else qualifier


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body ({} when empty); InvalidRequestContentException if not."""
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvokeError(400, "InvalidRequestContentException", "The body must be a JSON object")
    return body
