"""Tests for workbench/shim/bootstrap.py, the in-environment Python runtime.

Each test starts the real bootstrap as a subprocess against a tiny fake Runtime
API (a ThreadingHTTPServer on 127.0.0.1) and checks what arrives on the wire.
Every wait is bounded so a broken runtime fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BOOTSTRAP = Path(__file__).resolve().parents[2] / "workbench" / "shim" / "bootstrap.py"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:demo"
WAIT = 5.0  # seconds; upper bound for any single wait in these tests


class FakeRuntimeAPI:
    """Hands out queued events on /next and records everything posted back."""

    def __init__(self):
        self.events: queue.Queue = queue.Queue()
        self.posts: queue.Queue = queue.Queue()
        self.next_calls = 0
        self.drop_next_connections = 0  # drop this many /next requests without replying
        self.response_status = 202  # status answered to /response posts
        self.on_post = None  # optional hook, called with each record before answering
        self._closed = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # as a real server should: no 40 ms stalls

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"{}", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404)
                api.next_calls += 1
                if api.drop_next_connections > 0:
                    api.drop_next_connections -= 1
                    self.close_connection = True  # hang up without an answer
                    return None
                while not api._closed.is_set():
                    try:
                        body, headers = api.events.get(timeout=0.1)
                    except queue.Empty:
                        continue
                    return self._reply(200, body, headers)
                return self._reply(503)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                match = re.fullmatch(
                    r"/2018-06-01/runtime/(?:invocation/([^/]+)/(response|error)|init/(error))",
                    self.path,
                )
                if not match:
                    return self._reply(404)
                record = {
                    "kind": "init/error" if match.group(3) else match.group(2),
                    "request_id": match.group(1),
                    "headers": dict(self.headers.items()),
                    "raw": raw,
                    "body": json.loads(raw),
                }
                if api.on_post:
                    api.on_post(record)
                api.posts.put(record)
                status = api.response_status if record["kind"] == "response" else 202
                return self._reply(status, b'{"status":"OK"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def add_event(
        self,
        event=None,
        *,
        raw=None,
        request_id=None,
        deadline_ms=None,
        trace_id=None,
        client_context=None,
        cognito=None,
        tenant_id=None,
    ):
        request_id = request_id or str(uuid.uuid4())
        deadline_ms = deadline_ms or int(time.time() * 1000) + 3000
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
        }
        if trace_id:
            headers["Lambda-Runtime-Trace-Id"] = trace_id
        if client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = json.dumps(client_context)
        if cognito is not None:
            headers["Lambda-Runtime-Cognito-Identity"] = json.dumps(cognito)
        if tenant_id:
            headers["Lambda-Runtime-Aws-Tenant-Id"] = tenant_id
        body = raw if raw is not None else json.dumps(event if event is not None else {}).encode()
        self.events.put((body, headers))
        return request_id

    def wait_post(self, timeout=WAIT):
        try:
            return self.posts.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("the runtime posted nothing within the time limit") from None

    def close(self):
        self._closed.set()
        self.server.shutdown()
        self.server.server_close()


class Runtime:
    """The bootstrap subprocess, with non-blocking access to its combined output."""

    def __init__(self, tmp_path, api, handler, files, env=None, with_api=True):
        for name, source in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(tmp_path),
            "AWS_LAMBDA_FUNCTION_NAME": "demo",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/demo",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]abc",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if with_api:
            full_env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{api.port}"
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(BOOTSTRAP)],
            env=full_env,
            cwd="/",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._buffer = b""
        self._lock = threading.Lock()

    def drain(self) -> str:
        """Everything the process has written so far (never blocks)."""
        with self._lock:
            while select.select([self._fd], [], [], 0)[0]:
                try:
                    chunk = os.read(self._fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                self._buffer += chunk
            return self._buffer.decode("utf-8", "replace")

    def wait_exit(self, timeout=WAIT) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=WAIT)
        self.drain()
        self.proc.stdout.close()


@pytest.fixture
def api():
    server = FakeRuntimeAPI()
    yield server
    server.close()


@pytest.fixture
def start(tmp_path, api):
    started = []

    def _start(handler, files, env=None, with_api=True):
        runtime = Runtime(tmp_path, api, handler, files, env, with_api)
        started.append(runtime)
        return runtime

    yield _start
    for runtime in started:
        runtime.stop()


# --- Happy path ----------------------------------------------------------------

ECHO = """
    def lambda_handler(event, context):
        return {"echo": event, "ok": True}
