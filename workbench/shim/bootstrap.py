"""A small Python runtime for the AWS Lambda Runtime API (2018-06-01).

It loads the handler once (the "init" phase), then loops forever: ask the
Runtime API for the next event, call the handler, post back the result or the
error. It mirrors Amazon's own client (awslambdaric), so what happens here is
what happens in a real Lambda Python runtime. Standard library only.

    AWS_LAMBDA_RUNTIME_API=host:port _HANDLER=module.function python3 -u bootstrap.py
"""

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

API = "/2018-06-01/runtime"
WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code."
)
_request_id = ""  # the invoke in progress; the logging filter stamps it on every log line


class _Fault(Exception):
    """A failure the runtime diagnoses itself ("Runtime.*"), as opposed to a user exception."""

    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.error_type, self.message, self.stack = error_type, message, stack or []


# --- The context object -------------------------------------------------------------------------
class _Record:
    """A plain attribute bag built from a dict (same shape as awslambdaric's classes)."""

    FIELDS = ()

    @classmethod
    def from_dict(cls, data):
        if data is None:
            return None
        obj = cls()
        for name in cls.FIELDS:
            setattr(obj, name, data.get(name))
        return obj

    def __repr__(self):
        fields = ",".join(f"{name}={getattr(self, name)}" for name in self.FIELDS)
        return f"{type(self).__name__}([{fields}])"


class CognitoIdentity(_Record):
    FIELDS = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(_Record):
    FIELDS = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )


class ClientContext(_Record):
    FIELDS = ("custom", "env", "client")


def _json_header(headers, name, label):
    try:
        return json.loads(headers[name]) if headers.get(name) else None
    except ValueError as exc:
        raise _Fault(
            "Runtime.LambdaContextUnmarshalError", f"Unable to parse {label} JSON: {exc}"
        ) from None


class LambdaContext:
    """The `context` argument: who am I, which request is this, how much time is left."""

    FIELDS = (
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "function_name",
        "memory_limit_in_mb",
        "function_version",
        "invoked_function_arn",
        "client_context",
        "identity",
        "tenant_id",
    )

    def __init__(self, request_id, headers):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str, as in AWS
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
        cc = _json_header(headers, "Lambda-Runtime-Client-Context", "Client Context")
        self.client_context = ClientContext.from_dict(cc)
        if self.client_context is not None:
            self.client_context.client = Client.from_dict(self.client_context.client)
        # `identity` always exists; its fields stay None unless Cognito sent some.
        cognito = _json_header(headers, "Lambda-Runtime-Cognito-Identity", "Cognito Identity")
        self.identity = CognitoIdentity.from_dict(
            {
                "cognito_identity_id": (cognito or {}).get("cognitoIdentityId"),
                "cognito_identity_pool_id": (cognito or {}).get("cognitoIdentityPoolId"),
            }
        )
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        # The deadline is wall-clock epoch milliseconds, fixed by the service per invoke.
        return max(0, self._deadline_ms - int(time.time() * 1000))

    __repr__ = _Record.__repr__  # LambdaContext([aws_request_id=...,function_name=...])

    def log(self, msg):
        # Like awslambdaric: written as-is (no newline added) straight to the log stream.
        sys.stdout.write(str(msg))
        sys.stdout.flush()


# --- Talking to the Runtime API -----------------------------------------------------------------
class _Connection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        # http.client writes headers and body separately; without TCP_NODELAY, Nagle's
        # algorithm plus delayed ACKs can stall every POST by ~40 ms.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class RuntimeClient:
    def __init__(self, address):
        # One keep-alive connection for the whole process: a TCP handshake per call would
        # dominate a warm invoke. No timeout: the environment may be frozen for hours while
        # GET /next is outstanding, and that is normal.
        self._conn = _Connection(address, timeout=None)

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            try:
                self._conn.request(method, API + path, body, headers or {})
                resp = self._conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (OSError, http.client.HTTPException):
                # The server may have dropped the idle connection: reconnect, retry once.
                self._conn.close()
                if attempt == 2:
                    raise

    def post(self, path, body, headers=None):
        body = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
        return self.request("POST", path, body, headers)[0]


# --- Errors -------------------------------------------------------------------------------------
def _user_stack(tb):
    """Format a traceback like awslambdaric does, minus this file's own frames."""
    while tb is not None and tb.tb_frame.f_code.co_filename == _user_stack.__code__.co_filename:
        tb = tb.tb_next
    # Plain 4-tuples, as awslambdaric uses, leave out Python 3.11's "^^^^" marker lines.
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    return traceback.format_list(frames)


def _error_body(exc, request_id=""):
    if isinstance(exc, _Fault):
        error_type, message, stack = exc.error_type, exc.message, exc.stack
    else:
        error_type, message, stack = type(exc).__name__, str(exc), _user_stack(exc.__traceback__)
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }


def _log_error(err):
    message = f": {err['errorMessage']}" if err["errorMessage"] else ""
    lines = [f"[ERROR] {err['errorType']}{message}", "Traceback (most recent call last):"]
    for entry in err["stackTrace"]:
        lines.extend(entry.splitlines())
    # One write, so nothing can interleave. (Real Lambda joins the lines with "\r" to keep
    # them in one CloudWatch event; "\n" reads better in a local log view.)
    sys.stdout.write("\n".join(lines) + "\n")


def _flush():
    # The host reads stdout/stderr as the log stream and expects all output of an invoke
    # to be written before that invoke's result is posted.
    sys.stdout.flush()
    sys.stderr.flush()


