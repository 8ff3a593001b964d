"""The learner's path: first launch teaches, later launches resume, the lesson drives the
workspace, checks run on the code in the editor, the plain workspace, and closing asks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from ui_helpers import RestoreAnswers, run, spawned_tasks_done

from workbench.core.events import InvocationCompleted
from workbench.lessons import load_pack
from workbench.paths import LESSONS_DIR, SAMPLES_DIR
from workbench.ui.main_window import MainWindow

LIMIT_S = 90.0


def make_window(qtbot, tmp_path: Path, *, lessons: bool = True) -> MainWindow:
    """A window as the app builds it on launch (same settings file on every call)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    if not lessons:
        settings.setValue("lessons/dock/visible", "false")
    window = MainWindow(tmp_path / "data", settings=settings, ask_restore=RestoreAnswers())
    qtbot.addWidget(window)
    window.set_theme("light")
    window.show()
    window.start(None, fallback=SAMPLES_DIR / "hello")
    qtbot.waitExposed(window)
    if lessons:
        qtbot.waitUntil(lambda: window.controller.config is not None, timeout=10_000)
    return window


@pytest.fixture
def lesson_one():
    return load_pack(LESSONS_DIR).lesson("function")


def test_first_launch_opens_lesson_one_loaded_and_says_what_to_press(qtbot, tmp_path, lesson_one):
    window = make_window(qtbot, tmp_path)
    reader = window.lessons.reader
    assert reader.lesson.id == "function"
    assert window.layout_name == "lesson"
    starter = (lesson_one.starter_dir / "lambda_function.py").read_text()
    assert window.editor_pane.editor.toPlainText() == starter
    assert window.event_pane.editor.toPlainText() == lesson_one.event("ada").text()
    assert "press Invoke (Ctrl+Enter)" in reader.pane.status.text()
    assert window.controller.config.code_dir == reader.store.code_dir(lesson_one).resolve()


def test_a_later_launch_resumes_lesson_page_function_and_event(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    reader = first.lessons.reader
    reader.pane.navigator.sig_lesson_chosen.emit("event")  # as a click in the list does
    reader.go(2)
    page = reader.page.id
    first.event_pane.editor.setPlainText('{"mine": true}')
    folder = first.controller.config.code_dir
    first.close_now()

    second = make_window(qtbot, tmp_path)
    resumed = second.lessons.reader
    assert resumed.lesson.id == "event"
    assert resumed.page.id == page
    assert second.controller.config.code_dir == folder
    assert second.event_pane.editor.toPlainText() == '{"mine": true}'


def test_opening_a_lesson_loads_its_workspace_and_clears_stale_output(window, engine, qloop):
    window.event_pane.request_invoke()
    run(qloop, spawned_tasks_done(30), 35)
    assert "Succeeded" in window.result_pane.status.text()
    assert window.result_pane.log_text()
    window.event_pane.samples.setCurrentIndex(1)
    reader = window.lessons.ensure_loaded()
    item = reader.pane.navigator.item(1)  # 2. Handler, clicked
    rect = reader.pane.navigator.visualItemRect(item)
    QTest.mouseClick(reader.pane.navigator.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    lesson = reader.pack.lesson("handler")
    assert reader.lesson.id == "handler"
    assert window.controller.config.code_dir == reader.store.code_dir(lesson).resolve()
    assert window.event_pane.editor.toPlainText() == lesson.event(lesson.try_it.event).text()
    assert "No invocation" in window.result_pane.status.text()
    assert window.result_pane.response.toPlainText() == ""
    assert window.result_pane.log_text() == ""
    assert window.event_pane.samples.currentIndex() == 0


def test_check_my_work_checks_the_function_in_the_editor(window, engine, qloop, function_dir):
    """With hello open on lesson 1's exercise page, the checks run on hello, named hello."""
    reader = window.lessons.ensure_loaded()
    reader.show_lesson("function", "exercise", load_workspace=False)
    window.open_and_deploy(function_dir)
    QTest.mouseClick(reader.pane.check_button, Qt.MouseButton.LeftButton)
    run(qloop, spawned_tasks_done(LIMIT_S), LIMIT_S + 5)
    checked = reader.runs["function"]
    assert checked.function == "hello" and checked.folder == function_dir.resolve()
    assert "Checked “hello”" in reader.pane.status.text()
    assert "Checks of hello" in reader.pane.browser.toPlainText()
    names = {e.function for e in engine.bus.of_type(InvocationCompleted)}
    assert names == {"hello"}  # no lesson-<id> lanes beside the learner's function


def test_without_the_lesson_panel_a_plain_workspace_with_blueprints_and_recent(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, lessons=False)
    assert window.controller.config.name == "hello"  # the fallback on a first start
    assert window.layout_name == "explore"
    dialog = window.new_function()
    assert [dialog.blueprint.itemData(i) for i in range(dialog.blueprint.count())] == [
        "hello-world",
        "api-handler",
        "s3-handler",
        "sqs-handler",
    ]
    dialog.blueprint.setCurrentIndex(1)
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "bad name!")
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not create.isEnabled() and "letters, digits" in dialog.problem.text()
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "orders-api")
    QTest.mouseClick(create, Qt.MouseButton.LeftButton)
    folder = tmp_path / "data" / "functions" / "orders-api"
    assert window.controller.config.code_dir == folder.resolve()
    assert '"routeKey": "GET /hello"' in window.event_pane.editor.toPlainText()
    assert "statusCode" in window.editor_pane.editor.toPlainText()
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()][:2] == ["orders-api", "hello"]
    window.recent_menu.actions()[1].trigger()
    assert window.controller.config.name == "hello"


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_closing_with_unsaved_edits_asks(window, qtbot, function_dir, answer):
    source = function_dir / "lambda_function.py"
    before = source.read_text()
    window.editor_pane.editor.selectAll()
    window.editor_pane.editor.insertPlainText("# edited\n")
    window.close()
    box = window.unsaved_box
    assert box is not None and box.isVisible() and window.isVisible()
    buttons = QMessageBox.StandardButton
    chosen = {"cancel": buttons.Cancel, "discard": buttons.Discard, "save": buttons.Save}[answer]
    QTest.mouseClick(box.button(chosen), Qt.MouseButton.LeftButton)
    if answer == "cancel":
        qtbot.wait(50)
        assert window.isVisible() and window.editor_pane.modified
        return
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert source.read_text() == ("# edited\n" if answer == "save" else before)
    assert window.recovery.pending(source) is None
