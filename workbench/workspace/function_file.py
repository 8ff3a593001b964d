"""Keep a function folder's function.toml in step with settings applied in the Settings pane.

Settings live in the folder (the CLI, lesson checks and the next start all read them), so
what the learner applies must reach the file. Only changed keys are rewritten, in place,
keeping the learner's comments and layout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from workbench.core.model import (
    CONFIG_FILE_KEYS,
    CONFIG_FILE_NAME,
    ConfigError,
    FunctionConfig,
    load_function,
)

# The function.toml settings the Settings pane edits (name, image and layers are set elsewhere).
FIELDS = {
    key: field
    for key, field in CONFIG_FILE_KEYS.items()
    if key not in ("name", "image", "layers", "max_retry_attempts", "max_event_age")
    and not key.startswith(("on_", "dead_"))
}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER = re.compile(r"^\s*\[")


def toml_value(value: Any) -> str:
    """A value as TOML: strings quoted, numbers bare, a dict as an inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        items = [
            f"{k if _BARE_KEY.match(k) else json.dumps(k)} = {toml_value(v)}"
            for k, v in value.items()
        ]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def changed_settings(config: FunctionConfig) -> dict[str, Any]:
    """The settings (by file key) whose value differs from what the folder's files say."""
    try:
        on_disk = load_function(config.code_dir, name=config.name)
    except ConfigError:
        on_disk = None
    changes = {}
    for key, name in FIELDS.items():
        value = getattr(config, name)
        if on_disk is None or getattr(on_disk, name) != value:
            changes[key] = value
    return changes


def sync_function_toml(config: FunctionConfig) -> list[str]:
    """Write the settings that changed into code_dir/function.toml; returns their keys."""
    changes = changed_settings(config)
    if not changes:
        return []
    path = config.code_dir / CONFIG_FILE_NAME
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = _drop_table(text.splitlines(), "environment") if "environment" in changes else None
    lines = lines if lines is not None else text.splitlines()
    for key, value in changes.items():
        lines = _set_key(lines, key, value)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(changes)


def _set_key(lines: list[str], key: str, value: Any) -> list[str]:
    """Replace key's line (keeping its comment), append it, or drop it when value is None."""
    pattern = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*)(.*?)(\s+#.*)?$")
    for number, line in enumerate(lines):
        match = pattern.match(line)
        if match and not _HEADER.match(line):
            if value is None:
                return lines[:number] + lines[number + 1 :]
            line = match.group(1) + toml_value(value) + (match.group(3) or "")
            return [*lines[:number], line, *lines[number + 1 :]]
    if value is None:
        return lines
    # Top-level keys must come before the first table; inside [function] they go at its end.
    position = _insert_position(lines)
    return [*lines[:position], f"{key} = {toml_value(value)}", *lines[position:]]


def _insert_position(lines: list[str]) -> int:
    headers = [n for n, line in enumerate(lines) if _HEADER.match(line)]
    function = next((n for n in headers if lines[n].strip() == "[function]"), None)
    if function is not None:
        later = [n for n in headers if n > function]
        end = later[0] if later else len(lines)
        while end > function + 1 and not lines[end - 1].strip():
            end -= 1
        return end
    return headers[0] if headers else len(lines)


def _drop_table(lines: list[str], name: str) -> list[str] | None:
    """Lines without a [name] table (it is rewritten as an inline table); None if absent."""
    start = next((n for n, line in enumerate(lines) if line.strip() == f"[{name}]"), None)
    if start is None:
        return None
    end = next((n for n in range(start + 1, len(lines)) if _HEADER.match(lines[n])), len(lines))
    return lines[:start] + lines[end:]


def is_inside(folder: Path, root: Path) -> bool:
    """Whether folder is root or below it."""
    try:
        Path(folder).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return True
