"""The lesson reader: navigator, rendering, try it, checks on the engine, hints, quiz, reset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog
from ui_helpers import RestoreAnswers, run, spawned_tasks_done, wait_for

from workbench.lessons import ProgressStore, load_pack
from workbench.paths import LESSONS_DIR
from workbench.ui.lessons.dialogs import Dialogs
from workbench.ui.main_window import MainWindow
from workbench.workspace.function_file import sync_function_toml

CHECK_LIMIT_S = 90.0


class Answers:
    """Stands in for the reader's dialogs: records each question and answers as told."""

    def __init__(self, confirm: bool = True, save: Path | None = None, folder: Path | None = None):
        self.answer, self.save, self.folder_answer = confirm, save, folder
        self.asked: list[tuple[str, str]] = []

    def dialogs(self) -> Dialogs:
        return Dialogs(
            confirm=lambda _p, title, text, _a: self.asked.append((title, text)) or self.answer,
            save_path=lambda *_: self.save,
            folder=lambda *_: self.folder_answer,
        )


@pytest.fixture
def reader(window: MainWindow):
    """The window's lesson reader, loaded, with recorded dialogs."""
    answers = Answers()
    loaded = window.lessons.ensure_loaded()
    loaded.dialogs = answers.dialogs()
    loaded.answers = answers
    return loaded


def _headings(document: QTextDocument) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    block = document.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            found.setdefault(level, []).append(block.text())
        block = block.next()
    return found


def test_navigator_lists_the_shipped_lessons_in_order(reader):
    """Every shipped lesson is listed in course order, none started yet."""
    pack = load_pack(LESSONS_DIR)
    navigator = reader.pane.navigator
    assert navigator.lesson_ids() == [lesson.id for lesson in pack.lessons]
    assert navigator.texts()[1] == "○   2. Handler"
    assert reader.pane.pack_label.text() == pack.title
    assert not reader.pane.problems.isVisible()


def test_a_lesson_renders_headings_tables_and_highlighted_code(reader):
    """Headings become headings, tables tables, and live source excerpts highlighted code."""
    reader.show_lesson("handler", "the-three-handler-errors")
    document = reader.pane.browser.document()
    assert _headings(document)[2] == ["The three handler errors"]
    assert "Runtime.ImportModuleError" in document.toPlainText()
    assert "<table" in document.toHtml()
    reader.show_lesson("runtime", "the-loop-from-the-workbenchs-own-runtime")
    text = reader.pane.browser.toPlainText()
    assert "workbench/shim/bootstrap.py · lines" in text
    assert "def main():" in text
    html = reader.pane.browser.document().toHtml()
    assert "color:#cf222e" in html  # the keyword `def` coloured by pygments


def test_try_it_loads_the_starter_and_event(reader, window):
    """Load code and event: the learner's copy of the starter opens, the event is filled in."""
    reader.show_lesson("function", "try-it")
    assert reader.pane.try_button.isVisible()
    reader.pane.try_button.click()
    lesson = reader.pack.lesson("function")
    folder = reader.store.code_dir(lesson)
    assert window.controller.config.code_dir == folder.resolve()
    starter = (lesson.starter_dir / "lambda_function.py").read_text()
    assert window.editor_pane.editor.toPlainText() == starter
    assert window.event_pane.editor.toPlainText() == lesson.event("ada").text()
    assert "try-it" in reader.store.of(lesson).steps_done
    assert reader.pane.navigator.texts()[0].startswith("◐")


def test_try_it_shows_the_code_that_is_there_when_the_handler_is_wrong(reader, window):
    """Lesson 2's handler names a missing file: the editor shows app.py instead of nothing."""
    reader.show_lesson("handler", "try-it")
    reader.try_it()
    assert window.editor_pane.path.name == "app.py"
    assert "def handle" in window.editor_pane.editor.toPlainText()


def test_settings_applied_to_a_lesson_reach_its_function_toml(reader, window):
    """A handler fixed in the Settings pane is written to function.toml, comments kept."""
    reader.show_lesson("handler", "try-it")
    reader.try_it()
    config = window.controller.config.with_changes(handler="app.handle")
    assert window.controller.apply_settings(config)
    text = (config.code_dir / "function.toml").read_text()
    assert 'handler = "app.handle"' in text
    assert text.startswith("# Copied from another function")
    assert sync_function_toml(config) == []  # nothing left to write


def test_check_my_work_fails_on_the_starter_then_passes_on_the_solution(
    reader, window, engine, qloop, qtbot, screenshots
):
    """Checks run on the engine: the starter fails with feedback, the solution passes and ✓."""
    window.resize(1400, 900)
    reader.show_lesson("handler", "exercise")
    pane = reader.pane
    pane.check_button.click()
    assert not pane.check_button.isEnabled()
    assert pane.check_button.text() == "Checking…"
    run(qloop, spawned_tasks_done(CHECK_LIMIT_S), CHECK_LIMIT_S + 5)
    outcome = reader.runs["handler"].outcome
    assert outcome is not None and not outcome.passed
    text = pane.browser.toPlainText()
    assert "✗ Lambda finds and loads the handler" in text
    assert "file.function" in text
    assert "checks failed" in text
    assert pane.check_button.isEnabled()
    qtbot.wait(50)
    window.grab().save(str(screenshots / "lesson_check_failed.png"))

    lesson = reader.pack.lesson("handler")
    mine = reader.store.code_dir(lesson)
    shutil.rmtree(mine)
    shutil.copytree(lesson.solution_dir, mine)
    outcome = run(qloop, reader.check(), CHECK_LIMIT_S)
    assert outcome.passed
    assert "Exercise passed" in pane.browser.toPlainText()
    assert pane.navigator.texts()[1].startswith("✓")
    assert ProgressStore(reader.data_dir).of(lesson).exercise_passed
    qtbot.wait(50)
    window.grab().save(str(screenshots / "lesson_check_passed.png"))


def test_hints_are_revealed_one_at_a_time(reader):
    """Each click shows one more hint; the button says how many remain, then stops."""
    reader.show_lesson("handler", "exercise")
    pane = reader.pane
    assert "Hint 1" not in pane.browser.toPlainText()
    assert pane.hint_button.text() == "Hint (1 of 3)"
    pane.hint_button.click()
    text = pane.browser.toPlainText()
    assert "Hint 1 of 3" in text and "Hint 2 of 3" not in text
    pane.hint_button.click()
    pane.hint_button.click()
    assert "Hint 3 of 3" in pane.browser.toPlainText()
    assert not pane.hint_button.isEnabled()
    assert pane.hint_button.text() == "All hints shown"


def test_quiz_grades_saves_and_restores_answers(reader, window, qtbot, screenshots):
    """Submit marks the answer and explains every choice; answers survive a restart."""
    reader.show_lesson("handler", "quiz")
    pane = reader.pane
    assert pane.stack.currentWidget() is pane.quiz
    first = pane.quiz.boxes[0]
    first.group.button(1).click()  # ImportModuleError: wrong
    first.submit.click()
    assert "Not quite" in first.feedback.text()
    assert "app.py exists" in first.feedback.text()
    first.group.button(0).click()
    first.submit.click()
    assert "Right" in first.feedback.text()
    lesson = reader.pack.lesson("handler")
    assert ProgressStore(reader.data_dir).of(lesson).quiz == {0: (0,)}
    reader.show_lesson("function")
    reader.show_lesson("handler", "quiz")
    restored = pane.quiz.boxes[0]
    assert restored.chosen() == (0,) and "Right" in restored.feedback.text()
    second = pane.quiz.boxes[1]
    second.group.button(1).click()
    second.submit.click()
    qtbot.wait(50)
    pane.grab().save(str(screenshots / "lesson_quiz.png"))


def test_reset_restores_the_starter_after_confirming(reader, window):
    """Reset asks first (saying nothing is kept), then the starter is back and progress gone."""
    reader.show_lesson("function", "try-it")
    reader.try_it()
    lesson = reader.pack.lesson("function")
    window.editor_pane.editor.setPlainText("def lambda_handler(event, context):\n    return 1\n")
    window.editor_pane.save()
    reader.answers.answer = False
    assert not reader.reset_lesson()
    assert "return 1" in (reader.store.code_dir(lesson) / "lambda_function.py").read_text()
    reader.answers.answer = True
    assert reader.reset_lesson()
    title, text = reader.answers.asked[-1]
    assert "Reset" in title and "Nothing of your code for this lesson is kept" in text
    starter = (lesson.starter_dir / "lambda_function.py").read_text()
    assert (reader.store.code_dir(lesson) / "lambda_function.py").read_text() == starter
    assert window.editor_pane.editor.toPlainText() == starter
    assert reader.store.of(lesson).steps_done == ()


def test_a_broken_pack_shows_its_problems(reader, window, tmp_path: Path, screenshots):
    """Opening an instructor's pack lists each problem as path:line: message."""
    pack = tmp_path / "pack"
    shutil.copytree(LESSONS_DIR / "01-function", pack / "01-function")
    broken = pack / "02-broken"
    broken.mkdir()
    (broken / "lesson.md").write_text("no front matter here\n")
    reader.answers.folder_answer = pack
    window.lessons.open_pack_action.trigger()
    pane = reader.pane
    assert pane.problems.isVisible()
    assert "1 problem" in pane.problems_label.text()
    assert pane.problems.toPlainText().startswith("02-broken/lesson.md:1: ")
    assert pane.navigator.lesson_ids() == ["function"]
    assert pane.course_button.isVisible()
    pane.grab().save(str(screenshots / "lesson_pack_problems.png"))
    pane.course_button.click()
    assert len(pane.navigator.lesson_ids()) == len(load_pack(LESSONS_DIR).lessons)


