"""Drives the real app from inside its process (LAMBDA_WORKBENCH_DRIVER) on a real X server.

The learner's path: first launch → lesson 1 loaded → invoke (a real X key press through
xdotool) → a wrong answer checked → the right answer checked → lesson 1 marked done. A
screenshot of the X screen (ImageMagick's `import -window root`) after each step goes to
E2E_SHOTS; each step prints one line, and the layout figures are printed as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layout_metrics import metrics

from workbench.core.events import InvocationCompleted

STEP_LIMIT_S = 90.0
WRONG = 'def lambda_handler(event, context):\n    return {"message": "Hello, Ada!"}\n'


async def until(predicate, what: str, limit: float = STEP_LIMIT_S) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def shot(name: str) -> Path:
    """The whole X screen as the learner sees it."""
    await asyncio.sleep(0.4)  # let the last paint reach the X server
    target = Path(os.environ["E2E_SHOTS"]) / f"{name}.png"
    process = await asyncio.create_subprocess_exec(
        "import", "-window", "root", "-display", os.environ["DISPLAY"], str(target)
    )
    assert await asyncio.wait_for(process.wait(), 30) == 0, "import failed"
    print(f"step {name}", flush=True)
    return target


async def xdotool(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("xdotool", *args)
    assert await asyncio.wait_for(process.wait(), 30) == 0, f"xdotool {args} failed"


async def drive(window) -> None:
    assert window.windowHandle() is not None
    from PySide6.QtGui import QGuiApplication

    platform = QGuiApplication.platformName()
    print(f"platform {platform}", flush=True)
    assert platform == "xcb", platform

    # 1. First launch: lesson 1 with its starter and its event, and what to press.
    await until(lambda: window.lessons.reader is not None, "the lesson reader")
    reader = window.lessons.reader
    lesson = reader.pack.lesson("function")
    await until(lambda: window.controller.config is not None, "lesson 1's function")
    assert reader.lesson.id == "function", reader.lesson.id
    starter = (lesson.starter_dir / "lambda_function.py").read_text()
    assert window.editor_pane.editor.toPlainText() == starter
    assert window.event_pane.editor.toPlainText() == lesson.event("ada").text()
    assert "press Invoke" in reader.pane.status.text(), reader.pane.status.text()
    first = metrics(window) | {"size": window.size().toTuple(), "squeezed": squeezed(window)}
    print("layout " + json.dumps(first), flush=True)
    await shot("01-first-launch")

    # 2. Invoke with a real key press (Ctrl+Enter) sent to the X window.
    function = window.controller.config.name
    service = window.service
    done = lambda: sum(  # noqa: E731
        1 for e in service.bus.of_type(InvocationCompleted) if e.function == function
    )
    window.editor_pane.editor.setFocus()
    await xdotool("windowfocus", "--sync", str(int(window.winId())))
    await xdotool("key", "--clearmodifiers", "ctrl+Return")
    await until(lambda: done() >= 1, "the invocation")
    await until(lambda: "Succeeded" in window.result_pane.status.text(), "the response")
    assert '"Hello"' in window.result_pane.response.toPlainText()
    await shot("02-invoked")

    # 3. The exercise with a wrong answer (Ada hard-coded, memory unchanged): checked, fails.
    exercise_page = next(i for i, p in enumerate(reader.pages) if p.kind == "exercise")
    while reader.page_index < exercise_page:
        QTest.mouseClick(reader.pane.next_button, Qt.MouseButton.LeftButton)
        await asyncio.sleep(0.05)
    editor = window.editor_pane.editor
    editor.selectAll()
    editor.insertPlainText(WRONG)  # typed over the starter: the editor is modified
    assert window.editor_pane.modified
    QTest.mouseClick(reader.pane.check_button, Qt.MouseButton.LeftButton)
    await until(lambda: reader.runs.get("function") is not None, "the check to start")
    await until(lambda: not reader.runs["function"].running, "the checks")
    outcome = reader.runs["function"].outcome
    assert not outcome.passed, outcome.summary()
    assert reader.runs["function"].function == function
    assert "✗" in reader.pane.browser.toPlainText()
    assert f"Checked “{function}”" in reader.pane.status.text()
    exercise_layout = metrics(window) | {
        "size": window.size().toTuple(),
        "squeezed": squeezed(window),
        "dock": [window.lessons.size().toTuple(), window.lessons.minimumSizeHint().toTuple()],
        "central": window.centralWidget().size().toTuple(),
    }
    print("layout-exercise " + json.dumps(exercise_layout), flush=True)
    await shot("03-wrong-answer-checked")

    # 4. The right answer: the solution's code, and 256 MB through the settings pane's Apply.
    editor.selectAll()
    editor.insertPlainText((lesson.solution_dir / "lambda_function.py").read_text())
    window.side_tabs.setCurrentWidget(window.settings_pane)
    memory = window.settings_pane.memory
    memory.setFocus()
    memory.selectAll()
    QTest.keyClicks(memory, "256")
    QTest.mouseClick(window.settings_pane.apply_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.controller.config.memory_mb == 256, "256 MB applied")
    QTest.mouseClick(reader.pane.check_button, Qt.MouseButton.LeftButton)
    await asyncio.sleep(0.1)
    await until(lambda: not reader.runs["function"].running, "the checks")
    outcome = reader.runs["function"].outcome
    assert outcome.passed, outcome.summary()
    assert "Exercise passed" in reader.pane.browser.toPlainText()
    assert reader.pane.navigator.texts()[0].startswith("✓"), reader.pane.navigator.texts()[0]
    await shot("04-right-answer-lesson-done")
    print("E2E OK", flush=True)


def squeezed(window) -> list[str]:
    """Panes of the lesson layout that had to scroll sideways (they should not at 1280)."""
    return [a.objectName() for a in window.squeeze_areas if a.horizontalScrollBar().isVisible()]
