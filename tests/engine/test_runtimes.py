"""Node.js and custom runtimes on the process backend: the same Runtime API, other programs.

The Node.js runtime is workbench/shim/bootstrap.js on this machine's `node`; the custom runtime
is the function folder's own `bootstrap` (sample_functions/shell-custom). Expectations follow
AWS's Node.js runtime client and the custom-runtime tutorial (aws-lambda-developer-guide).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, body, invoke, log_texts, write_function

from workbench import runtimes
from workbench.backends.process import OWNER_ARGUMENT, ProcessBackend, sweep_orphans
from workbench.core.errors import InvokeError
from workbench.core.model import RUNTIMES, ConfigError, FunctionConfig, load_function
from workbench.core.sandbox import SandboxError, SandboxSpec
from workbench.paths import SAMPLES_DIR
from workbench.runtimes import nodejs as node_family

HOST_NODE = runtimes.host_node()
needs_node = pytest.mark.skipif(HOST_NODE is None, reason="Node.js is not installed here")
NODE = f"nodejs{HOST_NODE[1]}.x" if HOST_NODE else "nodejs20.x"
# Node's console.log line on Lambda: <ISO time>\t<request id>\tINFO\t<message>
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

HANDLERS = """\
exports.asyncHandler = async (event) => ({ kind: 'async', got: event });

exports.callbackHandler = (event, context, callback) => {
  setTimeout(() => callback(null, { kind: 'callback', got: event }), 10);
};

// The callback's result waits for the event loop to empty: "later" is logged first.
exports.waitsForLoop = (event, context, callback) => {
  setTimeout(() => console.log('later'), 50);
  callback(null, 'done');
};

exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('after the response'), 300);
  callback(null, 'done');
};

exports.throws = async () => {
  const error = new TypeError('boom');
  error.code = 'E_BOOM';
  throw error;
};

exports.callbackError = (event, context, callback) => callback(new Error('nope'));

exports.throwsString = () => {
  throw 'plain string';
};

exports.neverAnswers = () => {};

exports.context = async (event, context) => ({
  ...context,
  remaining: context.getRemainingTimeInMillis(),
  executionEnv: process.env.AWS_EXECUTION_ENV,
  traceId: process.env._X_AMZN_TRACE_ID,
});