def test_export_report_saves_markdown_or_html(reader, tmp_path: Path):
    """Export report writes the format the chosen file name asks for."""
    reader.answers.save = tmp_path / "report.html"
    assert reader.export_report() == tmp_path / "report.html"
    assert "<table>" in (tmp_path / "report.html").read_text()
    reader.answers.save = tmp_path / "report.md"
    reader.export_report()
    assert "| # | Lesson |" in (tmp_path / "report.md").read_text()


def test_solution_opens_read_only_with_a_diff(reader, window):
    """Show solution asks first, then shows the files read-only and a comparison."""
    reader.show_lesson("handler", "exercise")
    reader.answers.answer = False
    reader.pane.solution_button.click()
    assert reader.solution_dialog is None
    reader.answers.answer = True
    reader.pane.solution_button.click()
    dialog = reader.solution_dialog
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["app.py", "function.toml", "Compare with yours"]
    assert dialog.tabs.widget(0).isReadOnly()
    assert '+handler = "app.handle"' in dialog.diff.toPlainText()
    dialog.close()


def test_function_toml_dialog_checks_then_saves_and_deploys(reader, window):
    """function.toml… refuses a setting out of range, then saves and reloads a valid one."""
    reader.show_lesson("handler", "exercise")
    reader.pane.config_button.click()
    dialog = window.findChild(QDialog, "functionTomlDialog")
    folder = reader.store.code_dir(reader.pack.lesson("handler"))
    before = (folder / "function.toml").read_text()
    dialog.editor.setPlainText('handler = "app.handle"\nmemory = 64\n')
    assert not dialog.save()
    assert "128" in dialog.error.text()
    assert (folder / "function.toml").read_text() == before
    dialog.editor.setPlainText('handler = "app.handle"\nmax_retry_attempts = 0\n')
    assert dialog.save()
    assert window.controller.config.code_dir == folder.resolve()
    assert window.controller.config.max_retry_attempts == 0
    assert window.editor_pane.path.name == "app.py"


def test_progress_resumes_on_the_same_lesson_and_page(qtbot, tmp_path: Path):
    """Closing and reopening the window comes back to the lesson and step last shown."""
    settings_path = str(tmp_path / "settings.ini")

    def make() -> MainWindow:
        settings = QSettings(settings_path, QSettings.Format.IniFormat)
        win = MainWindow(tmp_path / "data", settings=settings, ask_restore=RestoreAnswers())
        qtbot.addWidget(win)
        win.show()
        return win

    first = make()
    first.lessons.ensure_loaded().show_lesson("event", "try-it")
    first.close()
    second = make()
    reader = second.lessons.ensure_loaded()
    assert (reader.lesson.id, reader.page.id) == ("event", "try-it")
    assert second.lessons.pane.navigator.currentItem().text().endswith("4. Event")  # after Trigger


def test_every_lesson_control_has_a_tooltip(reader, window, qtbot):
    """Buttons and choosers on every kind of page explain themselves."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    missing: set[str] = set()
    for page in ("naming-the-handler", "try-it", "exercise", "quiz"):
        reader.show_lesson("handler", page)
        qtbot.wait(1)
        missing |= {
            f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
            for kind in kinds
            for w in window.lessons.findChildren(kind)
            if w.isVisible() and not w.toolTip() and not isinstance(w.parent(), QComboBox)
        }
    assert missing == set()


def test_reader_screenshot_on_the_handler_lesson(reader, window, qtbot, screenshots, qloop):
    """The reader beside the work area, on lesson 2's table of handler errors."""
    window.resize(1400, 900)
    reader.show_lesson("handler", "the-three-handler-errors")
    run(qloop, wait_for(lambda: reader.pane.browser.isVisible()))
    qtbot.wait(50)
    window.grab().save(str(screenshots / "lesson_reader_handler.png"))
    reader.show_lesson("runtime", "the-loop-from-the-workbenchs-own-runtime")
    qtbot.wait(50)
    reader.pane.grab().save(str(screenshots / "lesson_reader_excerpt.png"))


def test_a_workshop_hides_the_solution_until_the_exercise_passes(reader, window, tmp_path):
    """index.toml's [workshop] solutions = "after-pass": Solution… says why it is hidden and
    opens nothing; once the exercise has passed, it opens as usual."""
    from workbench.lessons.runner import CheckResult, ExerciseResult

    pack = tmp_path / "workshop"
    shutil.copytree(LESSONS_DIR / "02-handler", pack / "02-handler")
    (pack / "index.toml").write_text(
        'title = "Class of today"\nlessons = ["02-handler"]\n'
        '\n[workshop]\nsolutions = "after-pass"\n'
    )
    reader.open_pack(pack)
    reader.show_lesson("handler", "exercise")
    reader.pane.solution_button.click()
    assert reader.solution_dialog is None and reader.answers.asked == []
    assert "opens once your exercise passes" in reader.pane.status.text()
    passed = ExerciseResult(
        "handler",
        reader.store.code_dir(reader.lesson),
        (CheckResult(1, "returns", "ok", True, "fine", 0.1),),
    )
    reader.store.record(reader.lesson, passed)
    reader.pane.solution_button.click()
    assert reader.solution_dialog is not None
    reader.solution_dialog.close()
