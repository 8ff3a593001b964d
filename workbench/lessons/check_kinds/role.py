"""The bucket_role check kind: a function's policy.json as its execution role against local
buckets (runner: role_run).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.lessons.check_kinds.compare import COMPARE_PARAMS, static_compare
from workbench.lessons.checks import EVENT_PARAMS, declare
from workbench.lessons.schema import Field


def split_object(item: str) -> tuple[str, str]:
    """'BUCKET/KEY' → (bucket, key); either may be empty when the item is malformed."""
    bucket, _, key = item.partition("/")
    return bucket, key


def _static(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found = static_compare(params)
    for name in ("objects", "written"):
        for index, item in enumerate(params.get(name, [])):
            bucket, key = split_object(str(item))
            if not bucket or not key:
                found.append(((name, index), f"{item!r}: write BUCKET/KEY, e.g. photos/cat.jpg"))
    for index, item in enumerate(params.get("forbid", [])):
        if len(str(item).split()) != 2:
            found.append(((("forbid", index)), f"{item!r}: write 'ACTION RESOURCE'"))
    return found


RUNNERS = "workbench.lessons.check_kinds.role_run"  # imported when one of these checks runs

BUCKET_ROLE = declare(
    "bucket_role",
    "Serve local buckets seeded with `objects` on an S3 endpoint that enforces the function "
    "folder's policy.json as its execution role, invoke once with the event; it must "
    "succeed (response as for `returns`), the keys in `written` must exist afterwards, and "
    "the policy must allow none of `forbid`.",
    {
        **EVENT_PARAMS,
        **COMPARE_PARAMS,
        "objects": Field("list", "BUCKET/KEY objects to create first", True, items="string"),
        "written": Field("list", "BUCKET/KEY objects the function must write", items="string"),
        "forbid": Field("list", "'ACTION RESOURCE' pairs the role must not allow", items="string"),
    },
    ("policy", "denied", "error"),
    static=_static,
    runner=RUNNERS,
)

KINDS = (BUCKET_ROLE,)