exports.logs = async () => {
  console.log('hello %s', 'world', { a: 1 });
  console.error('careful');
  return 'logged';
};
"""


def _node_function(root: Path, handler: str, **settings: object) -> FunctionConfig:
    return write_function(
        root, HANDLERS, filename="index.js", runtime=NODE, handler=handler, **settings
    )


def _between_start_and_end(lines: list[str], request_id: str) -> list[str]:
    start = lines.index(f"START RequestId: {request_id} Version: $LATEST")
    end = lines.index(f"END RequestId: {request_id}")
    return lines[start + 1 : end]


# --- Node.js --------------------------------------------------------------------------------------
@needs_node
async def test_node_sample_serves_warm_invocations(make_service: ServiceFactory) -> None:
    service = await make_service()
    config = load_function(SAMPLES_DIR / "node-hello", runtime=NODE)
    service.deploy(config)
    first = await invoke(service, config.name, {"name": "Ada"})
    second = await invoke(service, config.name)
    assert first.function_error is None, first.payload
    assert body(first)["message"] == "Hello, Ada!"
    assert body(second)["message"] == "Hello, world!"
    # Module state survives: the same Node.js process served both.
    assert body(first)["invocation_in_this_environment"] == 1
    assert body(second)["invocation_in_this_environment"] == 2
    assert body(second)["pid"] == body(first)["pid"]
    assert body(first)["memory_limit_in_mb"] == "128"  # a string, as on AWS
    assert 0 < body(first)["remaining_ms"] <= 3000
    assert (first.cold, second.cold) == (True, False)
    assert first.report.init_duration_ms is not None
    assert second.report.init_duration_ms is None
    lines = log_texts(service)
    assert lines[0].startswith(f"INIT_START Runtime Version: {NODE}")
    logged = _between_start_and_end(lines, first.request_id)
    assert len(logged) == 1
    assert re.fullmatch(
        rf"{ISO}\t{first.request_id}\tINFO\tHello from node-hello, invocation 1 in this "
        "environment",
        logged[0],
    ), logged


@needs_node
async def test_async_and_callback_handlers(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = await make_service()
    for handler in ("asyncHandler", "callbackHandler"):
        service.deploy(_node_function(tmp_path, f"index.{handler}", name=handler))
        served = await invoke(service, handler, {"n": 1})
        assert body(served) == {"kind": handler.removesuffix("Handler"), "got": {"n": 1}}
    service.deploy(_node_function(tmp_path, "index.waitsForLoop", name="waits"))
    served = await invoke(service, "waits")
    assert body(served) == "done"
    logged = _between_start_and_end(log_texts(service), served.request_id)
    assert [line.split("\t")[-1] for line in logged] == ["later"]
    service.deploy(_node_function(tmp_path, "index.doesNotWait", name="nowait"))
    served = await invoke(service, "nowait")
    assert body(served) == "done"
    assert served.report.duration_ms < 250
    assert _between_start_and_end(log_texts(service), served.request_id) == []
    service.deploy(_node_function(tmp_path, "index.neverAnswers", name="silent"))
    served = await invoke(service, "silent")
    assert (served.function_error, body(served)) == (None, None)  # null, as AWS answers


@needs_node
async def test_function_errors_have_nodes_shape(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service()
    service.deploy(_node_function(tmp_path, "index.throws", name="throws"))
    served = await invoke(service, "throws")
    error = body(served)
    assert served.function_error == "Unhandled"
    assert set(error) == {"errorType", "errorMessage", "trace"}  # "trace", not "stackTrace"
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "boom")
    assert error["trace"][0] == "TypeError: boom"
    assert any("index.js:" in frame for frame in error["trace"][1:]), error["trace"]
    logged = _between_start_and_end(log_texts(service), served.request_id)
    prefix = rf"{ISO}\t{served.request_id}\tERROR\tInvoke Error \t"
    assert re.match(prefix, logged[0]), logged
    as_logged = json.loads(re.sub(prefix, "", logged[0]))
    assert as_logged["errorType"] == "TypeError"
    assert as_logged["code"] == "E_BOOM"  # the error's own properties are logged too
    assert as_logged["stack"][0] == "TypeError: boom"
    # The environment survives a function error: the next invoke is warm.
    again = await invoke(service, "throws")
    assert not again.cold

    service.deploy(_node_function(tmp_path, "index.callbackError", name="cb"))
    error = body(await invoke(service, "cb"))
    assert (error["errorType"], error["errorMessage"]) == ("Error", "nope")
    service.deploy(_node_function(tmp_path, "index.throwsString", name="str"))
    error = body(await invoke(service, "str"))
    assert error == {"errorType": "string", "errorMessage": "plain string", "trace": []}


@needs_node
async def test_context_and_environment(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = await make_service()
    config = _node_function(tmp_path, "index.context", name="ctx", memory_mb=256)
    service.deploy(config)
    served = await invoke(service, "ctx")
    context = body(served)
    assert context["functionName"] == "ctx"
    assert context["functionVersion"] == "$LATEST"
    assert context["invokedFunctionArn"] == config.arn
    assert context["memoryLimitInMB"] == "256"
    assert context["awsRequestId"] == served.request_id
    assert context["logGroupName"] == "/aws/lambda/ctx"
    assert context["logStreamName"].endswith("]" + context["logStreamName"].split("]")[-1])
    assert context["callbackWaitsForEmptyEventLoop"] is True
    assert "identity" not in context and "clientContext" not in context  # undefined on AWS too
    assert 0 < context["remaining"] <= 3000
    assert context["executionEnv"] == f"AWS_Lambda_{NODE}"
    assert context["traceId"].startswith("Root=1-")


@needs_node
async def test_console_output_is_prefixed_and_kept_in_order(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service()
    service.deploy(_node_function(tmp_path, "index.logs", name="logs"))
    served = await invoke(service, "logs")
    logged = _between_start_and_end(log_texts(service), served.request_id)
    assert [line.split("\t")[2:] for line in logged] == [
        ["INFO", "hello world { a: 1 }"],
        ["ERROR", "careful"],
    ]


@needs_node
async def test_es_modules_and_handlers_in_folders(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service()
    esm = "export const handler = async (event) => ({ esm: true, event });\n"
    service.deploy(
        write_function(
            tmp_path, esm, name="esm", filename="app.mjs", runtime=NODE, handler="app.handler"
        )
    )
    assert body(await invoke(service, "esm", {"x": 1})) == {"esm": True, "event": {"x": 1}}
    nested = write_function(
        tmp_path,
        "exports.go = async () => 'nested';\n",
        name="nested",
        filename="index.js",
        runtime=NODE,
        handler="src/lib/app.go",
    )
    (nested.code_dir / "src" / "lib").mkdir(parents=True)
    (nested.code_dir / "index.js").rename(nested.code_dir / "src" / "lib" / "app.js")
    service.deploy(nested)
    assert body(await invoke(service, "nested")) == "nested"


@needs_node
@pytest.mark.parametrize(
    ("handler", "source", "error_type", "message"),
    [
        (
            "missing.handler",
            HANDLERS,
            "Runtime.ImportModuleError",
            "Error: Cannot find module 'missing'\nRequire stack:\n- ",
        ),
        (
            "index.nope",
            HANDLERS,
            "Runtime.HandlerNotFound",
            "index.nope is undefined or not exported",
        ),
        ("index", HANDLERS, "Runtime.MalformedHandlerName", "Bad handler"),
        (
            "index.handler",
            "exports.handler = async () => 1 +;\n",
            "Runtime.UserCodeSyntaxError",
            "SyntaxError: Unexpected token",
        ),
        ("index.handler", "throw new RangeError('bad config');\n", "RangeError", "bad config"),
    ],
)
async def test_init_errors_are_reported_as_aws_does(
    make_service: ServiceFactory,
    tmp_path: Path,
    handler: str,
    source: str,
    error_type: str,
    message: str,
) -> None:
    service = await make_service()
    service.deploy(
        write_function(tmp_path, source, filename="index.js", runtime=NODE, handler=handler)
    )
    served = await invoke(service, "fn")
    error = body(served)
    assert served.function_error == "Unhandled"
    assert error["errorType"] == error_type
    assert error["errorMessage"].startswith(message), error
    assert isinstance(error["trace"], list) and error["trace"]
    assert served.report.status == "error"
    assert served.report.error_type == error_type
    lines = log_texts(service)
    # Init runs before any request: its log line says "undefined", as AWS's does.
    crash = [line for line in lines if "\tUncaught Exception \t" in line]
    assert crash and re.match(rf"{ISO}\tundefined\tERROR\tUncaught Exception \t\{{", crash[0])
    assert json.loads(crash[0].split(" \t", 1)[1])["errorType"] == error_type
    assert any(
        line.startswith("INIT_REPORT") and f"Error Type: {error_type}" in line for line in lines
    ), lines


def test_node_needs_the_matching_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = ProcessBackend()
    config = FunctionConfig(
        name="fn", code_dir=tmp_path, runtime="nodejs22.x", handler="index.handler"
    )
    spec = SandboxSpec("env", config, "127.0.0.1:9")
    monkeypatch.setattr(node_family, "host_node", lambda: None)
    with pytest.raises(
        SandboxError,
        match=re.escape(runtimes.NODE_MISSING),
    ):
        backend.runtime_command(spec)
    monkeypatch.setattr(node_family, "host_node", lambda: ("/usr/bin/node", 20))
    with pytest.raises(
        SandboxError,
        match=r"nodejs22.x needs Node.js 22, but this machine has "
        r"Node.js 20: choose nodejs20.x",
    ):
        backend.runtime_command(spec)


@pytest.mark.parametrize("sample", ["node-hello", "shell-custom"])
def test_orphaned_runtimes_are_swept(sample: str) -> None:
    """A Node.js or custom runtime left frozen by a run that died is killed by the next run."""
    config = load_function(SAMPLES_DIR / sample, **({"runtime": NODE} if "node" in sample else {}))
    if runtimes.process_availability(runtimes.get(config.runtime)) or not shutil.which("curl"):
        pytest.skip(f"{config.runtime} cannot run here")
    with socket.socket() as listener:  # a Runtime API that never answers /next
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        env = {
            **os.environ,
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{listener.getsockname()[1]}",
            "_HANDLER": config.handler,
            "LAMBDA_TASK_ROOT": str(config.code_dir),
        }
        command = runtimes.process_command(config, [f"{OWNER_ARGUMENT}999999999"])
        orphan = subprocess.Popen(
            command,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.3)
            os.killpg(orphan.pid, signal.SIGSTOP)
            assert sweep_orphans() >= 1
            assert orphan.wait(timeout=5) == -signal.SIGKILL
        finally:
            if orphan.poll() is None:
                os.killpg(orphan.pid, signal.SIGKILL)
                orphan.wait(timeout=5)


# --- The custom runtime ---------------------------------------------------------------------------
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="the sample uses curl")


@needs_curl
async def test_shell_custom_runtime_serves_and_fails(make_service: ServiceFactory) -> None:
    service = await make_service()
    config = load_function(SAMPLES_DIR / "shell-custom")
    assert (config.runtime, config.handler) == ("provided.al2023", "function.handler")
    service.deploy(config)
    served = await invoke(service, config.name, {"name": "Ada"})
    assert served.function_error is None, served.payload
    assert body(served) == {"message": "Hello from a shell script!", "event": {"name": "Ada"}}
    assert served.report.init_duration_ms is not None
    assert _between_start_and_end(log_texts(service), served.request_id) == [
        'Received event: {"name": "Ada"}'
    ]
    failed = await invoke(service, config.name, {"fail": True})
    assert failed.function_error == "Unhandled"
    assert body(failed) == {
        "errorMessage": "handler exited with status 1",
        "errorType": "HandlerFailed",
    }
    assert not failed.cold  # a function error does not end the runtime
    again = await invoke(service, config.name, {"name": "Bob"})
    assert not again.cold and body(again)["event"] == {"name": "Bob"}


async def test_custom_runtime_gets_no_execution_env(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    # A bootstrap that fails init with its environment in the message: no curl needed.
    script = (
        "#!/bin/sh\n"
        'echo "AWS_EXECUTION_ENV=${AWS_EXECUTION_ENV-unset} _HANDLER=$_HANDLER"\n'
        "exit 3\n"
    )
    config = write_function(
        tmp_path,
        script,
        filename="bootstrap",
        runtime="provided.al2023",
        handler="function.handler",
    )
    (config.code_dir / "bootstrap").chmod(0o755)
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, "fn")
    assert body(served)["errorType"] == "Runtime.ExitError"
    said = [line for line in log_texts(service) if line.startswith("AWS_EXECUTION_ENV=")]
    assert said and said[0].endswith("_HANDLER=function.handler")
    assert said[0].startswith("AWS_EXECUTION_ENV=unset")


@pytest.mark.parametrize("problem", ["missing", "not executable"])
async def test_custom_runtime_without_a_usable_bootstrap(
    make_service: ServiceFactory, tmp_path: Path, problem: str
) -> None:
    config = write_function(
        tmp_path,
        "handler () { echo hi; }\n",
        filename="function.sh",
        runtime="provided.al2023",
        handler="function.handler",
    )
    if problem == "not executable":
        (config.code_dir / "bootstrap").write_text("#!/bin/sh\n")
        (config.code_dir / "bootstrap").chmod(stat.S_IRUSR | stat.S_IWUSR)
    service = await make_service()
    service.deploy(config)
    served = await invoke(service, "fn")
    error = body(served)
    assert error["errorType"] == "Runtime.InvalidEntrypoint"
    expected = (
        f"Couldn't find valid bootstrap(s): [{config.code_dir}/bootstrap /opt/bootstrap]"
        if problem == "missing"
        else f"fork/exec {config.code_dir}/bootstrap: permission denied"
    )
    assert error["errorMessage"] == expected
    assert served.report.error_type == "Runtime.InvalidEntrypoint"


# --- The catalogue --------------------------------------------------------------------------------
def test_unknown_runtime_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        FunctionConfig(name="fn", code_dir=tmp_path, runtime="ruby3.3")
    message = str(refused.value)
    assert message.startswith("runtime: 'ruby3.3' is not a known runtime: use one of ")
    for name in ("python3.11", "nodejs20.x", "nodejs18.x", "provided.al2023"):
        assert name in message
    (tmp_path / "function.toml").write_text('runtime = "java21"\n')
    with pytest.raises(ConfigError, match="'java21' is not a known runtime"):
        load_function(tmp_path)
    with pytest.raises(ValueError, match=r"use one of python3\.11"):
        runtimes.get("go1.x")


def test_catalogue_describes_every_runtime_and_its_sample() -> None:
    assert list(runtimes.CATALOGUE) == list(RUNTIMES)
    python, node, custom = (
        runtimes.get(n) for n in ("python3.11", "nodejs20.x", "provided.al2023")
    )
    assert (python.language, python.default_handler) == (
        "Python",
        "lambda_function.lambda_handler",
    )
    assert (node.language, node.extension, node.default_handler) == (
        "JavaScript",
        ".js",
        "index.handler",
    )
    assert (custom.default_handler, custom.execution_env) == ("function.handler", None)
    assert node.execution_env == "AWS_Lambda_nodejs20.x"
    prefix = runtimes.image_prefix()  # lambda-workbench unless LAMBDA_WORKBENCH_IMAGE_PREFIX
    assert node.image == f"{prefix}/nodejs:20"
    assert custom.image == runtimes.get("provided.al2").image == f"{prefix}/provided:al2023"
    for runtime in (python, node, custom):
        assert (runtime.sample_dir / runtime.handler_file).is_file(), runtime
        assert runtime.process_start and runtime.docker_start
    assert os.access(custom.sample_dir / "bootstrap", os.X_OK)
    for sample in ("node-hello", "shell-custom"):
        config = load_function(SAMPLES_DIR / sample)
        assert config.handler == runtimes.get(config.runtime).default_handler


def test_process_backend_offers_what_this_machine_has() -> None:
    offered = {offer.runtime.name for offer in runtimes.offered("process")}
    assert {"python3.11", "provided.al2023"} <= offered
    assert "provided.al2" not in offered  # accepted, but listed once
    if HOST_NODE:
        assert NODE in offered
    assert not {f"nodejs{major}.x" for major in (18, 20, 22)} - {NODE} & offered


async def test_unavailable_runtime_fails_the_invoke_clearly(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    other = "nodejs18.x" if NODE != "nodejs18.x" else "nodejs22.x"
    service = await make_service()
    service.deploy(
        write_function(
            tmp_path, HANDLERS, filename="index.js", runtime=other, handler="index.handler"
        )
    )
    with pytest.raises(InvokeError, match=rf"{other} needs Node.js|Node.js is not installed"):
        await invoke(service, "fn")
