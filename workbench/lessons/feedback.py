"""Plain-words descriptions of what a learner's function did, for specific check feedback."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing the engine's outcomes loads aiohttp: not for lessons list
    from workbench.core.outcomes import Served

# The errors a Python runtime raises at init when it cannot find or load the handler (§A3).
HANDLER_ERRORS = (
    "Runtime.ImportModuleError",
    "Runtime.HandlerNotFound",
    "Runtime.MalformedHandlerName",
    "Runtime.UserCodeSyntaxError",
    "Runtime.BuiltInModuleConflict",
)
_SHOWN = 80  # characters of a value quoted back to the learner


def short(value: Any) -> str:
    """A value as JSON, cut to a readable length."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def clip(text: str) -> str:
    """Raw text cut to a readable length, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"


def describe_value(value: Any) -> str:
    """What a handler returned, as a phrase: 'a string ("Hello")', 'a dict with keys a, b'."""
    if value is None:
        return "null (None in Python: did the handler forget to `return`?)"
    if isinstance(value, bool):
        return f"a boolean ({short(value)})"
    if isinstance(value, str):
        return f"a string ({short(value)})"
    if isinstance(value, int | float):
        return f"a number ({short(value)})"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:8]) or "none"
        return f"a dict with keys {keys}"
    return f"a {type(value).__name__}"


def error_of(served: Served) -> tuple[str, str]:
    """The errorType and errorMessage of a failed invocation."""
    try:
        body = json.loads(served.payload)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return served.function_error or "Unhandled", served.payload.decode("utf-8", "replace")
    kind = str(body.get("errorType") or served.report.error_type or served.function_error)
    return kind, str(body.get("errorMessage", ""))


def describe_error(served: Served) -> str:
    """Why an invocation failed, in words a learner can act on."""
    kind, message = error_of(served)
    if served.report.status == "timeout":
        return f"it timed out ({kind}): {message}"
    if kind in HANDLER_ERRORS:
        return f"Lambda could not load the handler: {kind}: {message}"
    if kind == "Runtime.OutOfMemory":
        return f"it ran out of memory ({kind}): raise the function's memory"
    if kind.startswith("Runtime."):
        return f"the runtime reported {kind}: {message}"
    return f"the handler raised {kind}: {message}"


def printed_lines(served: Served) -> list[str]:
    """The lines the function itself logged in one invocation (no START/END/REPORT)."""
    platform = ("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_")
    return [line for line in served.log_tail.splitlines() if line and not line.startswith(platform)]


def python_files(code_dir: Path) -> list[str]:
    """The top-level .py files of a code folder, for "Lambda looked for X.py" feedback."""
    return sorted(p.name for p in code_dir.glob("*.py"))


def functions_in(module_file: Path) -> list[str]:
    """The top-level functions a module defines (read for feedback only, never run)."""
    try:
        tree = ast.parse(module_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    defined = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [node.name for node in tree.body if isinstance(node, defined)]
