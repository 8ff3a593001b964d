"""Write small lesson folders for tests: valid by default, with any file replaced."""

from __future__ import annotations

import textwrap
from pathlib import Path

LESSON_MD = """\
+++
id = "sample"
title = "Sample"
concept = "Testing"
order = 1
summary = "A lesson written by a test."
minutes = 5
+++

Intro.

## Read this

Text.

## Try it

Invoke it.

## Exercise

Do it.
"""
QUIZ = """\
[[questions]]
prompt = "One?"

[[questions.choices]]
text = "Yes"
correct = true
explanation = "Because."

[[questions.choices]]
text = "No"
explanation = "Because not."

[[questions]]
prompt = "Two?"

[[questions.choices]]
text = "A"
explanation = "Not A."

[[questions.choices]]
text = "B"
correct = true
explanation = "B it is."
"""
HINTS = '[[hints]]\ntext = "First."\n\n[[hints]]\ntext = "Second."\n'
CHECKS = '[[checks]]\nkind = "returns"\ntitle = "Says hi"\nexpect = { hi = true }\n'
STARTER = "def lambda_handler(event, context):\n    return {}\n"
SOLUTION = 'def lambda_handler(event, context):\n    return {"hi": True}\n'


def make_lesson(root: Path, name: str = "sample", **files: str) -> Path:
    """A lesson folder under root; `files` replace or add files by relative path ("" omits).

    Pass paths with a slash as **{"events/ada.json": "..."}.
    """
    folder = root / name
    contents = {
        "lesson.md": LESSON_MD,
        "quiz.toml": QUIZ,
        "hints.toml": HINTS,
        "checks.toml": CHECKS,
        "starter/lambda_function.py": STARTER,
        "solution/lambda_function.py": SOLUTION,
    }
    contents.update(files)
    for relative, text in contents.items():
        if text == "":
            continue
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder
