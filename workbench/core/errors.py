"""Errors of the Invoke API, with the status and type AWS answers with (API_Invoke)."""

from __future__ import annotations

from workbench.core.model import ACCOUNT_ID, REGION


class InvokeError(Exception):
    """An invocation refused or failed by the service, not by the function."""

    def __init__(
        self, status: int, error_type: str, message: str, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.reason = reason  # e.g. the throttling Reason AWS adds to a 429


def not_found(name: str) -> InvokeError:
    return InvokeError(
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
    )


def too_large(size: int, limit: int) -> InvokeError:
    return InvokeError(
        413,
        "RequestTooLargeException",
        f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
    )


def invalid_json(detail: str) -> InvokeError:
    return InvokeError(
        400,
        "InvalidRequestContentException",
        f"Could not parse request body into json: {detail}",
    )


def service_error(detail: str) -> InvokeError:
    return InvokeError(500, "ServiceException", detail)


def throttled(reason: str, message: str) -> InvokeError:
    return InvokeError(429, "TooManyRequestsException", message, reason)