"""


def test_success_posts_json_result(api, start):
    request_id = api.add_event({"name": "Ada"})
    runtime = start("lambda_function.lambda_handler", {"lambda_function.py": ECHO})
    post = api.wait_post()
    assert post["kind"] == "response"
    assert post["request_id"] == request_id
    assert post["body"] == {"echo": {"name": "Ada"}, "ok": True}
    assert post["headers"]["Content-Type"] == "application/json"
    assert runtime.proc.poll() is None  # still alive, waiting for the next event


def test_warm_reuse_keeps_module_state(api, start):
    start(
        "counter.handler",
        {
            "counter.py": """
        COUNT = 0
        def handler(event, context):
            global COUNT
            COUNT += 1
            return COUNT
    """
        },
    )
    api.add_event({})
    api.add_event({})
    assert api.wait_post()["body"] == 1
    assert api.wait_post()["body"] == 2


def test_context_attributes(api, start):
    deadline = int(time.time() * 1000) + 60_000
    request_id = api.add_event(
        {},
        deadline_ms=deadline,
        tenant_id="tenant-7",
        client_context={
            "custom": {"k": "v"},
            "env": {"platform": "ios"},
            "client": {"installation_id": "inst-1", "app_title": "App"},
        },
        cognito={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
    )
    start(
        "ctx.handler",
        {
            "ctx.py": """
        def handler(event, context):
            cc = context.client_context
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "memory_type": type(context.memory_limit_in_mb).__name__,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "identity": [context.identity.cognito_identity_id,
                             context.identity.cognito_identity_pool_id],
                "custom": cc.custom, "env": cc.env,
                "client": [cc.client.installation_id, cc.client.app_title,
                           cc.client.app_version_name],
                "tenant_id": context.tenant_id,
                "remaining": context.get_remaining_time_in_millis(),
                "repr": repr(context),
            }
    """
        },
    )
    body = api.wait_post()["body"]
    assert body["function_name"] == "demo"
    assert body["function_version"] == "$LATEST"
    assert body["invoked_function_arn"] == FUNCTION_ARN
    assert body["memory_limit_in_mb"] == "128"
    assert body["memory_type"] == "str"
    assert body["aws_request_id"] == request_id
    assert body["log_group_name"] == "/aws/lambda/demo"
    assert body["log_stream_name"] == "2024/01/01/[$LATEST]abc"
    assert body["identity"] == ["id-1", "pool-1"]
    assert body["custom"] == {"k": "v"}
    assert body["env"] == {"platform": "ios"}
    assert body["client"] == ["inst-1", "App", None]
    assert body["tenant_id"] == "tenant-7"
    assert 0 < body["remaining"] <= 60_000
    assert body["repr"].startswith("LambdaContext([aws_request_id=" + request_id)


def test_context_defaults_and_trace_id(api, start):
    start(
        "ctx.handler",
        {
            "ctx.py": """
        import os
        def handler(event, context):
            return {
                "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                "identity": [context.identity.cognito_identity_id,
                             context.identity.cognito_identity_pool_id],
                "client_context": context.client_context,
                "tenant_id": context.tenant_id,
            }
    """
        },
    )
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    api.add_event({}, trace_id=trace)
    api.add_event({})
    first, second = api.wait_post()["body"], api.wait_post()["body"]
    assert first["trace"] == trace
    assert second["trace"] is None  # a stale trace id must not leak into the next invoke
    assert first["identity"] == [None, None]
    assert first["client_context"] is None
    assert first["tenant_id"] is None


def test_slash_in_handler_module_path(api, start):
    api.add_event({"x": 1})
    start(
        "src/app.handler",
        {
            "src/__init__.py": "",
            "src/app.py": "def handler(event, context):\n    return {'module': __name__}\n",
        },
    )
    assert api.wait_post()["body"] == {"module": "src.app"}


def test_print_output_is_flushed_before_the_response(api, start):
    seen = {}
    runtime = start(
        "p.handler",
        {
            "p.py": """
        def handler(event, context):
            print("hello from the handler")
            return "done"
    """
        },
    )
    api.on_post = lambda record: seen.setdefault("output", runtime.drain())
    api.add_event({})
    assert api.wait_post()["body"] == "done"
    assert "hello from the handler\n" in seen["output"]


def test_logging_format_and_default_level(api, start):
    request_id = api.add_event({})
    runtime = start(
        "log.handler",
        {
            "log.py": """
        import logging
        logger = logging.getLogger()
        def handler(event, context):
            logger.info("quiet by default")
            logger.warning("shown")
            context.log("via context\\n")
            return None
    """
        },
    )
    assert api.wait_post()["body"] is None
    output = runtime.drain()
    pattern = r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + request_id + r"\tshown\n"
    assert re.search(pattern, output)
    assert "quiet by default" not in output
    assert "via context\n" in output


def test_log_level_from_environment(api, start):
    api.add_event({})
    runtime = start(
        "log.handler",
        {
            "log.py": """
        import logging
        def handler(event, context):
            logging.getLogger().info("now visible")
    """
        },
        env={"AWS_LAMBDA_LOG_LEVEL": "INFO"},
    )
    api.wait_post()
    assert "[INFO]\t" in runtime.drain()


def test_reconnects_after_a_dropped_connection(api, start):
    api.drop_next_connections = 1
    api.add_event({"a": 1})
    start("lambda_function.lambda_handler", {"lambda_function.py": ECHO})
    assert api.wait_post()["body"]["echo"] == {"a": 1}
    assert api.next_calls >= 2


def test_warm_invokes_are_fast(api, start):
    # Not a benchmark: it catches per-request stalls such as Nagle/delayed-ACK (~40 ms).
    start("lambda_function.lambda_handler", {"lambda_function.py": ECHO})
    api.add_event({"warmup": True})
    api.wait_post()
    for i in range(50):
        api.add_event({"i": i})
    began = time.perf_counter()
    for _ in range(50):
        api.wait_post()
    assert time.perf_counter() - began < 1.0


# --- Errors during invoke ----------------------------------------------------------


def test_unhandled_exception_posts_error_with_user_stack(api, start, tmp_path):
    request_id = api.add_event({})
    runtime = start(
        "lambda_function.lambda_handler",
        {
            "lambda_function.py": """
        def lambda_handler(event, context):
            return helper(event)
        def helper(event):
            raise KeyError('action')
    """
        },
    )
    post = api.wait_post()
    assert post["kind"] == "error"
    assert post["request_id"] == request_id
    assert post["headers"]["Lambda-Runtime-Function-Error-Type"] == "Unhandled"
    body = post["body"]
    path = tmp_path / "lambda_function.py"
    assert body == {
        "errorMessage": "'action'",
        "errorType": "KeyError",
        "requestId": request_id,
        "stackTrace": [
            f'  File "{path}", line 3, in lambda_handler\n    return helper(event)\n',
            f"  File \"{path}\", line 5, in helper\n    raise KeyError('action')\n",
        ],
    }
    assert not any("bootstrap.py" in entry for entry in body["stackTrace"])
    output = runtime.drain()
    assert "[ERROR] KeyError: 'action'\nTraceback (most recent call last):\n" in output
    assert f"  File \"{path}\", line 5, in helper\n    raise KeyError('action')\n" in output
    assert "bootstrap.py" not in output
    # The runtime survives an unhandled exception and serves the next event.
    api.add_event({})
    assert api.wait_post()["kind"] == "error"


def test_marshal_error_for_a_set(api, start):
    request_id = api.add_event({})
    start("m.handler", {"m.py": "def handler(event, context):\n    return {1, 2}\n"})
    post = api.wait_post()
    assert post["kind"] == "error"
    assert post["body"] == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": request_id,
        "stackTrace": [],
    }


def test_decimal_results_are_numbers(api, start):
    api.add_event({})
    start(
        "d.handler",
        {
            "d.py": """
        from decimal import Decimal
        def handler(event, context):
            return {"int": Decimal("3"), "frac": Decimal("1.5")}
    """
        },
    )
    post = api.wait_post()
    assert post["raw"] == b'{"int": 3, "frac": 1.5}'


def test_unmarshal_error_for_non_json_body(api, start):
    request_id = api.add_event(raw=b"this is not json")
    start("lambda_function.lambda_handler", {"lambda_function.py": ECHO})
    post = api.wait_post()
    assert post["kind"] == "error"
    assert post["body"]["errorType"] == "Runtime.UnmarshalError"
    assert post["body"]["errorMessage"] == (
        "Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)"
    )
    assert post["body"]["requestId"] == request_id


def test_payload_too_large_is_logged_and_the_loop_continues(api, start):
    api.response_status = 413
    request_id = api.add_event({})
    runtime = start("lambda_function.lambda_handler", {"lambda_function.py": ECHO})
    assert api.wait_post()["kind"] == "response"
    api.add_event({})
    assert api.wait_post()["kind"] == "response"  # still serving
    assert f"Response for request {request_id} is too large" in runtime.drain()


# --- Errors during init -------------------------------------------------------------

INIT_ERRORS = [
    pytest.param(
        "lambda_function.lambda_handler",
        {},
        "Runtime.ImportModuleError",
        "Unable to import module 'lambda_function': No module named 'lambda_function'",
        id="import-module-error",
    ),
    pytest.param(
        "dep.handler",
        {"dep.py": "import not_installed_pkg\ndef handler(e, c):\n    pass\n"},
        "Runtime.ImportModuleError",
        "Unable to import module 'dep': No module named 'not_installed_pkg'",
        id="missing-dependency",
    ),
    pytest.param(
        "lambda_function.nope",
        {"lambda_function.py": ECHO},
        "Runtime.HandlerNotFound",
        "Handler 'nope' missing on module 'lambda_function'",
        id="handler-not-found",
    ),
    pytest.param(
        "lambda_function.VALUE",
        {"lambda_function.py": "VALUE = 42\n"},
        "Runtime.HandlerNotFound",
        "Handler 'VALUE' on module 'lambda_function' is not callable",
        id="handler-not-callable",
    ),
    pytest.param(
        "lambda_function",
        {"lambda_function.py": ECHO},
        "Runtime.MalformedHandlerName",
        "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)",
        id="malformed-handler",
    ),
    pytest.param(
        "../lambda_function.lambda_handler",
        {"lambda_function.py": ECHO},
        "Runtime.ImportModuleError",
        "Unable to import module '../lambda_function': No module named '...lambda_function'",
        id="relative-module-path",  # importlib's TypeError would leak its own frames
    ),
    pytest.param(
        "/lambda_function.lambda_handler",
        {"lambda_function.py": ECHO},
        "Runtime.ImportModuleError",
        "Unable to import module '/lambda_function': No module named '.lambda_function'",
        id="absolute-module-path",
    ),
    pytest.param(
        "sys.handler",
        {},
        "Runtime.BuiltInModuleConflict",
        "Cannot use built-in module sys as a handler module",
        id="builtin-module-conflict",
    ),
]


@pytest.mark.parametrize(("handler", "files", "error_type", "message"), INIT_ERRORS)
def test_init_errors(api, start, handler, files, error_type, message):
    runtime = start(handler, files)
    post = api.wait_post()
    assert post["kind"] == "init/error"
    assert post["headers"]["Lambda-Runtime-Function-Error-Type"] == error_type
    assert post["body"]["errorType"] == error_type
    assert post["body"]["errorMessage"] == message
    assert post["body"]["requestId"] == ""
    assert isinstance(post["body"]["stackTrace"], list)
    assert runtime.wait_exit() == 1
    output = runtime.drain()
    assert "LAMBDA_WARNING: Unhandled exception." in output
    assert f"[ERROR] {error_type}: {message}\n" in output
    assert api.next_calls == 0  # a failed init never asks for work


def test_unreadable_handler_file_is_an_import_module_error(api, tmp_path):
    """A handler file the runtime cannot read: Lambda's Python runtime (a sandbox user, not
    root) reports `Runtime.ImportModuleError: Unable to import module 'lambda_function':
    [Errno 13] Permission denied: '/var/task/lambda_function.py'`, the error AWS's packaging
    guide warns of (deployment-package-v2.html: "Zip packages uploaded with incorrect
    permissions may cause execution failure"), not a bare PermissionError.

    As root every file is readable, so the runtime then runs as `nobody` on a copy of the
    bootstrap in a folder nobody can enter (the test's own tmp_path is root's only)."""
    run_as = {"user": 65534, "group": 65534} if os.geteuid() == 0 else {}
    root = Path(tempfile.mkdtemp(prefix="wb-unreadable-"))
    try:
        root.chmod(0o755)
        shutil.copy(BOOTSTRAP, root / "bootstrap.py")
        handler_file = root / "lambda_function.py"
        handler_file.write_text(textwrap.dedent(ECHO))
        handler_file.chmod(0)
        # root's interpreters may live under /root, which nobody cannot enter
        python = "/usr/bin/python3" if run_as else sys.executable
        if not Path(python).is_file():
            pytest.skip("running as root needs /usr/bin/python3 to run the runtime as nobody")
        proc = subprocess.run(
            [python, "-I", "-S", "-B", "-u", str(root / "bootstrap.py")],
            env={
                "PATH": "/usr/bin:/bin",
                "_HANDLER": "lambda_function.lambda_handler",
                "LAMBDA_TASK_ROOT": str(root),
                "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}",
            },
            cwd="/",
            capture_output=True,
            text=True,
            timeout=WAIT,
            **run_as,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    post = api.wait_post()
    assert post["kind"] == "init/error", proc.stdout + proc.stderr
    assert post["headers"]["Lambda-Runtime-Function-Error-Type"] == "Runtime.ImportModuleError"
    assert post["body"]["errorMessage"] == (
        f"Unable to import module 'lambda_function': [Errno 13] Permission denied: '{handler_file}'"
    )
    assert proc.returncode == 1
    assert "importlib" not in proc.stdout


def test_init_syntax_error(api, start):
    runtime = start("bad.handler", {"bad.py": "def handler(event, context)\n    return 1\n"})
    post = api.wait_post()
    assert post["kind"] == "init/error"
    assert post["headers"]["Lambda-Runtime-Function-Error-Type"] == "Runtime.UserCodeSyntaxError"
    assert post["body"]["errorType"] == "Runtime.UserCodeSyntaxError"
    assert post["body"]["errorMessage"].startswith("Syntax error in module 'bad': ")
    assert "bad.py" in post["body"]["errorMessage"]
    assert "bad.py" in post["body"]["stackTrace"][0]
    assert runtime.wait_exit() == 1


def test_init_exception_in_module_code(api, start, tmp_path):
    runtime = start(
        "boom.handler",
        {
            "boom.py": """
        import os
        TABLE = os.environ["TABLE_NAME"]
        def handler(event, context):
            return TABLE
    """
        },
    )
    post = api.wait_post()
    body = post["body"]
    assert post["kind"] == "init/error"
    assert post["headers"]["Lambda-Runtime-Function-Error-Type"] == "KeyError"
    assert body["errorType"] == "KeyError"
    assert body["errorMessage"] == "'TABLE_NAME'"
    user_frame = f'  File "{tmp_path / "boom.py"}", line 3, in <module>\n'
    assert any(entry.startswith(user_frame) for entry in body["stackTrace"])
    assert not any("bootstrap.py" in entry for entry in body["stackTrace"])
    assert runtime.wait_exit() == 1
    assert "[ERROR] KeyError: 'TABLE_NAME'\nTraceback (most recent call last):\n" in runtime.drain()


def test_missing_runtime_api_exits_2(api, start):
    runtime = start("lambda_function.lambda_handler", {"lambda_function.py": ECHO}, with_api=False)
    assert runtime.wait_exit() == 2
    assert "AWS_LAMBDA_RUNTIME_API" in runtime.drain()
