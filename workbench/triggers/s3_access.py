"""Whose request is this, and does their execution role allow it?

Each function's environments carry credentials whose access key id is derived from the
function's name (core.runtime_env.access_key_for); a request signed with it is that
function's, and its folder's policy.json decides. policy.json is read on every request, so
an edit applies at once, as a changed IAM policy does (after IAM's propagation delay). A
request signed with any other key (the learner's own boto3, the AWS CLI) is the bucket
owner's and allowed everything, as is a function without policy.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.core.runtime_env import access_key_for
from workbench.core.service import LambdaService
from workbench.triggers.s3_http import S3Error
from workbench.triggers.s3_policy import Decision, Policy, PolicyError, denial, load_policy


@dataclass(frozen=True)
class Caller:
    """A function calling S3 with its execution role's credentials."""

    function: str
    policy: Policy | None  # None: no policy.json, everything allowed
    problem: str | None = None  # policy.json exists but cannot be evaluated


Identities = Callable[[str], Caller | None]


def service_identities(service: LambdaService) -> Identities:
    """Map an access key id to the deployed function it belongs to, with its policy."""

    def find(key: str) -> Caller | None:
        for config in service.functions():
            if access_key_for(config.name) == key:
                try:
                    return Caller(config.name, load_policy(config.code_dir))
                except PolicyError as exc:
                    return Caller(config.name, None, str(exc))
        return None

    return find


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


class Access:
    """The decisions for one request's caller (None: the owner, allowed everything)."""

    def __init__(self, caller: Caller | None) -> None:
        self.caller = caller

    def decide(self, action: str, resource: str) -> Decision:
        if self.caller is None:
            return "allow"
        if self.caller.problem:
            return "implicit"
        policy = self.caller.policy
        return "allow" if policy is None else policy.decide(action, resource)

    def allows(self, action: str, resource: str) -> bool:
        return self.decide(action, resource) == "allow"

    def denied(self, action: str, resource: str) -> S3Error | None:
        """The AccessDenied error for this action, or None if the role allows it."""
        decision = self.decide(action, resource)
        if decision == "allow" or self.caller is None:
            return None
        if self.caller.problem:
            message = (
                f"The execution role of {self.caller.function} cannot be evaluated, so it "
                f"allows nothing: {self.caller.problem}"
            )
        else:
            message = denial(self.caller.function, action, resource, decision)
        return S3Error(403, "AccessDenied", message)

    def require(self, action: str, resource: str) -> None:
        error = self.denied(action, resource)
        if error is not None:
            raise error
