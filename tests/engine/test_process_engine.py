"""The real engine (LambdaService + Environment + Runtime API + bootstrap) on the process backend.

Every test writes its handler to tmp_path, deploys it and invokes it for real: a Python runtime
process is started, frozen with SIGSTOP, thawed, killed. The expectations are AWS's
(LAMBDA_FACTS.md §A2–§A5).
"""

from __future__ import annotations

import asyncio
import math
import re
from pathlib import Path

import pytest
from engine_helpers import (
    ServiceFactory,
    body,
    invoke,
    log_texts,
    runtime_pids,
    wait_until,
    write_function,
)

from workbench.core.billing import billed_duration_ms
from workbench.core.errors import InvokeError
from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentFrozen,
    EnvironmentReaped,
    EnvironmentReset,
    EnvironmentThawed,
    InitCompleted,
    InitFailed,
    InitStarted,
    InvocationCompleted,
    InvocationQueued,
    InvocationStarted,
    LogLine,
)
from workbench.core.logstream import MAX_LINE_BYTES
from workbench.core.service import LambdaService

COUNTER = """\
import os

count = 0  # module state: survives warm invocations


def lambda_handler(event, context):
    global count
    count += 1
    print(f"invocation {count}")
    return {"count": count, "pid": os.getpid()}
"""

# One handler for the failure modes; the event chooses what goes wrong.
FAILING = """\
import os
import time


def lambda_handler(event, context):
    mode = event.get("mode")
    if mode == "spin":
        while True:
            pass
    if mode == "sleep":
        time.sleep(3600)
    if mode == "hog":
        hog = []
        while True:
            hog.append("x" * (10 * 1024 * 1024))
    if mode == "crash":
        os._exit(3)
    return {"ok": True, "pid": os.getpid()}
"""

ISO_TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def frozen_count(service: LambdaService) -> int:
    return len(list(service.bus.of_type(EnvironmentFrozen)))


def report_line(service: LambdaService, request_id: str) -> str:
    lines = [t for t in log_texts(service, request_id) if t.startswith("REPORT ")]
    assert len(lines) == 1, lines
    return lines[0]


def process_state(pid: int) -> str | None:
    """The state letter from /proc/<pid>/stat (R, S, T, Z, ...), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def process_gone(pid: int) -> bool:
    return process_state(pid) in (None, "Z", "X")


# ----- success and warm reuse --------------------------------------------------------------------
async def test_success_payload(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(
        write_function(
            tmp_path,
            """
            def lambda_handler(event, context):
                return {"echo": event, "unicode": "héllo ✓", "n": None}
            """,
        )
    )
    served = await invoke(service, "fn", {"a": [1, 2.5, "x"], "b": {"c": True}})
    assert served.function_error is None
    assert body(served) == {
        "echo": {"a": [1, 2.5, "x"], "b": {"c": True}},
        "unicode": "héllo ✓",
        "n": None,
    }
    assert served.cold is True
    assert served.report.status == "success"
    assert served.report.error_type is None
    assert served.log_tail.splitlines()[-1].startswith(f"REPORT RequestId: {served.request_id}\t")


async def test_warm_reuse(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    results = [await invoke(service, "fn") for _ in range(3)]
    assert [body(r)["count"] for r in results] == [1, 2, 3]
    assert [r.cold for r in results] == [True, False, False]
    assert len({body(r)["pid"] for r in results}) == 1
    assert results[0].report.init_duration_ms is not None
    assert results[0].report.init_duration_ms > 0
    assert [r.report.init_duration_ms for r in results[1:]] == [None, None]
    reports = [report_line(service, r.request_id) for r in results]
    assert "\tInit Duration: " in reports[0]
    assert all("Init Duration" not in line for line in reports[1:])
    started = list(service.bus.of_type(InvocationStarted))
    assert len({e.env_id for e in started}) == 1
    assert [e.cold for e in started] == [True, False, False]
    assert len(service.environments("fn")) == 1
    assert service.environments("fn")[0].invocations == 3


async def test_event_sequence_cold_then_warm(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    first = await invoke(service, "fn")
    assert await wait_until(lambda: frozen_count(service) == 1)
    second = await invoke(service, "fn")
    assert await wait_until(lambda: frozen_count(service) == 2)

    history = service.bus.history()
    kinds = [type(e).__name__ for e in history if not isinstance(e, LogLine)]
    assert kinds == [
        "EnvironmentCreated",
        "InitStarted",
        "InitCompleted",
        "InvocationStarted",
        "InvocationCompleted",
        "EnvironmentFrozen",
        "EnvironmentThawed",
        "InvocationStarted",
        "InvocationCompleted",
        "EnvironmentFrozen",
    ]
    env_ids = {getattr(e, "env_id", None) for e in history}
    assert len(env_ids) == 1
    created = next(service.bus.of_type(EnvironmentCreated))
    assert (created.backend, created.initialization_type) == ("process", "on-demand")
    assert next(service.bus.of_type(InitStarted)).phase == "init"
    assert next(service.bus.of_type(InitCompleted)).phase == "init"
    assert [e.cold for e in service.bus.of_type(InvocationStarted)] == [True, False]
    completed = list(service.bus.of_type(InvocationCompleted))
    assert [e.request_id for e in completed] == [first.request_id, second.request_id]
    assert all(e.function_error is None for e in completed)
    assert all(e.invocation_type == "RequestResponse" for e in completed)
    assert [e.at for e in history] == sorted(e.at for e in history)

    # INIT_START sits between InitStarted and InitCompleted; each invocation's lines are
    # START, the handler's output, END, REPORT, all before its InvocationCompleted.
    def position(kind: type, nth: int = 0) -> int:
        return [i for i, e in enumerate(history) if isinstance(e, kind)][nth]

    lines = [(i, e.text) for i, e in enumerate(history) if isinstance(e, LogLine)]
    init_start = [i for i, text in lines if text.startswith("INIT_START ")]
    assert len(init_start) == 1
    assert position(InitStarted) < init_start[0] < position(InitCompleted)
    for nth, (served, count) in enumerate([(first, 1), (second, 2)]):
        mine = [(i, e.text) for i, e in enumerate(history) if isinstance(e, LogLine)]
        mine = [(i, t) for i, t in mine if history[i].request_id == served.request_id]
        texts = [t for _, t in mine]
        assert texts[0] == f"START RequestId: {served.request_id} Version: $LATEST"
        assert texts[1:-2] == [f"invocation {count}"]
        assert texts[-2] == f"END RequestId: {served.request_id}"
        assert texts[-1].startswith(f"REPORT RequestId: {served.request_id}\t")
        assert mine[-1][0] < position(InvocationCompleted, nth)
        begin = position(InitCompleted) if nth == 0 else position(EnvironmentThawed)
        assert begin < mine[0][0]


async def test_invocation_started_precedes_its_log_lines(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    served = await invoke(service, "fn")
    history = service.bus.history()
    started = next(i for i, e in enumerate(history) if isinstance(e, InvocationStarted))
    first_line = next(
        i
        for i, e in enumerate(history)
        if isinstance(e, LogLine) and e.request_id == served.request_id
    )
    assert started < first_line


async def test_frozen_environment_is_really_stopped(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    first = await invoke(service, "fn")
    pid = body(first)["pid"]
    assert await wait_until(lambda: frozen_count(service) == 1)
    # SIGSTOP is delivered asynchronously: the process may show R for a moment, then T.
    assert await wait_until(lambda: process_state(pid) == "T", timeout=1.0), process_state(pid)
    await asyncio.sleep(0.2)
    assert process_state(pid) == "T"  # and it stays stopped: no CPU while frozen
    assert [e.state for e in service.environments("fn")] == ["frozen"]
    second = await invoke(service, "fn")
    assert body(second) == {"count": 2, "pid": pid}  # thawed, same process and memory
    assert len(list(service.bus.of_type(EnvironmentThawed))) == 1
    assert await wait_until(lambda: frozen_count(service) == 2)
    assert await wait_until(lambda: process_state(pid) == "T", timeout=1.0), process_state(pid)


TMP_HANDLER = """\
import os
import tempfile


def lambda_handler(event, context):
    if event.get("spin"):
        while True:
            pass
    path = os.path.join(tempfile.gettempdir(), "marker.txt")
    existed = os.path.exists(path)
    with open(path, "a") as marker:
        marker.write("x")
    return {
        "existed": existed,
        "size": os.path.getsize(path),
        "tmp": tempfile.gettempdir(),
        "TMPDIR": os.environ.get("TMPDIR"),
    }
"""


async def test_tmp_persists_across_warm_invocations(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, TMP_HANDLER))
    first = body(await invoke(service, "fn"))
    second = body(await invoke(service, "fn"))
    assert (first["existed"], first["size"]) == (False, 1)
    assert (second["existed"], second["size"]) == (True, 2)
    assert first["tmp"] == second["tmp"] == first["TMPDIR"]


async def test_tmp_survives_a_reset(service: LambdaService, tmp_path: Path) -> None:
    # "The Lambda reset does not clear the /tmp directory." (lambda-runtime-environment.html)
    service.deploy(write_function(tmp_path, TMP_HANDLER, timeout_s=1))
    assert body(await invoke(service, "fn"))["existed"] is False
    timed_out = await invoke(service, "fn", {"spin": True})
    assert timed_out.report.status == "timeout"
    after = await invoke(service, "fn")
    assert after.cold is True
    assert body(after)["existed"] is True


async def test_tmp_is_not_shared_between_environments(
    service: LambdaService, tmp_path: Path
) -> None:
    code = TMP_HANDLER.replace("    path =", "    import time; time.sleep(0.3)\n    path =")
    service.deploy(write_function(tmp_path, code))
    a, b = await asyncio.gather(invoke(service, "fn"), invoke(service, "fn"))
    assert body(a)["tmp"] != body(b)["tmp"]
    assert body(a)["existed"] is body(b)["existed"] is False


# ----- one invocation per environment ------------------------------------------------------------
SLOW = """\
import os
import time


def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0.3))
    return {"pid": os.getpid()}
"""


async def test_concurrent_invocations_get_separate_environments(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, SLOW))
    a, b = await asyncio.gather(invoke(service, "fn"), invoke(service, "fn"))
    assert a.cold and b.cold
    assert body(a)["pid"] != body(b)["pid"]
    started = list(service.bus.of_type(InvocationStarted))
    assert len({e.env_id for e in started}) == 2
    assert len(service.environments("fn")) == 2
    assert runtime_pids() == {body(a)["pid"], body(b)["pid"]}
    # Afterwards both are warm and reused, never more than one invocation each at a time.
    c, d = await asyncio.gather(invoke(service, "fn"), invoke(service, "fn"))
    assert not c.cold and not d.cold
    assert {body(c)["pid"], body(d)["pid"]} == {body(a)["pid"], body(b)["pid"]}
    assert len(service.environments("fn")) == 2


async def test_an_environment_never_serves_two_invocations_at_once(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, SLOW))
    await asyncio.gather(*(invoke(service, "fn", {"sleep": 0.2}) for _ in range(4)))
    await asyncio.gather(*(invoke(service, "fn", {"sleep": 0.1}) for _ in range(3)))
    busy: dict[str, str | None] = {}
    for event in service.bus.history():
        if isinstance(event, InvocationStarted):
            assert busy.get(event.env_id) is None, "two invocations overlap in one environment"
            busy[event.env_id] = event.request_id
        elif isinstance(event, InvocationCompleted):
            assert busy.get(event.env_id) == event.request_id
            busy[event.env_id] = None
    assert len(busy) == 4


# ----- timeouts ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["spin", "sleep"])
async def test_timeout_resets_the_environment(
    service: LambdaService, tmp_path: Path, mode: str
) -> None:
    service.deploy(write_function(tmp_path, FAILING, timeout_s=1))
    warm = await invoke(service, "fn")
    old_pid = body(warm)["pid"]
    served = await invoke(service, "fn", {"mode": mode})
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(
        rf"{ISO_TS} {served.request_id} Task timed out after 1\.0\d seconds",
        error["errorMessage"],
    ), error["errorMessage"]
    assert served.report.status == "timeout"
    assert 999.0 <= served.report.duration_ms <= 1000.0
    assert served.report.billed_duration_ms == 1000
    line = report_line(service, served.request_id)
    assert line.endswith("\tStatus: timeout\t")
    assert "\tDuration: 1000.00 ms\t" in line
    assert any(
        t.endswith("Task timed out after " + error["errorMessage"].rsplit("after ", 1)[1])
        for t in log_texts(service, served.request_id)
    )
    assert [e.reason for e in service.bus.of_type(EnvironmentReset)] == ["timeout"]
    assert await wait_until(lambda: process_gone(old_pid), timeout=3)

    after = await invoke(service, "fn")
    assert after.cold is True
    assert after.function_error is None
    assert body(after)["pid"] != old_pid
    assert after.report.init_duration_ms is not None
    assert len(service.environments("fn")) == 1  # the same environment, re-initialised
    assert runtime_pids() == {body(after)["pid"]}
    envs = {e.env_id for e in service.bus.of_type(InvocationStarted)}
    assert len(envs) == 1


async def test_cold_timeout_reports_the_memory_used(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, FAILING, timeout_s=1))
    served = await invoke(service, "fn", {"mode": "sleep"})
    assert served.report.status == "timeout"
    assert served.report.max_memory_used_mb > 0


# ----- out of memory and crashes -----------------------------------------------------------------
async def test_out_of_memory(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, FAILING, memory_mb=128, timeout_s=10))
    old_pid = body(await invoke(service, "fn"))["pid"]
    served = await invoke(service, "fn", {"mode": "hog"})
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "Runtime.OutOfMemory", error
    assert "Runtime exited with error: signal: killed" in error["errorMessage"]
    assert served.report.status == "error"
    assert served.report.error_type == "Runtime.OutOfMemory"
    assert served.report.max_memory_used_mb == 128
    line = report_line(service, served.request_id)
    assert line.endswith(
        "\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\t"
        "Error Type: Runtime.OutOfMemory\t"
    )
    assert [e.reason for e in service.bus.of_type(EnvironmentReset)] == ["runtime exited"]
    assert process_gone(old_pid)
    after = await invoke(service, "fn")
    assert after.cold is True
    assert body(after)["ok"] is True
    assert runtime_pids() == {body(after)["pid"]}


async def test_runtime_exit_is_an_exit_error(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, FAILING))
    served = await invoke(service, "fn", {"mode": "crash"})
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"] == (
        f"RequestId: {served.request_id} Error: Runtime exited with error: exit status 3"
    )
    assert served.report.status == "error"
    assert served.report.error_type == "Runtime.ExitError"
    assert report_line(service, served.request_id).endswith(
        "\tStatus: error\tError Type: Runtime.ExitError\t"
    )
    assert any("Runtime exited with error: exit status 3" in t for t in served.log_tail.split("\n"))
    after = await invoke(service, "fn")
    assert after.cold is True
    assert after.function_error is None


# ----- init errors -------------------------------------------------------------------------------
GOOD = 'def lambda_handler(event, context):\n    return "fixed"\n'

INIT_ERRORS = {
    "missing-file": (
        None,
        {},
        "Runtime.ImportModuleError",
        "Unable to import module 'lambda_function': No module named 'lambda_function'",
    ),
    "missing-dependency": (
        "import not_a_real_module_xyz\n" + GOOD,
        {},
        "Runtime.ImportModuleError",
        "Unable to import module 'lambda_function': No module named 'not_a_real_module_xyz'",
    ),
    "handler-not-found": (
        "def other(event, context):\n    return 1\n",
        {},
        "Runtime.HandlerNotFound",
        "Handler 'lambda_handler' missing on module 'lambda_function'",
    ),
    "not-callable": (
        "lambda_handler = 42\n",
        {},
        "Runtime.HandlerNotFound",
        "Handler 'lambda_handler' on module 'lambda_function' is not callable",
    ),
    "malformed-handler": (
        GOOD,
        {"handler": "lambda_function"},
        "Runtime.MalformedHandlerName",
        "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)",
    ),
    "syntax-error": (
        "def lambda_handler(event, context)\n    return 1\n",
        {},
        "Runtime.UserCodeSyntaxError",
        "Syntax error in module 'lambda_function': ",
    ),
    "exception-at-init": (
        "raise ValueError('boom at init')\n" + GOOD,
        {},
        "ValueError",
        "boom at init",
    ),
}


@pytest.mark.parametrize("case", sorted(INIT_ERRORS))
async def test_init_errors(service: LambdaService, tmp_path: Path, case: str) -> None:
    code, settings, error_type, message = INIT_ERRORS[case]
    code_dir = tmp_path / "fn"
    code_dir.mkdir()
    if code is None:
        (code_dir / "other.py").write_text(GOOD)
        config = write_function(tmp_path, GOOD, filename="other.py", **settings)
    else:
        config = write_function(tmp_path, code, **settings)
    service.deploy(config)

    served = await invoke(service, "fn")
    assert served.function_error == "Unhandled"
    assert served.cold is True
    error = body(served)
    assert error["errorType"] == error_type
    assert error["errorMessage"].startswith(message), error["errorMessage"]
    assert served.report.status == "error"
    assert served.report.error_type == error_type
    assert served.report.init_duration_ms is None

    # Init failed, then the suppressed init was retried within the invoke, and failed again.
    texts = log_texts(service)
    init_reports = [t for t in texts if t.startswith("INIT_REPORT ")]
    assert len(init_reports) == 2, init_reports
    assert re.fullmatch(
        rf"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\t"
        rf"Error Type: {re.escape(error_type)}",
        init_reports[0],
    )
    assert "\tPhase: invoke\tStatus: error\t" in init_reports[1]
    assert texts.index(init_reports[0]) < texts.index(init_reports[1])
    assert any(t.startswith(f"[ERROR] {error_type}") for t in texts)
    failed = list(service.bus.of_type(InitFailed))
    assert [(e.phase, e.status, e.error_type) for e in failed] == [
        ("init", "error", error_type),
        ("invoke", "error", error_type),
    ]
    assert report_line(service, served.request_id).endswith(
        f"\tStatus: error\tError Type: {error_type}\t"
    )
    assert runtime_pids() == set()

    # Fixing the code and redeploying makes the function work.
    service.deploy(write_function(tmp_path, GOOD))
    fixed = await invoke(service, "fn")
    assert fixed.function_error is None
    assert body(fixed) == "fixed"
    assert fixed.cold is True


async def test_init_error_again_on_every_invocation(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, "lambda_handler = 42\n"))
    for _ in range(2):
        served = await invoke(service, "fn")
        assert body(served)["errorType"] == "Runtime.HandlerNotFound"
        assert served.cold is True
    assert len(service.environments("fn")) == 1


# ----- handler errors ----------------------------------------------------------------------------
async def test_unhandled_exception(service: LambdaService, tmp_path: Path) -> None:
    config = write_function(
        tmp_path,
        """\
        import os
        def lambda_handler(event, context):
            if event.get("ok"):
                return os.getpid()
            data = {}
            return data["action"]
        """,
    )
    service.deploy(config)
    pid = body(await invoke(service, "fn", {"ok": True}))
    served = await invoke(service, "fn")
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "KeyError"
    assert error["errorMessage"] == "'action'"
    assert error["requestId"] == served.request_id
    path = str(config.code_dir / "lambda_function.py")
    assert any(
        f'File "{path}", line 6, in lambda_handler' in entry for entry in error["stackTrace"]
    ), error["stackTrace"]
    assert all("bootstrap.py" not in entry for entry in error["stackTrace"])
    texts = log_texts(service, served.request_id)
    assert "[ERROR] KeyError: 'action'" in texts
    assert "Traceback (most recent call last):" in texts
    # A handler exception is a function error, not a platform failure: no reset.
    assert served.report.status == "success"
    assert "Status:" not in report_line(service, served.request_id)
    after = await invoke(service, "fn", {"ok": True})
    assert after.cold is False
    assert body(after) == pid


async def test_marshal_error(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, "def lambda_handler(e, c):\n    return {1, 2}\n"))
    served = await invoke(service, "fn")
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "Runtime.MarshalError"
    assert error["errorMessage"] == (
        "Unable to marshal response: Object of type set is not JSON serializable"
    )


# ----- init timeout (suppressed init) ------------------------------------------------------------
async def test_init_timeout_is_retried_in_the_invoke_phase(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(init_limit_s=0.5)
    service.deploy(
        write_function(
            tmp_path,
            """
            import os
            import time
            time.sleep(1.0)  # slow init: longer than the init limit, shorter than the timeout

            def lambda_handler(event, context):
                return os.getpid()
            """,
            timeout_s=3,
        )
    )
    served = await invoke(service, "fn")
    assert served.function_error is None
    pid = body(served)
    assert served.cold is True
    init_reports = [t for t in log_texts(service) if t.startswith("INIT_REPORT ")]
    assert len(init_reports) == 1
    assert init_reports[0].endswith("\tPhase: init\tStatus: timeout")
    shown = float(re.match(r"INIT_REPORT Init Duration: ([\d.]+) ms", init_reports[0])[1])
    assert 500 <= shown < 1500
    assert served.report.init_duration_ms is None
    line = report_line(service, served.request_id)
    assert "Init Duration" not in line
    assert "Status" not in line
    assert served.report.duration_ms >= 1000  # the suppressed init is part of Duration
    assert [(e.phase, e.status) for e in service.bus.of_type(InitFailed)] == [("init", "timeout")]
    assert [e.phase for e in service.bus.of_type(InitCompleted)] == ["invoke"]
    # The environment is now warm like any other: frozen, reused, one runtime process.
    assert await wait_until(lambda: frozen_count(service) == 1)
    assert runtime_pids() == {pid}
    warm = await invoke(service, "fn")
    assert warm.cold is False
    assert body(warm) == pid
    assert warm.report.duration_ms < 500
    assert runtime_pids() == {pid}


# ----- payload limits ----------------------------------------------------------------------------
ECHO_SIZE = """\
def lambda_handler(event, context):
    if isinstance(event, dict) and "size" in event:
        return "y" * event["size"]
    return len(event) if isinstance(event, str) else event
"""


async def test_malformed_event_json_is_refused(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, ECHO_SIZE))
    with pytest.raises(InvokeError) as info:
        await asyncio.wait_for(service.invoke("fn", b'{"a": '), 10)
    assert info.value.status == 400
    assert info.value.error_type == "InvalidRequestContentException"
    assert service.environments() == []  # refused before anything ran
    served = await invoke(service, "fn", {"a": 1})
    assert body(served) == {"a": 1}


async def test_unknown_function_is_404(service: LambdaService) -> None:
    with pytest.raises(InvokeError) as info:
        await asyncio.wait_for(service.invoke("nope", b"{}"), 10)
    assert (info.value.status, info.value.error_type) == (404, "ResourceNotFoundException")


async def test_request_payload_over_6_mb_is_413(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, ECHO_SIZE))
    limit = 6 * 1024 * 1024
    too_big = b'"' + b"x" * (limit - 1) + b'"'
    with pytest.raises(InvokeError) as info:
        await asyncio.wait_for(service.invoke("fn", too_big), 10)
    assert info.value.status == 413
    assert info.value.error_type == "RequestTooLargeException"
    just_fits = b'"' + b"x" * (limit - 2) + b'"'
    served = await asyncio.wait_for(service.invoke("fn", just_fits), 20)
    assert served.function_error is None
    assert body(served) == limit - 2


async def test_large_response_round_trips_whole(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, ECHO_SIZE))
    served = await invoke(service, "fn", {"size": 5_000_000})
    assert served.function_error is None
    assert len(served.payload) == 5_000_002
    assert body(served) == "y" * 5_000_000


async def test_response_over_6_mb_is_a_function_error(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, ECHO_SIZE))
    served = await invoke(service, "fn", {"size": 7_000_000})
    assert served.function_error == "Unhandled"
    error = body(served)
    assert error["errorType"] == "Function.ResponseSizeTooLarge"
    assert "6291556" in error["errorMessage"]
    assert any("too large" in t for t in log_texts(service, served.request_id))
    after = await invoke(service, "fn", {"size": 3})
    assert after.function_error is None
    assert body(after) == "yyy"
    assert after.cold is False  # a rejected response is not a crash: no reset


# ----- logs --------------------------------------------------------------------------------------
FLOOD = """\
def lambda_handler(event, context):
    for i in range(event["lines"]):
        print(f"{i:08d} " + "z" * 41)
    return event["lines"]
"""


async def test_log_flood_is_capped_and_the_service_keeps_working(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, FLOOD, timeout_s=60))
    lines = 100_000  # 5 MB of output
    served = await invoke(service, "fn", {"lines": lines})
    assert served.function_error is None
    assert body(served) == lines
    texts = log_texts(service, served.request_id)
    kept = [t for t in texts if re.fullmatch(r"\d{8} z{41}", t)]
    notices = [t for t in texts if t.startswith("[workbench] ")]
    assert len(notices) == 1, notices
    match = re.fullmatch(
        r"\[workbench\] log cut: ([\d,]+) more lines \(.*\) of this invocation were not kept.*",
        notices[0],
    )
    assert match
    dropped = int(match[1].replace(",", ""))
    assert len(kept) + dropped == lines
    assert kept == [f"{i:08d} " + "z" * 41 for i in range(len(kept))]  # in order, the first ones
    assert texts[-2].startswith("END ") and texts[-1].startswith("REPORT ")
    assert texts.index(notices[0]) < len(texts) - 2
    assert len(served.log_tail.encode()) < 8 * 1024

    after = await invoke(service, "fn", {"lines": 3})
    assert after.function_error is None
    after_texts = log_texts(service, after.request_id)
    assert [t for t in after_texts if re.fullmatch(r"\d{8} z{41}", t)] == [
        f"{i:08d} " + "z" * 41 for i in range(3)
    ]
    assert not any(t.startswith("[workbench]") for t in after_texts)


async def test_a_line_longer_than_a_log_event_is_cut_at_1_mb_with_a_note(
    service: LambdaService, tmp_path: Path
) -> None:
    """A CloudWatch Logs event holds 1 MB (since April 2025); the rest is counted, not kept."""
    source = 'def lambda_handler(e, c):\n    print("L" * (3 * 1024 * 1024))\n    print("next")\n'
    service.deploy(write_function(tmp_path, source))
    served = await invoke(service, "fn")
    texts = log_texts(service, served.request_id)
    [line] = [t for t in texts if t.startswith("L")]
    assert MAX_LINE_BYTES == 1024 * 1024
    assert len(line.encode()) <= MAX_LINE_BYTES
    kept = len(line.split(" [")[0])
    cut = int(re.search(r"line cut here, ([\d,]+) more bytes", line)[1].replace(",", ""))
    assert kept + cut == 3 * 1024 * 1024  # every byte is either kept or counted
    assert texts[texts.index(line) + 1] == "next"  # the following line is whole


async def test_a_cut_line_keeps_whole_multibyte_characters(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(
        write_function(tmp_path, 'def lambda_handler(e, c):\n    print("€" * 1_000_000)\n')
    )
    served = await invoke(service, "fn")
    [line] = [t for t in log_texts(service, served.request_id) if t.startswith("€")]
    head = line.split(" [workbench: line cut here")[0]
    assert set(head) == {"€"} and "\ufffd" not in line
    cut = int(re.search(r"([\d,]+) more bytes", line)[1].replace(",", ""))
    assert len(head.encode()) + cut == 3 * 1_000_000


async def test_log_lines_carry_their_request_id_in_order(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(
        write_function(
            tmp_path,
            """
            import logging
            import sys

            def lambda_handler(event, context):
                print("one")
                print("two", file=sys.stderr)
                print("three")
                logging.warning("four")
                return event["n"]
            """,
        )
    )
    results = [await invoke(service, "fn", {"n": n}) for n in range(2)]
    request_lines = [e for e in service.bus.of_type(LogLine) if e.request_id is not None]
    assert [e.request_id for e in request_lines] == [
        r.request_id for r in results for _ in range(7)
    ]
    for served in results:
        rid = served.request_id
        texts = log_texts(service, rid)
        assert texts[0] == f"START RequestId: {rid} Version: $LATEST"
        assert texts[1:4] == ["one", "two", "three"]
        assert re.fullmatch(rf"\[WARNING\]\t{ISO_TS}\t{rid}\tfour", texts[4]), texts[4]
        assert texts[5] == f"END RequestId: {rid}"
        assert texts[6].startswith(f"REPORT RequestId: {rid}\t")
        assert served.log_tail.split("\n")[-6:] == texts[1:]
    env_ids = {e.env_id for e in service.bus.of_type(LogLine)}
    assert env_ids == {next(service.bus.of_type(EnvironmentCreated)).env_id}


async def test_output_without_a_trailing_newline_stays_with_its_invocation(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(
        write_function(
            tmp_path,
            """
            import sys

            def lambda_handler(event, context):
                sys.stdout.write(f"partial {event['n']}")
                context.log(" via context.log")
                return event["n"]
            """,
        )
    )
    results = [await invoke(service, "fn", {"n": n}) for n in range(2)]
    for n, served in enumerate(results):
        texts = log_texts(service, served.request_id)
        assert texts[1:-2] == [f"partial {n} via context.log"], texts
        assert texts[-2] == f"END RequestId: {served.request_id}"


# ----- reaping -----------------------------------------------------------------------------------
async def test_idle_environment_is_reaped(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = await make_service(idle_timeout_s=0.3)
    service.deploy(write_function(tmp_path, COUNTER))
    served = await invoke(service, "fn")
    pid = body(served)["pid"]
    assert await wait_until(lambda: any(service.bus.of_type(EnvironmentReaped)), timeout=5)
    reaped = list(service.bus.of_type(EnvironmentReaped))
    assert [e.reason for e in reaped] == ["idle"]
    assert await wait_until(lambda: process_gone(pid), timeout=3)
    assert runtime_pids() == set()
    assert service.environments("fn") == []
    again = await invoke(service, "fn")
    assert again.cold is True
    assert body(again)["count"] == 1


async def test_reap_idle_spares_recent_environments(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(idle_timeout_s=300)
    service.deploy(write_function(tmp_path, COUNTER))
    await invoke(service, "fn")
    assert service.reap_idle() == 0
    assert len(service.environments("fn")) == 1


async def test_close_stops_every_runtime(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW))
    a, b = await asyncio.gather(invoke(service, "fn"), invoke(service, "fn"))
    pids = [body(a)["pid"], body(b)["pid"]]
    await asyncio.wait_for(service.close(), 5)
    assert all(process_gone(pid) for pid in pids)
    assert [e.reason for e in service.bus.of_type(EnvironmentReaped)] == ["shutdown"] * 2


# ----- asynchronous invocations ------------------------------------------------------------------
async def test_invoke_event_runs_the_function(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    request_id = await asyncio.wait_for(service.invoke_event("fn", b'{"x": 1}'), 5)

    def done() -> list[InvocationCompleted]:
        return [e for e in service.bus.of_type(InvocationCompleted) if e.request_id == request_id]

    assert await wait_until(lambda: bool(done()), timeout=10)
    assert done()[0].invocation_type == "Event"
    assert done()[0].function_error is None
    queued = list(service.bus.of_type(InvocationQueued))
    assert [(e.request_id, e.attempt) for e in queued] == [(request_id, 1)]
    started = [e for e in service.bus.of_type(InvocationStarted) if e.request_id == request_id]
    assert [e.invocation_type for e in started] == ["Event"]


async def test_failing_async_invocation_is_retried_twice(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(async_retry_delays_s=(0.1, 0.1))
    service.deploy(write_function(tmp_path, "def lambda_handler(e, c):\n    raise ValueError(e)\n"))
    request_id = await service.invoke_event("fn", b'{"x": 1}')

    def completed() -> list[InvocationCompleted]:
        return [e for e in service.bus.of_type(InvocationCompleted) if e.request_id == request_id]

    assert await wait_until(lambda: len(completed()) == 3, timeout=15)
    await asyncio.sleep(0.5)  # no fourth attempt
    assert len(completed()) == 3
    assert all(e.function_error == "Unhandled" for e in completed())
    assert all(e.invocation_type == "Event" for e in completed())
    queued = list(service.bus.of_type(InvocationQueued))
    assert [(e.request_id, e.attempt) for e in queued] == [(request_id, n) for n in (1, 2, 3)]


async def test_async_retry_stops_after_a_success(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(async_retry_delays_s=(0.1, 0.1))
    service.deploy(
        write_function(
            tmp_path,
            """
            attempts = 0

            def lambda_handler(event, context):
                global attempts
                attempts += 1
                if attempts == 1:
                    raise RuntimeError("first attempt fails")
                return attempts
            """,
        )
    )
    request_id = await service.invoke_event("fn", b"{}")
    assert await wait_until(
        lambda: any(e.function_error is None for e in service.bus.of_type(InvocationCompleted)),
        timeout=10,
    )
    await asyncio.sleep(0.5)
    completed = list(service.bus.of_type(InvocationCompleted))
    assert [e.function_error for e in completed] == ["Unhandled", None]
    assert [e.attempt for e in service.bus.of_type(InvocationQueued)] == [1, 2]
    assert {e.request_id for e in completed} == {request_id}


# ----- billing and memory ------------------------------------------------------------------------
def billed_in_line(line: str) -> int:
    return int(re.search(r"\tBilled Duration: (\d+) ms\t", line)[1])  # type: ignore[index]


async def test_billed_duration_includes_init_only_when_cold(
    service: LambdaService, tmp_path: Path
) -> None:
    service.deploy(write_function(tmp_path, COUNTER))
    cold = await invoke(service, "fn")
    warm = await invoke(service, "fn")
    init_ms, cold_ms = cold.report.init_duration_ms, cold.report.duration_ms
    assert init_ms is not None
    assert cold.report.billed_duration_ms == billed_duration_ms(cold_ms, init_ms)
    assert abs(cold.report.billed_duration_ms - math.ceil(init_ms + cold_ms)) <= 1
    assert cold.report.billed_duration_ms >= math.ceil(init_ms)
    assert warm.report.billed_duration_ms == billed_duration_ms(warm.report.duration_ms)
    assert abs(warm.report.billed_duration_ms - math.ceil(warm.report.duration_ms)) <= 1
    assert billed_in_line(report_line(service, cold.request_id)) == cold.report.billed_duration_ms
    assert billed_in_line(report_line(service, warm.request_id)) == warm.report.billed_duration_ms
    events = {e.request_id: e.report for e in service.bus.of_type(InvocationCompleted)}
    assert events[cold.request_id] == cold.report
    assert events[warm.request_id] == warm.report


async def test_max_memory_used_is_measured(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(
        write_function(
            tmp_path,
            """
            def lambda_handler(event, context):
                if event.get("alloc"):
                    blob = "x" * (50 * 1024 * 1024)
                    return len(blob)
                return 0
            """,
            memory_mb=256,
        )
    )
    small = await invoke(service, "fn")
    big = await invoke(service, "fn", {"alloc": True})
    assert body(big) == 50 * 1024 * 1024
    assert 0 < small.report.max_memory_used_mb < 256
    assert big.report.max_memory_used_mb >= small.report.max_memory_used_mb + 45
    assert big.report.max_memory_used_mb <= 256
    line = report_line(service, big.request_id)
    assert f"\tMax Memory Used: {big.report.max_memory_used_mb} MB\t" in line
    after = await invoke(service, "fn")  # the environment's peak never goes down while warm
    assert after.report.max_memory_used_mb >= big.report.max_memory_used_mb


# ----- what the runtime sees ---------------------------------------------------------------------
async def test_runtime_environment_variables(
    service: LambdaService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_HOST_CANARY", "must-not-leak")
    config = write_function(
        tmp_path,
        "import os\ndef lambda_handler(event, context):\n    return dict(os.environ)\n",
        memory_mb=256,
        environment={"STAGE": "test", "TABLE_NAME": "orders"},
    )
    service.deploy(config)
    env = body(await invoke(service, "fn"))
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["_HANDLER"] == "lambda_function.lambda_handler"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream), stream
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["LAMBDA_TASK_ROOT"] == str(config.code_dir)
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert env["STAGE"] == "test"
    assert env["TABLE_NAME"] == "orders"
    assert "AWS_ACCESS_KEY_ID" in env and "AWS_SECRET_ACCESS_KEY" in env
    assert "WORKBENCH_HOST_CANARY" not in env


async def test_log_stream_is_per_environment(service: LambdaService, tmp_path: Path) -> None:
    code = (
        "import os, time\ndef lambda_handler(event, context):\n"
        "    time.sleep(event.get('sleep', 0))\n"
        "    return [os.environ['AWS_LAMBDA_LOG_STREAM_NAME'], context.log_stream_name]\n"
    )
    service.deploy(write_function(tmp_path, code))
    a, b = await asyncio.gather(
        invoke(service, "fn", {"sleep": 0.3}), invoke(service, "fn", {"sleep": 0.3})
    )
    assert body(a)[0] == body(a)[1]
    assert body(a)[0] != body(b)[0]
    c = await invoke(service, "fn")
    assert body(c)[0] in (body(a)[0], body(b)[0])


async def test_context_object(service: LambdaService, tmp_path: Path) -> None:
    config = write_function(
        tmp_path,
        """
        import time

        def lambda_handler(event, context):
            first = context.get_remaining_time_in_millis()
            time.sleep(0.2)
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "invoked_function_arn": context.invoked_function_arn,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "identity": context.identity is not None,
                "client_context": context.client_context,
                "remaining": [first, context.get_remaining_time_in_millis()],
            }
        """,
    )
    service.deploy(config)
    served = await invoke(service, "fn")
    ctx = body(served)
    assert ctx["function_name"] == "fn"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["memory_limit_in_mb"] == "128"  # a str, as in awslambdaric
    assert ctx["invoked_function_arn"] == config.arn
    assert ctx["aws_request_id"] == served.request_id
    assert ctx["log_group_name"] == "/aws/lambda/fn"
    assert ctx["log_stream_name"].endswith("]" + ctx["log_stream_name"][-32:])
    assert ctx["identity"] is True
    assert ctx["client_context"] is None
    first, second = ctx["remaining"]
    assert 2000 < first <= 3000
    assert 0 < second <= first - 150


# ----- deploying ---------------------------------------------------------------------------------
async def test_redeploy_lets_a_running_invocation_finish(
    service: LambdaService, tmp_path: Path
) -> None:
    config = write_function(tmp_path, SLOW)
    service.deploy(config)
    await invoke(service, "fn", {"sleep": 0})
    running = asyncio.ensure_future(invoke(service, "fn", {"sleep": 0.6}))
    await asyncio.sleep(0.2)
    service.deploy(config)
    served = await running
    assert served.function_error is None, served.payload


async def test_redeploy_replaces_idle_environments(service: LambdaService, tmp_path: Path) -> None:
    config = write_function(tmp_path, COUNTER)
    service.deploy(config)
    first = await invoke(service, "fn")
    await invoke(service, "fn")
    service.deploy(config.with_changes(memory_mb=256))
    after = await invoke(service, "fn")
    assert after.cold is True
    assert body(after)["count"] == 1
    assert after.report.memory_size_mb == 256
    assert await wait_until(lambda: process_gone(body(first)["pid"]), timeout=3)
    assert [e.reason for e in service.bus.of_type(EnvironmentReaped)] == ["replaced"]


# ----- service lifecycle -------------------------------------------------------------------------
async def test_close_during_an_invocation_is_prompt_and_answers_the_caller(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service()
    service.deploy(write_function(tmp_path, SLOW, timeout_s=30))
    running = asyncio.ensure_future(invoke(service, "fn", {"sleep": 20}))
    assert await wait_until(lambda: any(service.bus.of_type(InvocationStarted)), timeout=5)
    pid = next(iter(runtime_pids()))
    await asyncio.wait_for(service.close(), 5)
    served = await asyncio.wait_for(running, 5)
    assert served.function_error == "Unhandled"
    assert process_gone(pid)
    with pytest.raises(InvokeError) as info:
        await asyncio.wait_for(service.invoke("fn", b"{}"), 5)
    assert (info.value.status, info.value.error_type) == (500, "ServiceException")


async def test_async_payload_limit_is_1_mb(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, ECHO_SIZE))
    with pytest.raises(InvokeError) as info:
        await service.invoke_event("fn", b'"' + b"x" * (1024 * 1024) + b'"')
    assert (info.value.status, info.value.error_type) == (413, "RequestTooLargeException")
    assert not any(service.bus.of_type(InvocationQueued))


async def test_empty_payload_is_an_empty_object(service: LambdaService, tmp_path: Path) -> None:
    service.deploy(write_function(tmp_path, "def lambda_handler(e, c):\n    return e\n"))
    served = await asyncio.wait_for(service.invoke("fn", b""), 20)
    assert body(served) == {}
    served = await asyncio.wait_for(service.invoke("fn", b"null"), 20)
    assert served.payload == b"null"
