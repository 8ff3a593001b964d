"""lesson.md: TOML front matter between +++ lines, then Markdown cut into steps at `## `.

A line `<!-- show: NAME -->` in the Markdown is replaced by an excerpt of the workbench's own
source named in the front matter's [code.NAME] table, read live so it never goes stale.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.lessons.model import CodeReference, Step, StepKind
from workbench.paths import PROJECT_DIR

FENCE = "+++"
SHOW = re.compile(r"^<!--\s*show:\s*([A-Za-z0-9_-]+)\s*-->\s*$")


@dataclass(frozen=True)
class Parts:
    """lesson.md split up: the front matter text, the line it starts on, and the body."""

    front_matter: str
    front_line: int
    body: str
    body_line: int


def split_front_matter(text: str) -> Parts | None:
    """The front matter and body, or None when the file does not start with a +++ block."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == FENCE:
            return Parts("\n".join(lines[1:end]), 2, "\n".join(lines[end + 1 :]), end + 2)
    return None


def slug(title: str) -> str:
    """A heading as a stable id: 'Try it!' → 'try-it'."""
    plain = re.sub(r"['’]", "", title.lower())  # "workbench's" → "workbenchs", not "workbench-s"
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "step"


def step_kind(title: str) -> StepKind:
    lowered = title.lower()
    if lowered.startswith("try it"):
        return "try_it"
    if lowered.startswith("exercise"):
        return "exercise"
    return "read"


def split_steps(body: str) -> tuple[str, list[tuple[str, str, int]]]:
    """The intro and each `## ` section as (title, markdown, heading line offset)."""
    intro: list[str] = []
    sections: list[tuple[str, list[str], int]] = []
    fenced = False
    for offset, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            sections.append((line[3:].strip(), [], offset))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    return "\n".join(intro).strip(), [(t, "\n".join(b).strip(), o) for t, b, o in sections]


def make_steps(sections: list[tuple[str, str, int]]) -> list[Step]:
    return [Step(slug(title), title, step_kind(title), text) for title, text, _ in sections]


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, version: tuple[int, int]) -> list[ast.stmt] | None:
    """A source file's top-level statements, parsed once per version (mtime, size): loading
    a lesson both checks and expands its references, and lessons share files."""
    del version  # part of the cache key only
    try:
        return ast.parse(path.read_text(encoding="utf-8")).body
    except (OSError, SyntaxError, ValueError):
        return None


def find_symbol(path: Path, symbol: str) -> tuple[int, int] | None:
    """The first and last line (1-based) of a top-level def or class (or Class.method)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    nodes = _parsed(path, (stat.st_mtime_ns, stat.st_size))
    if nodes is None:
        return None
    found: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None = None
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for name in symbol.split("."):
        found = next((n for n in nodes if isinstance(n, definitions) and n.name == name), None)
        if found is None:
            return None
        nodes = found.body
    if found is None:
        return None
    first = min([found.lineno, *(d.lineno for d in found.decorator_list)])
    return first, found.end_lineno or found.lineno


def excerpt(ref: CodeReference, root: Path = PROJECT_DIR) -> str:
    """The referenced source as Markdown: a caption naming the file and lines, then the code."""
    path = root / ref.path
    span = find_symbol(path, ref.symbol)
    if span is None:
        return f"*(`{ref.symbol}` was not found in `{ref.path}`)*"
    first, last = span
    code = "\n".join(path.read_text(encoding="utf-8").splitlines()[first - 1 : last])
    caption = f"`{ref.path}`, lines {first}–{last}" + (f": {ref.caption}" if ref.caption else "")
    return f"{caption}\n\n```python\n{code}\n```"


COMMENT = re.compile(r"[ \t]*<!--(?!\s*show:).*?-->", re.S)  # e.g. <!-- fact: A5 -->


def expand(markdown: str, references: dict[str, CodeReference], root: Path = PROJECT_DIR) -> str:
    """Markdown with every show marker replaced by its excerpt (unknown names left as is),
    and other HTML comments (the sources' `<!-- fact: … -->` citations) removed: they are
    for authors and reviewers, not for the page."""
    markdown = COMMENT.sub("", markdown)
    out = []
    for line in markdown.splitlines():
        match = SHOW.match(line.strip())
        if match and match.group(1) in references:
            out.append(excerpt(references[match.group(1)], root))
        else:
            out.append(line)
    return "\n".join(out)
