"""The execution-role lesson and its bucket_role check kind, through the real engine.

The starter's role lacks s3:GetObject, so S3 answers AccessDenied and the check says which
action on which resource to allow; the solution passes; a role that allows too much fails
the least-privilege check; a missing or broken policy.json gets its own message.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.core.service import LambdaService
from workbench.lessons import ExerciseResult, check_exercise, load_lesson
from workbench.paths import LESSONS_DIR

pytestmark = pytest.mark.timeout(120)
FOLDER = LESSONS_DIR / "15-execution-role"
LESSON = load_lesson(FOLDER)


def results(result: ExerciseResult) -> list[tuple[bool, str]]:
    assert result.setup_error is None, result.setup_error
    return [(check.passed, check.message) for check in result.checks]


def with_policy(tmp_path: Path, policy: object | None) -> Path:
    folder = tmp_path / "code"
    shutil.copytree(FOLDER / "solution", folder)
    if policy is None:
        (folder / "policy.json").unlink()
    else:
        text = policy if isinstance(policy, str) else json.dumps(policy)
        (folder / "policy.json").write_text(text, encoding="utf-8")
    return folder


async def test_the_starter_fails_with_access_denied_explained(service: LambdaService) -> None:
    found = results(await check_exercise(LESSON, FOLDER / "starter", service))
    assert [ok for ok, _ in found] == [False, False]
    message = found[0][1]
    assert "AccessDenied" in message
    assert "s3:GetObject on arn:aws:s3:::photos/uploads/cat 1.jpg" in message
    assert "s3:PutObject on arn:aws:s3:::photos/reports/*" in message  # what it allows now
    assert '"Resource": "arn:aws:s3:::photos/uploads/*"' in message  # the statement to add


async def test_the_solution_passes(service: LambdaService) -> None:
    found = results(await check_exercise(LESSON, FOLDER / "solution", service))
    assert all(ok for ok, _ in found), found


async def test_a_role_allowing_everything_fails_least_privilege(
    service: LambdaService, tmp_path: Path
) -> None:
    broad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                      "Resource": "*"}]}  # fmt: skip
    found = results(await check_exercise(LESSON, with_policy(tmp_path, broad), service))
    assert found[0][0] is True
    assert found[1][0] is False
    assert "least privilege" in found[1][1] and "s3:DeleteObject" in found[1][1]


async def test_a_bucket_arn_for_objects_is_still_denied(
    service: LambdaService, tmp_path: Path
) -> None:
    policy = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                             "Resource": "arn:aws:s3:::photos"}]}  # fmt: skip
    found = results(await check_exercise(LESSON, with_policy(tmp_path, policy), service))
    assert found[0][0] is False and "AccessDenied" in found[0][1]


@pytest.mark.parametrize(
    ("policy", "says"),
    [
        (None, "There is no policy.json"),
        ('{"Statement": [', "not valid JSON (line 1"),
        ({"Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]},
         'Effect must be "Allow" or "Deny"'),
        ({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                        "Condition": {}}}, "uses Condition"),
    ],
)  # fmt: skip
async def test_a_missing_or_broken_policy_is_named(
    service: LambdaService, tmp_path: Path, policy, says
) -> None:
    found = results(await check_exercise(LESSON, with_policy(tmp_path, policy), service))
    assert found[0][0] is False and says in found[0][1], found[0][1]
