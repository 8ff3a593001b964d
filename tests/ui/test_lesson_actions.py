"""Lesson action buttons: rendered as buttons, clicked with the mouse, carried out in the app.

A test pack (lesson 1 with one link of each kind on its Try it page) shows every kind's
effect in the same timeline, logs and billing; a second test walks the action buttons of
every shipped lesson, so lesson texts that gain links are covered without a change here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lesson_clicks import action_links, click_position, scroll_to
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from ui_helpers import run, spawned_tasks_done, wait_for

from workbench.core.events import InvocationCompleted
from workbench.lessons import load_pack
from workbench.lessons.actions import KINDS, parse_action
from workbench.paths import LESSONS_DIR
from workbench.ui.main_window import MainWindow

# One link per kind, as lesson texts write them.
LINKS = {
    "load": "[Load the starter](action:load?code=starter)",
    "invoke": "[Invoke 3 at once](action:invoke?times=3&mode=parallel&event=grace)",
    "warm-then-burst": "[Warm, then 2 at once](action:warm-then-burst?burst=2)",
    "set": "[Reserve 5 and 256 MB](action:set?memory=256&reserved_concurrency=5)",
    "rate": "[4 per second for 1 s](action:rate?per_second=4&seconds=1)",
    "bucket-put": "[Drop a file](action:bucket-put?key=photos/ada.json&sample=ada.json)",
    "api-call": "[Call the API](action:api-call?method=POST&path=/hello%3Fname%3DAda&body=hi)",
    "queue-send": "[Send 2 orders](action:queue-send?body=%7B%22order%22%3A1%7D&count=2)",
    "show": "[Show the billing](action:show?pane=billing)",
}
LIMIT_S = 60.0


@pytest.fixture
def action_pack(tmp_path: Path) -> Path:
    """A pack with lesson 1 whose Try it page carries one action link of each kind."""
    pack = tmp_path / "pack"
    shutil.copytree(LESSONS_DIR / "01-function", pack / "01-function")
    lesson_md = pack / "01-function" / "lesson.md"
    text = lesson_md.read_text(encoding="utf-8")
    buttons = "\n".join(f"- {link}" for link in LINKS.values())
    text = text.replace("## Exercise", f"Or with the buttons:\n\n{buttons}\n\n## Exercise", 1)
    lesson_md.write_text(text, encoding="utf-8")
    (pack / "index.toml").write_text('title = "Actions"\nlessons = ["01-function"]\n')
    assert set(LINKS) == set(KINDS), "the pack must have one link per action kind"
    return pack


def _completed(engine, function: str) -> int:
    return sum(1 for e in engine.bus.of_type(InvocationCompleted) if e.function == function)


def test_every_action_kind_is_a_button_that_works(window: MainWindow, engine, qloop, action_pack):
    """Each kind, clicked with the mouse, does its Try-it step in the app."""
    reader = window.lessons.ensure_loaded()
    reader.open_pack(action_pack)
    reader.show_lesson("function", "try-it")
    browser = reader.pane.browser
    links = dict(action_links(browser))
    assert {parse_action(h).kind for h in links} == set(KINDS)
    function = window.controller.config.name
    positions = {parse_action(h).kind: p for h, p in action_links(browser)}

    def click(kind: str) -> None:
        reader.show_lesson("function", "try-it", load_workspace=False)
        click_position(browser, positions[kind])
        run(qloop, spawned_tasks_done(LIMIT_S), LIMIT_S + 5)

    click("load")
    assert window.editor_pane.path.parent == reader.store.code_dir(reader.lesson).resolve()

    click("invoke")
    # The lesson's events draw fresh names at check time; the app shows their readable form.
    assert window.event_pane.editor.toPlainText() == reader.lesson.event("grace").text()
    assert _completed(engine, function) == 3
    assert "Hello" in window.result_pane.response.toPlainText()

    click("warm-then-burst")
    assert _completed(engine, function) == 6

    click("set")
    config = window.controller.config
    assert (config.memory_mb, config.reserved_concurrency) == (256, 5)
    assert "memory = 256" in (config.code_dir / "function.toml").read_text()

    click("rate")
    load = window.trigger_ui.load_pane
    run(qloop, wait_for(lambda: load.task is None and "completed" in load.summary.text(), 30), 35)
    assert _completed(engine, function) >= 9

    click("bucket-put")
    bucket = window.trigger_ui.manager.buckets()[0]
    assert (bucket.root / "photos" / "ada.json").is_file()
    run(qloop, wait_for(lambda: bucket.firings >= 1, 30), 35)
    run(qloop, wait_for(lambda: _completed(engine, function) >= 10, 30), 35)

    click("api-call")
    panel = window.request_panel
    assert window.side_tabs.currentWidget() is panel
    assert panel.answer.toPlainText().startswith("HTTP 200"), panel.status.text()
    assert "Hello" in panel.answer.toPlainText()

    before = _completed(engine, function)
    click("queue-send")
    run(qloop, wait_for(lambda: _completed(engine, function) >= before + 1, 30), 35)
    assert "[sqs]" in window.result_pane.log_text()

    click("show")
    assert window.side_tabs.currentWidget() is window.billing_pane
    # Every invocation is the function the learner sees: one name, no extra lanes.
    names = {e.function for e in engine.bus.of_type(InvocationCompleted)}
    assert names == {function}
    assert window.meter.requests >= _completed(engine, function) - 1
    run(qloop, window.trigger_ui.shutdown(), 30)  # before the engine fixture closes the service


def test_an_action_button_says_what_it_does_on_hover(window: MainWindow, action_pack, qtbot):
    """A tooltip (a real QHelpEvent) over a button describes the action."""
    reader = window.lessons.ensure_loaded()
    reader.open_pack(action_pack)
    reader.show_lesson("function", "try-it", load_workspace=False)
    browser = reader.pane.browser
    _href, position = next(item for item in action_links(browser) if "invoke" in item[0])
    point = scroll_to(browser, position)
    QTest.mouseMove(browser.viewport(), point)
    global_point = browser.viewport().mapToGlobal(point)
    QApplication.sendEvent(browser.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, global_point))
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2000)
    assert "invoke the function in the editor" in QToolTip.text()


def test_a_broken_action_link_is_shown_not_run(window: MainWindow, tmp_path: Path):
    """A link the app cannot run says why in the page instead of failing on click."""
    reader = window.lessons.ensure_loaded()
    html = reader.renderer.render("[Go](action:invoke?times=500)")
    assert "broken lesson action" in html
    assert "from 1 to 100" in html
    assert window.lessons.reader.actions.run("action:nope") is None
    assert "unknown action" in window.statusBar().currentMessage()


def test_every_shipped_lesson_try_it_can_be_done_with_its_buttons(
    window: MainWindow, engine, qloop
):
    """Walk every lesson's action buttons (process backend); none may fail.

    WORKBENCH_WALK_PACK=DIR walks another pack (e.g. a course branch's lessons)."""
    folder = Path(os.environ.get("WORKBENCH_WALK_PACK", LESSONS_DIR))
    reader = window.lessons.ensure_loaded()
    pack = load_pack(folder)
    assert pack.lessons, pack.problems
    reader.open_pack(folder, load_workspace=False)
    walked = 0
    for lesson in pack.lessons:
        reader.show_lesson(lesson.id)
        for page in list(reader.pages):
            if page.kind == "quiz":
                continue
            reader.show_lesson(lesson.id, page.id, load_workspace=False)
            for href, position in action_links(reader.pane.browser):
                reader.show_lesson(lesson.id, page.id, load_workspace=False)
                click_position(reader.pane.browser, position)
                run(qloop, spawned_tasks_done(LIMIT_S), LIMIT_S + 5)
                message = window.statusBar().currentMessage()
                assert "✗" not in message and "cannot run" not in message, (href, message)
                walked += 1
    run(qloop, window.trigger_ui.shutdown(), 30)
    print(f"walked {walked} action buttons of {len(pack.lessons)} lessons")
    # Until the course's texts carry links this walks none; the pack test covers every kind.
    assert walked >= 0
