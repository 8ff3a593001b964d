"""Check kinds on the real engine: the specific feedback a learner gets for common mistakes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.lesson_factory import make_lesson
from workbench.core.service import LambdaService
from workbench.lessons import ExerciseResult, check_exercise, load_lesson

pytestmark = pytest.mark.timeout(60)


def code(root: Path, source: str, toml: str = "", filename: str = "lambda_function.py") -> Path:
    folder = root / "code"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_text(textwrap.dedent(source), encoding="utf-8")
    if toml:
        (folder / "function.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return folder


async def run(tmp_path: Path, service: LambdaService, checks: str, source: str, **kw: str):
    lesson = load_lesson(make_lesson(tmp_path / "pack", **{"checks.toml": checks}))
    return await check_exercise(lesson, code(tmp_path, source, **kw), service)


def only(result: ExerciseResult) -> str:
    assert result.setup_error is None and len(result.checks) == 1
    assert not result.checks[0].passed
    return result.checks[0].message


async def test_handler_not_found_names_the_functions_that_exist(tmp_path, service):
    checks = '[[checks]]\nkind = "handler_resolves"\ntitle = "loads"\n'
    source = "def handle(event, context):\n    return 1\n\ndef helper():\n    pass\n"
    message = only(
        await run(
            tmp_path, service, checks, source, toml='handler = "app.main"\n', filename="app.py"
        )
    )
    assert (
        message
        == "Runtime.HandlerNotFound: app.py has no function 'main'; it defines handle, helper"
    )


async def test_malformed_handler_name(tmp_path, service):
    checks = '[[checks]]\nkind = "handler_resolves"\ntitle = "loads"\n'
    message = only(await run(tmp_path, service, checks, "x = 1\n", toml='handler = "app"\n'))
    assert message.startswith("Runtime.MalformedHandlerName: 'app' has no dot")


async def test_returns_spots_a_forgotten_return(tmp_path, service):
    checks = '[[checks]]\nkind = "returns"\ntitle = "t"\ntype = "dict"\n'
    message = only(await run(tmp_path, service, checks, "def lambda_handler(e, c):\n    pass\n"))
    assert "did the handler forget to `return`?" in message


async def test_function_error_when_nothing_fails(tmp_path, service):
    checks = '[[checks]]\nkind = "function_error"\ntitle = "t"\nerror_type = "ValueError"\n'
    message = only(
        await run(tmp_path, service, checks, "def lambda_handler(e, c):\n    return 1\n")
    )
    assert message == "It returned a number (1) instead of failing with ValueError"


async def test_logs_contain_shows_what_was_logged(tmp_path, service):
    checks = '[[checks]]\nkind = "logs_contain"\ntitle = "t"\npattern = "^Order \\\\d+$"\n'
    source = 'def lambda_handler(e, c):\n    print("order 7")\n'
    message = only(await run(tmp_path, service, checks, source))
    assert message.endswith("Your function logged:\norder 7")


async def test_warm_reuse_catches_a_counter_reset_in_the_handler(tmp_path, service):
    checks = '[[checks]]\nkind = "warm_reuse"\ntitle = "t"\ncounter = "n"\n'
    source = "def lambda_handler(e, c):\n    n = 0\n    n += 1\n    return {'n': n}\n"
    message = only(await run(tmp_path, service, checks, source))
    assert message.startswith("`n` went 1 → 1 over warm invocations")


async def test_throttles_explains_reserved_concurrency_zero(tmp_path, service):
    checks = '[[checks]]\nkind = "throttles"\ntitle = "t"\nconcurrent = 3\nexpect_throttled = 1\n'
    source = "def lambda_handler(e, c):\n    return 1\n"
    message = only(await run(tmp_path, service, checks, source, toml="reserved_concurrency = 0\n"))
    assert "3 of 3 simultaneous requests were throttled, not 1" in message
    assert "reserved concurrency 0 disables the function" in message


async def test_api_response_explains_a_function_error(tmp_path, service):
    checks = '[[checks]]\nkind = "api_response"\ntitle = "t"\npath = "/x"\nstatus = 200\n'
    source = "def lambda_handler(e, c):\n    raise KeyError('name')\n"
    message = only(await run(tmp_path, service, checks, source))
    assert message.startswith("GET /x answered 500")
    assert message.endswith("the handler raised KeyError: 'name'")


async def test_setting_bounds(tmp_path, service):
    checks = '[[checks]]\nkind = "setting"\ntitle = "t"\nsetting = "timeout"\nmin = 5\nwhy = "w"\n'
    message = only(await run(tmp_path, service, checks, "x = 1\n", toml="timeout = 3\n"))
    assert message == "`timeout` is 3 s; it must be at least 5 s — w"


async def test_a_bad_function_toml_is_a_setup_error(tmp_path, service):
    """No check runs; the summary says why."""
    result = await run(
        tmp_path,
        service,
        '[[checks]]\nkind = "returns"\ntitle = "t"\n',
        "x = 1\n",
        toml="memory = 64\n",
    )
    assert not result.passed and result.checks == ()
    assert "64 MB is out of range" in result.summary()


async def test_on_check_reports_each_check_as_it_finishes(tmp_path, service):
    lesson = load_lesson(make_lesson(tmp_path / "pack"))
    seen = []
    result = await check_exercise(lesson, lesson.solution_dir, service, on_check=seen.append)
    assert result.passed and seen == list(result.checks)
