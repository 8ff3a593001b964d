"""The bucket_role check kind: a function calls S3 under its execution role (policy.json).

Local buckets (each a temporary folder, seeded with `objects`) are served on one S3
endpoint whose requests are checked against the function folder's policy.json, as IAM
checks a Lambda function's execution role; the function is invoked once with the event.
It must succeed (and its response match `expect`, as for `returns`); the keys in `written`
must exist afterwards; and the policy must not allow any of `forbid` (least privilege).
An AccessDenied is explained with the action and resource S3 refused and the statement
that would allow it.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.core.outcomes import Served
from workbench.lessons.check_kinds.compare import compare
from workbench.lessons.check_kinds.role import split_object
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import describe_error, error_of, short
from workbench.triggers.bucket import ENDPOINT_VARIABLE
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_policy import POLICY_FILE, Policy, PolicyError, load_policy

_DENIED = re.compile(r'perform: (\S+) on resource: "([^"]+)"')


def _fields(policy: str = "", denied: str = "", error: str = "") -> dict[str, Any]:
    return {"policy": policy, "denied": denied, "error": error}


def _allowed(policy: Policy) -> str:
    pairs = [
        f"{', '.join(s.actions)} on {', '.join(s.resources)}"
        for s in policy.statements
        if s.effect == "Allow"
    ]
    return "; ".join(pairs) or "nothing"


def _resource_pattern(resource: str) -> str:
    """The narrowest usual Resource that allows a denied one: the objects under the key's
    prefix (photos/uploads/*), or the bucket itself for a bucket action."""
    bucket, sep, key = resource.removeprefix("arn:aws:s3:::").partition("/")
    if not sep:
        return resource
    folder = key.rsplit("/", 1)[0] + "/" if "/" in key else ""
    return f"arn:aws:s3:::{bucket}/{folder}*"


async def bucket_role(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    try:
        policy = load_policy(ctx.code_dir)
    except PolicyError as exc:
        return failed(f"{POLICY_FILE} cannot be used as a role: {exc}", **_fields(error=str(exc)))
    if policy is None:
        return failed(
            f"There is no {POLICY_FILE} in the function's folder. On AWS every function has an "
            "execution role, and it allows nothing until a policy says so; write the role's "
            "policy there",
            **_fields(),
        )
    allowed = _allowed(policy)
    with tempfile.TemporaryDirectory(prefix="lesson-role-") as tmp:
        endpoint = S3Endpoint(service_identities(ctx.service))
        for item in [*params["objects"], *params.get("written", [])]:
            bucket, key = split_object(str(item))
            folder = Path(tmp) / bucket
            folder.mkdir(exist_ok=True)
            endpoint.add_bucket(bucket, folder)
            if item in params["objects"]:
                path = folder.joinpath(*key.split("/"))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(f"sample object {key}\n".encode())
        try:
            url = await endpoint.start(ctx.service.backend.bind_host)
            environment = {**ctx.config.environment, ENDPOINT_VARIABLE: url}
            ctx.service.deploy(ctx.config.with_changes(environment=environment))
            served = await ctx.invoke(ctx.payload(params))
        finally:
            await endpoint.close()
            ctx.service.deploy(ctx.config)
        missing = [
            item
            for item in params.get("written", [])
            if not (Path(tmp) / split_object(item)[0])
            .joinpath(*split_object(item)[1].split("/"))
            .is_file()
        ]
    if served.function_error:
        return _why_failed(served, allowed)
    value = json.loads(served.payload)
    problem = compare(value, params)
    if problem:
        return problem
    if missing:
        return failed(
            f"The function succeeded but did not write {', '.join(missing)}",
            **_fields(allowed),
        )
    for item in params.get("forbid", []):
        action, resource = str(item).split()
        if policy.decide(action, resource) == "allow":
            return failed(
                f"It works, but the role also allows {action} on {resource}, which the "
                "function never needs. Grant only the actions and resources it uses (least "
                f"privilege); the role now allows: {allowed}",
                **_fields(allowed),
            )
    return passed(
        f"It returned {short(value)} with a role that allows: {allowed}", **_fields(allowed)
    )


def _why_failed(served: Served, allowed: str) -> Outcome:
    _, message = error_of(served)
    error = describe_error(served)
    denied = _DENIED.search(message)
    if "AccessDenied" not in message or denied is None:
        return failed(f"The invocation failed: {error}", **_fields(allowed, error=error))
    action, resource = denied.groups()
    statement = json.dumps(
        {"Effect": "Allow", "Action": action, "Resource": _resource_pattern(resource)}
    )
    return failed(
        f"The function's call to S3 was refused with AccessDenied: its execution role "
        f"({POLICY_FILE}) does not allow {action} on {resource}. The role allows: {allowed}. "
        f"A statement such as {statement} would allow it",
        **_fields(allowed, f"{action} on {resource}", error),
    )
