"""What the reader's buttons do to the window: load code and events, reset, solution, report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.lessons import Lesson, LessonPack, ProgressStore, render_report
from workbench.ui.lessons.config_dialog import ConfigDialog
from workbench.ui.lessons.solution_dialog import SolutionDialog
from workbench.workspace.function_file import is_inside

if TYPE_CHECKING:
    from workbench.ui.lessons.reader_parts import ReaderParts
    from workbench.ui.window_port import WindowPort

SOLUTIONS = ".solutions"  # under the code root: fresh copies when a try-it loads the solution
# Where each watched pane is, for the status-bar sentence after loading.
PANE_NAMES = {
    "timeline": "the timeline",
    "logs": "the logs",
    "result": "the result",
    "billing": "the billing tab",
    "editor": "the code",
}


def open_code(window: WindowPort, folder: Path, event_text: str = "") -> bool:
    """Open a function folder and deploy it, as File → Open function folder does; the old
    function's response, logs and sample label are cleared."""
    if not window.open_and_deploy(folder, event_text):
        return False
    path = window.code_path()
    if path is not None and not path.exists():
        # The handler names a file that isn't there (lesson 2 starts so): show the code that is.
        sources = sorted(Path(folder).glob("*.py"))
        if sources:
            missing = path.name
            window.show_code_file(sources[0])
            window.show_message(
                f"The handler names {missing}, which is not there: showing {sources[0].name}"
            )
    return True


def edit_config(window: WindowPort, folder: Path, title: str) -> ConfigDialog:
    """Open function.toml in a dialog; when saved, the folder is opened and deployed."""
    dialog = ConfigDialog(folder, title, window.dialog_parent())
    dialog.setObjectName("functionTomlDialog")

    def saved() -> None:
        open_code(window, folder)
        window.show_message("Saved function.toml: the function is deployed with it")

    dialog.accepted.connect(saved)
    dialog.open()  # window-modal, without a nested event loop (qasync keeps running)
    return dialog


def solution_copy(lesson: Lesson, store: ProgressStore) -> Path:
    """A fresh copy of the lesson's solution (the learner's own code is never touched)."""
    folder = store.code_root / SOLUTIONS / lesson.id
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(
        lesson.solution_dir, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    store.open(lesson)  # the lesson counts as started all the same
    return folder


def is_solution_copy(folder: Path, store: ProgressStore) -> bool:
    """Whether a folder is one of the fresh solution copies a try-it loads."""
    return is_inside(Path(folder), store.code_root / SOLUTIONS)


def try_it_event(lesson: Lesson) -> str:
    """The text of the lesson's try-it event ("" when it names none)."""
    return lesson.event(lesson.try_it.event).text() if lesson.try_it.event else ""


def what_to_press(lesson: Lesson) -> str:
    """The one sentence that says what to do next, and what to watch."""
    watch = [PANE_NAMES[w] for w in lesson.try_it.watch if w in PANE_NAMES]
    tail = f", then watch {', '.join(watch)}" if watch else ""
    return f"The code is in the editor, the event beside it: press Invoke (Ctrl+Enter){tail}."


def try_it(
    reader: ReaderParts,
    lesson: Lesson,
    store: ProgressStore,
    code: str | None = None,
    event_text: str | None = None,
) -> Path:
    """Load the try-it code (the learner's copy of the starter, or the solution) and event."""
    code = code or lesson.try_it.code
    folder = solution_copy(lesson, store) if code == "solution" else store.open(lesson)
    window = reader.window
    open_code(window, folder, try_it_event(lesson) if event_text is None else event_text)
    if "billing" in lesson.try_it.watch:
        window.show_pane("billing")
    sentence = what_to_press(lesson)
    reader.pane.status.setText(sentence)
    window.show_message(f"Loaded “{lesson.title}”: {sentence}")
    return folder


def prepare_check(window: WindowPort, store: ProgressStore, lesson: Lesson) -> tuple[Path, str]:
    """(folder, function name) of the code the learner is looking at, its edits saved.

    The checks run on what the editor shows, under the function's own name, so their lanes
    and logs carry the name the learner sees; with nothing open, the lesson's folder.
    """
    config = window.controller.config
    if config is None:
        folder = store.open(lesson)
        return folder, folder.name
    if window.code_modified():
        window.save_code()
    # The checks deploy the folder as it is on disk; the app redeploys (with its trigger
    # variables) before its next invocation.
    window.controller.code_changed = True
    return config.code_dir, config.name


def show_solution(
    reader: ReaderParts, lesson: Lesson, store: ProgressStore
) -> SolutionDialog | None:
    """Warn, then show the solution beside a diff against the learner's code."""
    ok = reader.dialogs.confirm(
        reader.window.dialog_parent(),
        "Show the solution?",
        "Working it out yourself is how it sticks: try the hints first.\n\n"
        "The solution opens read-only; your code is not changed.",
        "Show solution",
    )
    if not ok:
        return None
    dialog = SolutionDialog(
        lesson.title,
        lesson.solution_dir,
        store.code_dir(lesson),
        reader.renderer.c,
        reader.window.dialog_parent(),
    )
    dialog.setObjectName("solutionDialog")
    dialog.show()
    reader.solution_dialog = dialog
    return dialog


def reset(reader: ReaderParts, lesson: Lesson, store: ProgressStore) -> bool:
    """After confirmation, put the starter back and forget the lesson's progress."""
    folder = store.code_dir(lesson)
    ok = reader.dialogs.confirm(
        reader.window.dialog_parent(),
        f"Reset “{lesson.title}”?",
        f"This deletes your code for this lesson in\n{folder}\n"
        "and puts the starter code back. Nothing of your code for this lesson is kept.\n\n"
        "Steps done, quiz answers, hints shown and check attempts are forgotten too.",
        "Reset lesson",
    )
    if not ok:
        return False
    window = reader.window
    path = window.code_path()
    showing = path is not None and is_inside(path.parent, folder)
    if showing and window.code_modified():
        window.save_code()  # clears the recovery copy, so the reopened starter is not "restored"
    store.reset(lesson)
    if showing or (window.controller.config and window.controller.config.code_dir == folder):
        open_code(window, folder)
    window.show_message(f"“{lesson.title}” is reset: the starter code is back")
    return True


def export_report(reader: ReaderParts, pack: LessonPack, store: ProgressStore) -> Path | None:
    """Ask where, then save the progress report (HTML for .html/.htm, else Markdown)."""
    suggested = Path.home() / "lambda-workbench-report.md"
    path = reader.dialogs.save_path(
        reader.window.dialog_parent(), "Export progress report", suggested
    )
    if path is None:
        return None
    fmt = "html" if path.suffix.lower() in (".html", ".htm") else "markdown"
    try:
        path.write_text(render_report(pack, store.progress, fmt), encoding="utf-8")
    except OSError as exc:
        reader.window.show_message(f"Could not save the report: {exc}")
        return None
    reader.window.show_message(f"Saved the progress report to {path}")
    return path
