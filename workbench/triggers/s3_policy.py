"""A simulated execution role: a function folder's policy.json, evaluated as IAM does.

The policy is an IAM identity policy: Statement (one or a list) of Effect Allow/Deny,
Action and Resource (a string or a list, `*` and `?` wildcards; actions match without
regard to case, resources with it). IAM's evaluation order holds: an explicit Deny wins,
else an Allow allows, else the request is implicitly denied. Conditions, NotAction,
NotResource and Principal are not simulated: a policy using them is refused with a message
saying so, rather than silently read as something it is not.

A function without policy.json is allowed everything (the workbench before roles existed).
The denial messages follow S3's same-account AccessDenied messages (AmazonS3 userguide,
troubleshoot-403-errors.html, "Access denied message examples").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from workbench.core.model import ACCOUNT_ID

POLICY_FILE = "policy.json"
Decision = Literal["allow", "implicit", "explicit"]
_KNOWN_KEYS = {"Sid", "Effect", "Action", "Resource"}
_UNSIMULATED = {"Condition", "NotAction", "NotResource", "Principal", "NotPrincipal"}


class PolicyError(ValueError):
    """policy.json is not an identity policy this simulation can evaluate."""


@dataclass(frozen=True)
class Statement:
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def applies(self, action: str, resource: str) -> bool:
        return any(_match(p.lower(), action.lower()) for p in self.actions) and any(
            _match(p, resource) for p in self.resources
        )


@dataclass(frozen=True)
class Policy:
    statements: tuple[Statement, ...]

    def decide(self, action: str, resource: str) -> Decision:
        matching = [s for s in self.statements if s.applies(action, resource)]
        if any(s.effect == "Deny" for s in matching):
            return "explicit"
        return "allow" if matching else "implicit"


@lru_cache(maxsize=512)
def _pattern(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards: * any run of characters, ? one character; nothing else is special."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _match(pattern: str, value: str) -> bool:
    return _pattern(pattern).fullmatch(value) is not None


def _strings(statement: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = statement.get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: {key} must be a string or a list of strings")
    return tuple(value)


def parse_policy(document: Any) -> Policy:
    """A Policy from policy.json's parsed JSON; PolicyError saying what is wrong."""
    if not isinstance(document, dict):
        raise PolicyError("the policy must be a JSON object with a Statement")
    version = document.get("Version")
    if version not in (None, "2012-10-17", "2008-10-17"):
        raise PolicyError(f'Version {version!r} is not a policy language version: use "2012-10-17"')
    raw = document.get("Statement")
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list) or not raw:
        raise PolicyError("the policy needs a Statement: one object or a list of them")
    statements = []
    for number, statement in enumerate(raw, start=1):
        where = f"Statement {number}"
        if not isinstance(statement, dict):
            raise PolicyError(f"{where} must be a JSON object")
        unsimulated = sorted(_UNSIMULATED & set(statement))
        if unsimulated:
            raise PolicyError(
                f"{where} uses {unsimulated[0]}, which the workbench's role simulation does "
                "not evaluate; use Effect, Action and Resource only"
            )
        unknown = sorted(set(statement) - _KNOWN_KEYS)
        if unknown:
            raise PolicyError(f"{where} has an unknown element {unknown[0]!r}")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f'{where}: Effect must be "Allow" or "Deny", not {effect!r}')
        actions = _strings(statement, "Action", where)
        for action in actions:
            if action != "*" and ":" not in action:
                raise PolicyError(f"{where}: {action!r} is not an action such as s3:GetObject")
        statements.append(Statement(effect, actions, _strings(statement, "Resource", where)))
    return Policy(tuple(statements))


def load_policy(code_dir: Path) -> Policy | None:
    """The folder's policy.json as a Policy; None without one; PolicyError if it is bad."""
    path = Path(code_dir) / POLICY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read {POLICY_FILE}: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"{POLICY_FILE} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_policy(document)


def role_name(function: str) -> str:
    """The execution role's name, as the Lambda console would create it (minus its suffix)."""
    return f"{function}-role"


def caller_arn(function: str) -> str:
    """The assumed-role ARN a function's requests carry."""
    return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name(function)}/{function}"


def denial(function: str, action: str, resource: str, decision: Decision) -> str:
    """S3's AccessDenied message for a same-account request the role does not allow."""
    why = (
        "with an explicit deny in an identity-based policy"
        if decision == "explicit"
        else f"because no identity-based policy allows the {action} action"
    )
    return (
        f"User: {caller_arn(function)} is not authorized to perform: {action} "
        f'on resource: "{resource}" {why}'
    )
