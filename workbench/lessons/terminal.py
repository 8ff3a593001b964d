"""A lesson as plain text for a terminal: `lessons show` (pages, quiz, hints).

Action links (`[Send five](action:invoke?times=5)`) are buttons in the app; in a terminal
they are shown as what to click in the app and, where there is one, the command that does
the same from the shell.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from collections.abc import Mapping
from pathlib import Path

from workbench.lessons.actions import Action, ActionError, is_action_link, parse_action
from workbench.lessons.model import Lesson

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
WIDTH = 100
CLI = "lambda-workbench"


def action_links(markdown: str) -> list[tuple[int, str, str]]:
    """Every `[label](action:…)` link: (line number from 1, label, href)."""
    found = []
    for number, line in enumerate(markdown.splitlines(), 1):
        for match in LINK.finditer(line):
            if is_action_link(match.group(2)):
                found.append((number, match.group(1), match.group(2)))
    return found


def command_for(action: Action, code: str = "DIR") -> str | None:
    """The shell command that does what an action does, or None when only the app can."""
    p: Mapping[str, object] = action.params
    if action.kind == "invoke":
        times = int(str(p.get("times", 1)))
        if p.get("mode") == "parallel" and times > 1:
            return f"{CLI} load {code} --rate {times} --duration 1"
        extra = f" --times {times}" if times > 1 else ""
        return f"{CLI} invoke {code}{extra}"
    if action.kind == "warm-then-burst":
        return f"{CLI} invoke {code}  # then: {CLI} load {code} --rate {p['burst']} --duration 1"
    if action.kind == "rate":
        return f"{CLI} load {code} --rate {p['per_second']:g} --duration {p['seconds']:g}"
    if action.kind == "set":
        flags = {
            "memory": "--memory",
            "timeout": "--timeout",
            "ephemeral_storage": "--ephemeral-storage",
        }
        parts = [f"{flags[k]} {v}" for k, v in p.items() if k in flags and v is not None]
        if len(parts) == len(p):
            return f"{CLI} invoke {code} " + " ".join(parts)
        return None  # concurrency settings: edit function.toml
    if action.kind == "api-call":
        route = f"{p['method']} {str(p['path']).split('?')[0]}"
        return f"{CLI} api {code} --route {shlex.quote(route)}  # then: curl the URL it prints"
    if action.kind == "queue-send":
        return f"{CLI} queue {code} --send {shlex.quote(str(p['body']))}" + (
            f"  # {p['count']} times" if int(str(p["count"])) > 1 else ""
        )
    if action.kind == "bucket-put":
        return f"{CLI} bucket {code} --root ./bucket  # then copy a file to ./bucket/{p['key']}"
    return None


def describe_link(label: str, href: str, code: str = "DIR") -> str:
    """An action link as terminal text: the button to click, and the equivalent command."""
    try:
        action = parse_action(href)
    except ActionError as exc:
        return f"{label} (broken link: {exc})"
    text = f"{label} [in the app: click “{label}” — {action.describe()}]"
    if action.kind == "set":
        settings = ", ".join(
            f"{k} = {v}" if v is not None else f"no {k}" for k, v in action.params.items()
        )
        text += f" [terminal: put {settings} in function.toml]"
    command = command_for(action, code)
    if command:
        text += f"\n      $ {command}"
    return text


def plain(markdown: str, code: str = "DIR") -> str:
    """Lesson Markdown made readable in a terminal: comments gone, and each action link
    marked [▶N] in the text and spelled out (what to click, the command) after it."""
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    notes: list[str] = []

    def link(match: re.Match[str]) -> str:
        label, href = match.group(1), match.group(2)
        if not is_action_link(href):
            return f"{label} <{href}>"
        notes.append(describe_link(label, href, code))
        return f"{label} [▶{len(notes)}]"

    text = _wrap(LINK.sub(link, markdown).strip())
    if notes:
        listed = "\n".join(f"  ▶{n} {note}" for n, note in enumerate(notes, 1))
        text += "\n\nActions (buttons in the app; commands for a terminal):\n" + listed
    return text


ITEM = re.compile(r"\s*(?:[-*] |\d+\. )")


def _wrap(text: str) -> str:
    """Reflow prose paragraphs and list items to WIDTH; code blocks, tables and the
    indented command lines under an action link stay as they are."""
    out: list[str] = []
    block: list[str] = []  # the lines of the paragraph or list item being gathered
    fenced = False

    def flush() -> None:
        if block:
            first = block[0]
            marker = ITEM.match(first)
            hang = " " * len(marker.group(0)) if marker else ""
            joined = " ".join(line.strip() for line in block)
            lead = first[: len(first) - len(first.lstrip())]
            out.append(textwrap.fill(joined, WIDTH, initial_indent=lead, subsequent_indent=hang))
            block.clear()

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            fenced = not fenced
            out.append(line)
        elif fenced or line.startswith("|") or line.lstrip().startswith("$ "):
            flush()
            out.append(line)
        elif not line.strip():
            flush()
            out.append("")
        elif ITEM.match(line) or line.startswith("#"):
            flush()
            block.append(line)
            if line.startswith("#"):
                flush()
        else:
            block.append(line)
    flush()
    return "\n".join(out)


def pages(lesson: Lesson) -> list[tuple[str, str]]:
    """The lesson's pages in order: the intro, then one per `## ` step."""
    result = [(lesson.title, lesson.intro)]
    result += [(step.title, step.markdown) for step in lesson.steps]
    return result


def show_page(lesson: Lesson, number: int, code: Path | None = None) -> str:
    """Page `number` (1-based) of a lesson as terminal text, with a header and what's next."""
    all_pages = pages(lesson)
    if not 1 <= number <= len(all_pages):
        raise ValueError(f"{lesson.id} has pages 1 to {len(all_pages)}, not {number}")
    title, body = all_pages[number - 1]
    where = str(code) if code else "DIR"
    head = f"{lesson.title} — page {number} of {len(all_pages)}: {title}"
    text = [head, "=" * min(len(head), WIDTH), "", plain(body, where), ""]
    if number < len(all_pages):
        text.append(f"Next: lambda-workbench lessons show {lesson.id} --page {number + 1}")
    else:
        text.append(
            f"Then: lambda-workbench lessons show {lesson.id} --quiz, "
            f"and check your code with lambda-workbench lessons exercise {lesson.id}"
        )
    return "\n".join(text) + "\n"


def show_quiz(lesson: Lesson) -> str:
    """The quiz with every choice's explanation (answers marked), for self-study."""
    lines = [f"{lesson.title} — quiz", ""]
    for n, question in enumerate(lesson.quiz, 1):
        lines.append(textwrap.fill(f"{n}. {question.prompt}", WIDTH))
        for letter, choice in zip("abcdef", question.choices, strict=False):
            mark = "✓" if choice.correct else "✗"
            lines.append(
                textwrap.fill(f"   {letter}) {choice.text}", WIDTH, subsequent_indent="      ")
            )
            lines.append(
                textwrap.fill(
                    f"{mark} {choice.explanation}",
                    WIDTH,
                    initial_indent="      ",
                    subsequent_indent="        ",
                )
            )
        lines.append("")
    lines.append("Answer in the app to have your score recorded; here every explanation is shown.")
    return "\n".join(lines) + "\n"


def show_hints(lesson: Lesson) -> str:
    lines = [f"{lesson.title} — hints (the last may give the answer away)", ""]
    for n, hint in enumerate(lesson.hints, 1):
        lines.append(textwrap.fill(f"{n}. {hint}", WIDTH, subsequent_indent="   "))
    return "\n".join(lines) + "\n"