# --- Init: logging, sys.path, the handler -------------------------------------------------------
def _stamp_request_id(record):
    # A logging filter (any callable works): adds %(aws_request_id)s to every record.
    record.aws_request_id = _request_id
    return True


def _setup_logging():
    # Lambda's tab-separated line format, in UTC. The root level stays at Python's default
    # (WARNING), as in Lambda, so logger.info() is silent unless the function sets a level
    # itself or the function is configured with a log level (AWS_LAMBDA_LOG_LEVEL).
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(_stamp_request_id)
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
    if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        logging.getLogger().setLevel(level)


def _setup_sys_path():
    # Function code shadows layers; layers shadow everything else. The process backend has
    # no /opt of its own: it names the function's merged layer folder in LAMBDA_WORKBENCH_OPT.
    opt = os.environ.get("LAMBDA_WORKBENCH_OPT", "/opt")
    layers = [
        f"{opt}/python/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages",
        f"{opt}/python",
    ]
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    sys.path[0:0] = [task_root] + [p for p in layers if os.path.isdir(p)]
    # After them, as /var/runtime in Lambda: what the runtime itself provides (boto3). The
    # process backend runs us with -I -S and names its runtime folder here; images carry it.
    provided = os.environ.get("LAMBDA_WORKBENCH_RUNTIME_PACKAGES")
    if provided and os.path.isdir(provided):
        sys.path.insert(1 + sum(os.path.isdir(p) for p in layers), provided)


def _raised_by_import_system(exc):
    """Whether the innermost frame of exc's traceback is importlib's, not the user's code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith("<frozen importlib")


def _load_handler(spec):
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as exc:
        raise _Fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}") from None
    module_path = modname.replace("/", ".")  # "src/app.handler" -> module src.app
    if module_path.startswith(".") or "" in module_path.split("."):
        # "../x.h" or "/abs.h": importlib would fail with a TypeError about relative imports
        # (or a ValueError); no module can have such a name, and AWS says it could not import.
        raise _Fault(
            "Runtime.ImportModuleError",
            f"Unable to import module '{modname}': No module named '{module_path}'",
        )
    if module_path.split(".")[0] in sys.builtin_module_names:
        raise _Fault(
            "Runtime.BuiltInModuleConflict",
            f"Cannot use built-in module {modname} as a handler module",
        )
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:  # also covers a missing dependency imported *by* the module
        raise _Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}"
        ) from None
    except OSError as exc:
        if not _raised_by_import_system(exc):
            raise  # the module's own init code failed: reported as it is
        # A file the import system cannot read: "[Errno 13] Permission denied: '<path>'".
        raise _Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}"
        ) from None
    except SyntaxError as exc:
        raise _Fault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{modname}': {exc}",
            [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}'],
        ) from None
    # Any other exception (the module's own init code failing) propagates unchanged.
    if not hasattr(module, fname):
        raise _Fault("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")
    handler = getattr(module, fname)
    if not callable(handler):
        # awslambdaric only fails at invoke time (TypeError). We fail init instead, with the
        # same error type as a missing handler, so the mistake shows up where it was made.
        raise _Fault(
            "Runtime.HandlerNotFound", f"Handler '{fname}' on module '{modname}' is not callable"
        )
    return handler


# --- The invoke loop ----------------------------------------------------------------------------
def _json_default(obj):
    # DynamoDB hands out Decimals and real Lambda returns them as numbers. A Decimal can only
    # exist if `decimal` is already imported, so we needn't import it (cold start matters).
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(obj, decimal.Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _invoke(client, handler, headers, body):
    global _request_id
    _request_id = request_id = headers.get("Lambda-Runtime-Aws-Request-Id") or ""
    if headers.get("Lambda-Runtime-Trace-Id"):
        os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]  # X-Ray SDK reads it
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)  # never leak the previous invoke's trace
    try:
        context = LambdaContext(request_id, headers)
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise _Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}") from None
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=_json_default, ensure_ascii=False).encode()
        except Exception as exc:
            raise _Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None
    except Exception as exc:
        err = _error_body(exc, request_id)
        _log_error(err)
        _flush()
        client.post(
            f"/invocation/{request_id}/error",
            err,
            {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
        )
        return
    _flush()
    if client.post(f"/invocation/{request_id}/response", payload) == 413:
        # The Runtime API rejects it and fails the invoke itself; we only explain why.
        print(
            f"[WARNING] Response for request {request_id} is too large ({len(payload)} bytes)"
            " and was rejected by the Runtime API (413).",
            flush=True,
        )


def main():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        print("bootstrap: AWS_LAMBDA_RUNTIME_API is not set (expected host:port)", file=sys.stderr)
        sys.exit(2)
    _setup_sys_path()
    _setup_logging()
    client = RuntimeClient(address)
    try:
        try:
            handler = _load_handler(os.environ.get("_HANDLER", ""))
        except Exception as exc:
            err = _error_body(exc)
            logging.warning(WARNING)
            _log_error(err)
            _flush()
            client.post(
                "/init/error", err, {"Lambda-Runtime-Function-Error-Type": err["errorType"]}
            )
            sys.exit(1)
        while True:
            _flush()
            status, headers, body = client.request("GET", "/invocation/next")
            if status != 200:
                print(f"bootstrap: GET /next answered {status}: {body[:200]!r}", file=sys.stderr)
                sys.exit(1)
            _invoke(client, handler, headers, body)
    except (OSError, http.client.HTTPException) as exc:
        print(f"bootstrap: lost the Runtime API at {address}: {exc!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
