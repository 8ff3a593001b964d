"""A small declarative schema for the lesson files' tables, reporting errors by key path.

Each table is a mapping of key name to `Field`; `check_table` returns (path, message) pairs
for missing, unknown (with a did-you-mean) and ill-typed keys. The check kinds declare their
parameters with the same `Field`, so `lessons check` validates them too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.lessons.tomllines import KeyPath, format_path

# Type names as an instructor reads them, mapped to the Python types TOML produces.
TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list,),
    "table": (dict,),
    "any": (object,),
}
SLUG = r"[a-z0-9][a-z0-9-]*"


@dataclass(frozen=True)
class Field:
    """One key of a table: its type, whether it must be there, and its limits."""

    type: str
    doc: str
    required: bool = False
    choices: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: str | None = None  # the type of a list's items

    def describe(self) -> str:
        """The field as one line of documentation."""
        kind = f"list of {self.items}s" if self.items else self.type
        extra = " (required)" if self.required else ""
        if self.choices:
            extra += f"; one of {', '.join(map(repr, self.choices))}"
        return f"{kind}{extra}: {self.doc}"


Schema = Mapping[str, Field]
Found = list[tuple[KeyPath, str]]


def _is(value: Any, type_name: str) -> bool:
    if type_name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[type_name])


def type_name(value: Any) -> str:
    """The schema name of a value's type."""
    for name in ("boolean", "integer", "number", "string", "list", "table"):
        if _is(value, name):
            return name
    return type(value).__name__


def check_value(value: Any, spec: Field, path: KeyPath) -> Found:
    """Problems with one value against its field."""
    name = str(path[-1]) if path else "value"
    if not _is(value, spec.type):
        return [(path, f"{name} must be {_a(spec.type)}, not {_a(type_name(value))}")]
    found: Found = []
    if spec.items is not None:
        for i, item in enumerate(value):
            if not _is(item, spec.items):
                found.append(((*path, i), f"{name}[{i}] must be {_a(spec.items)}"))
    if spec.choices is not None and value not in spec.choices:
        options = ", ".join(repr(c) for c in spec.choices)
        found.append((path, f"{name} is {value!r}; use one of {options}"))
    if spec.pattern is not None and not re.fullmatch(spec.pattern, str(value)):
        found.append((path, f"{name} {value!r} must match {spec.pattern}"))
    if spec.minimum is not None and value < spec.minimum:
        found.append((path, f"{name} is {value}; it must be at least {spec.minimum:g}"))
    if spec.maximum is not None and value > spec.maximum:
        found.append((path, f"{name} is {value}; it must be at most {spec.maximum:g}"))
    return found


def check_table(data: Any, schema: Schema, path: KeyPath = ()) -> Found:
    """Problems with one table: missing, unknown and ill-typed keys, in the schema's order."""
    if not isinstance(data, dict):
        return [(path, f"{_where(path)} must be a table, not {_a(type_name(data))}")]
    found: Found = []
    for key, spec in schema.items():
        if key in data:
            found.extend(check_value(data[key], spec, (*path, key)))
        elif spec.required:
            found.append((path, f"{_where(path)} lacks the required key {key!r}"))
    for key in data:
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(schema)}"
            found.append(((*path, key), f"unknown key {key!r}{hint}"))
    return found


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _where(path: KeyPath) -> str:
    return format_path(path) or "the file"


# --- the files' schemas ------------------------------------------------------------------------

FRONT_MATTER: Schema = {
    "id": Field("string", "the lesson's stable id, used in progress", True, pattern=SLUG),
    "title": Field("string", "the title shown to learners", True),
    "concept": Field("string", "the Lambda concept taught, one or two words", True),
    "order": Field("integer", "position in the course", True, minimum=1),
    "summary": Field("string", "one sentence for the lesson list", True),
    "minutes": Field("integer", "about how long it takes", True, minimum=1, maximum=180),
    "try_it": Field("table", "what the guided try-it loads (see TRY_IT)"),
    "code": Field("table", "named excerpts of the workbench's source (see CODE_REFERENCE)"),
}
TRY_IT: Schema = {
    "code": Field("string", "the folder to load", choices=("starter", "solution")),
    "event": Field("string", "an event name from events/ or events.toml"),
    "watch": Field("list", "panes to point at", items="string"),
}
CODE_REFERENCE: Schema = {
    "path": Field("string", "a file relative to the project folder", True),
    "symbol": Field("string", "a top-level function or class in it", True),
    "caption": Field("string", "a line under the excerpt"),
}
SAMPLE_EVENT: Schema = {
    "sample": Field("string", "a key of the sample-event catalogue", True),
    "params": Field("table", "the catalogue parameters to fill in"),
    "description": Field("string", "what this event is, for the event picker"),
}
CHECK_COMMON: Schema = {
    "kind": Field("string", "one of the check kinds in lessons/README.md", True),
    "title": Field("string", "what the check asks for, in a few words", True),
    "message": Field("string", "feedback on failure; may use {detail} and the kind's fields"),
}
QUESTION: Schema = {
    "prompt": Field("string", "the question", True),
    "choices": Field("list", "two to six [[questions.choices]] tables", True, items="table"),
}
CHOICE: Schema = {
    "text": Field("string", "the answer as shown", True),
    "correct": Field("boolean", "true for a right answer (default false)"),
    "explanation": Field("string", "why this answer is right or wrong", True),
}
HINT: Schema = {"text": Field("string", "one hint, revealed after the previous one", True)}
INDEX: Schema = {
    "title": Field("string", "the course's title"),
    "lessons": Field("list", "lesson folder names, in order", True, items="string"),
    "optional": Field(
        "list",
        "listed folders that may be missing from this copy (they land later)",
        items="string",
    ),
    "workshop": Field("table", "settings for a class (see WORKSHOP)"),
}
WORKSHOP: Schema = {
    "solutions": Field(
        "string",
        "when learners see solutions",
        choices=("visible", "after-pass", "instructor"),
    ),
    "unlock_key_sha256": Field("string", "sha256 of the instructor's unlock key (hex)"),
}
FACILITATOR: Schema = {
    "minutes_in_class": Field(
        "integer", "time to plan for in a class", True, minimum=1, maximum=240
    ),
    "timing": Field("string", "how the time splits"),
    "discuss": Field("list", "questions to put to the room", items="string"),
    "mistakes": Field("list", "[[mistakes]] seen in class", items="table"),
}
MISTAKE: Schema = {
    "mistake": Field("string", "what learners do", True),
    "check_says": Field("string", "what the check answers them"),
    "wrong_answer": Field("string", "the wrong/<name>/ folder reproducing it"),
}
