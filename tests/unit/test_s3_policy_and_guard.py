"""The execution-role simulation (policy.json), role credentials, and the S3 browser guard."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.core.model import FunctionConfig
from workbench.core.runtime_env import access_key_for, runtime_variables
from workbench.triggers.s3_guard import access_key, host_name, refusal
from workbench.triggers.s3_policy import PolicyError, denial, load_policy, parse_policy


def policy(*statements: dict[str, object]):
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: object, resource: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


# ----- evaluation ------------------------------------------------------------------------
def test_allow_with_wildcards_in_action_and_resource() -> None:
    role = policy(allow("s3:Get*", "arn:aws:s3:::photos/*"))
    assert role.decide("s3:GetObject", "arn:aws:s3:::photos/cat.jpg") == "allow"
    assert role.decide("s3:getobject", "arn:aws:s3:::photos/a/b.jpg") == "allow"  # any case
    assert role.decide("s3:PutObject", "arn:aws:s3:::photos/cat.jpg") == "implicit"
    assert role.decide("s3:GetObject", "arn:aws:s3:::photos") == "implicit"  # the bucket
    assert role.decide("s3:GetObject", "arn:aws:s3:::Photos/cat.jpg") == "implicit"  # case


def test_question_mark_matches_one_character_and_brackets_are_literal() -> None:
    role = policy(allow(["s3:GetObject"], ["arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/[x]"]))
    assert role.decide("s3:GetObject", "arn:aws:s3:::b/file1.txt") == "allow"
    assert role.decide("s3:GetObject", "arn:aws:s3:::b/file12.txt") == "implicit"
    assert role.decide("s3:GetObject", "arn:aws:s3:::b/[x]") == "allow"
    assert role.decide("s3:GetObject", "arn:aws:s3:::b/x") == "implicit"


def test_an_explicit_deny_wins_over_any_allow() -> None:
    role = policy(
        allow("*", "*"),
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::logs/*"},
    )
    assert role.decide("s3:DeleteObject", "arn:aws:s3:::logs/1") == "explicit"
    assert role.decide("s3:DeleteObject", "arn:aws:s3:::photos/1") == "allow"


def test_a_single_statement_object_is_accepted() -> None:
    role = parse_policy({"Statement": allow("s3:ListBucket", "arn:aws:s3:::photos")})
    assert role.decide("s3:ListBucket", "arn:aws:s3:::photos") == "allow"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"Version": "2020-01-01", "Statement": []}, 'use "2012-10-17"'),
        ({"Statement": []}, "needs a Statement"),
        ({"Statement": [allow("s3:GetObject", "*") | {"Effect": "allow"}]}, "Effect must be"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Action must be a string"),
        ({"Statement": [allow("GetObject", "*")]}, "not an action such as s3:GetObject"),
        ({"Statement": [allow("s3:GetObject", [])]}, "Resource must be"),
        ({"Statement": [allow("s3:GetObject", "*") | {"NotResource": "x"}]}, "NotResource"),
        ({"Statement": [allow("s3:GetObject", "*") | {"Efect": "x"}]}, "unknown element 'Efect'"),
    ],
)
def test_bad_policies_are_refused_with_a_reason(document: object, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(document)


def test_load_policy_reads_the_folder(tmp_path: Path) -> None:
    assert load_policy(tmp_path) is None
    (tmp_path / "policy.json").write_text('{"Statement": [\n  {"Effect": ')
    with pytest.raises(PolicyError, match=r"not valid JSON \(line 2"):
        load_policy(tmp_path)
    (tmp_path / "policy.json").write_text(json.dumps({"Statement": allow("s3:*", "*")}))
    role = load_policy(tmp_path)
    assert role is not None and role.decide("s3:PutObject", "arn:aws:s3:::x/y") == "allow"


def test_denial_messages_follow_s3s_same_account_wording() -> None:
    assert denial("thumbs", "s3:GetObject", "arn:aws:s3:::photos/cat.jpg", "implicit") == (
        "User: arn:aws:sts::123456789012:assumed-role/thumbs-role/thumbs is not authorized to "
        'perform: s3:GetObject on resource: "arn:aws:s3:::photos/cat.jpg" because no '
        "identity-based policy allows the s3:GetObject action"
    )
    assert denial("f", "s3:PutObject", "arn:aws:s3:::b/k", "explicit").endswith(
        '"arn:aws:s3:::b/k" with an explicit deny in an identity-based policy'
    )


# ----- credentials -----------------------------------------------------------------------
def test_each_function_gets_its_own_stable_access_key(tmp_path: Path) -> None:
    key = access_key_for("thumbs")
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", key)
    assert key == access_key_for("thumbs") != access_key_for("thumbs2")
    variables = runtime_variables(FunctionConfig(name="thumbs", code_dir=tmp_path), "h:1")
    assert variables["AWS_ACCESS_KEY_ID"] == variables["AWS_ACCESS_KEY"] == key
    assert variables["AWS_SECRET_ACCESS_KEY"] and variables["AWS_SESSION_TOKEN"]


def test_the_access_key_is_read_from_every_signature_form() -> None:
    sigv4 = "AWS4-HMAC-SHA256 Credential=ASIAABC/20261204/us-east-1/s3/aws4_request, Sig…"
    assert access_key({"Authorization": sigv4}, {}) == "ASIAABC"
    assert access_key({"Authorization": "AWS ASIAXYZ:c2lnbmF0dXJl"}, {}) == "ASIAXYZ"
    query = {"X-Amz-Credential": "ASIAQ/20261204/us-east-1/s3/aws4_request"}
    assert access_key({}, query) == "ASIAQ"
    assert access_key({}, {"AWSAccessKeyId": "ASIAV2"}) == "ASIAV2"
    assert access_key({}, {}) is None


# ----- the browser guard -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:9000", "127.0.0.1"), ("[::1]:9000", "::1"), ("LocalHost.", "localhost"),
     ("photos.localhost:1", "photos.localhost"), ("::1", "::1")],
)  # fmt: skip
def test_host_names_are_normalised(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("headers", "listening", "refused"),
    [
        ({"Host": "127.0.0.1:1"}, "127.0.0.1", False),
        ({"Host": "127.8.9.10:1"}, "127.0.0.1", False),  # all of 127/8 is loopback
        ({"Host": "[::1]:1"}, "127.0.0.1", False),
        ({"Host": "localhost:1"}, "127.0.0.1", False),
        ({"Host": "thumbs.localhost:1"}, "127.0.0.1", False),
        ({"Host": "172.17.0.1:1"}, "172.17.0.1", False),  # Docker's bridge, where we listen
        ({"Host": "host.docker.internal:1"}, "172.17.0.1", False),
        ({"Host": "172.17.0.1:1"}, "127.0.0.1", True),
        ({"Host": "localhost.evil.test"}, "127.0.0.1", True),
        ({"Host": "evil.test"}, "127.0.0.1", True),
        ({}, "127.0.0.1", True),
        ({"Host": "localhost", "Origin": "http://localhost:3000"}, "127.0.0.1", False),
        ({"Host": "localhost", "Origin": "https://[::1]"}, "127.0.0.1", False),
        ({"Host": "localhost", "Origin": "https://evil.test"}, "127.0.0.1", True),
        ({"Host": "localhost", "Origin": "null"}, "127.0.0.1", True),
        ({"Host": "localhost", "Origin": "file://"}, "127.0.0.1", True),
        ({"Host": "localhost", "Sec-Fetch-Site": "cross-site"}, "127.0.0.1", True),
        ({"Host": "localhost", "Sec-Fetch-Site": "same-origin"}, "127.0.0.1", False),
    ],
)
def test_the_guard_lets_local_tools_in_and_keeps_web_pages_out(
    headers: dict[str, str], listening: str, refused: bool
) -> None:
    assert (refusal(headers, listening) is not None) is refused
