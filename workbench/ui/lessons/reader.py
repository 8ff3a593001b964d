"""The lesson reader: which pack, lesson and page are shown, and what the pane's buttons do."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog

from workbench.core.service import LambdaService
from workbench.lesson_html.pages import (
    Page,
    checked_html,
    exercise_extras,
    page_html,
    pages_of,
    watch_html,
)
from workbench.lesson_html.render import MarkdownRenderer
from workbench.lessons import ExerciseResult, Lesson, LessonPack, ProgressStore, grade, load_pack
from workbench.lessons.actions import is_action_link
from workbench.lessons.workshop import Visibility, solution_visibility
from workbench.paths import LESSONS_DIR
from workbench.ui.lessons import exercise
from workbench.ui.lessons.actions_runner import ActionRunner
from workbench.ui.lessons.dialogs import Dialogs
from workbench.ui.lessons.lesson_pane import LessonPane
from workbench.ui.tasks import spawn
from workbench.workspace.exercise_checks import CheckRun, pack_key, record, run_checks, store_for
from workbench.workspace.function_file import is_inside

if TYPE_CHECKING:
    from workbench.ui.window_port import WindowPort


class LessonReader(QObject):
    """Drives the lesson pane: packs, lessons, pages, quiz answers, hints, checks, reports."""

    sig_progress_changed = Signal(str)
    """A lesson's progress changed (its id)."""

    def __init__(
        self,
        pane: LessonPane,
        window: WindowPort,
        data_dir: Path,
        settings: QSettings,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(pane)
        self.pane, self.window, self.settings = pane, window, settings
        self.data_dir = Path(data_dir)
        self.dialogs = dialogs or Dialogs()
        self.renderer = MarkdownRenderer(pane.dark)
        self.pack: LessonPack | None = None
        self.store: ProgressStore | None = None
        self.lesson: Lesson | None = None
        self.pages: list[Page] = []
        self.page_index = 0
        self.runs: dict[str, CheckRun] = {}
        self.solution_dialog: QDialog | None = None
        self.actions = ActionRunner(self)
        self._connect()

    def _connect(self) -> None:
        p = self.pane
        p.navigator.sig_lesson_chosen.connect(self.show_lesson)
        p.step_combo.currentIndexChanged.connect(self.go)
        p.prev_button.clicked.connect(lambda: self.go(self.page_index - 1))
        p.next_button.clicked.connect(lambda: self.go(self.page_index + 1))
        p.try_button.clicked.connect(self.try_it)
        p.open_code_button.clicked.connect(self.open_my_code)
        p.check_button.clicked.connect(self.start_check)
        p.hint_button.clicked.connect(self.reveal_hint)
        p.solution_button.clicked.connect(self.show_solution)
        p.config_button.clicked.connect(self.edit_config)
        p.reset_button.clicked.connect(self.reset_lesson)
        p.export_button.clicked.connect(self.export_report)
        p.course_button.clicked.connect(lambda: self.open_pack(LESSONS_DIR))
        p.quiz.sig_answer.connect(self.answer)
        p.browser.anchorClicked.connect(self.follow_link)
        p.sig_palette_changed.connect(self._palette_changed)

    # ----- packs -----------------------------------------------------------------------------
    def open_pack(self, folder: Path = LESSONS_DIR, *, load_workspace: bool = True) -> LessonPack:
        """Show a folder of lessons, its problems listed; progress resumes where it was."""
        folder = Path(folder)
        pack = load_pack(folder)
        key = pack_key(folder)
        self.pack, self.store, self._key = pack, store_for(key, self.data_dir), key
        self.settings.setValue("lessons/pack", "" if key == "course" else str(folder.resolve()))
        self.pane.pack_label.setText(pack.title)
        self.pane.course_button.setVisible(key != "course")
        self.pane.set_problems(pack.problems, pack.folder)
        progress = {lesson.id: self.store.of(lesson) for lesson in pack.lessons}
        self.pane.navigator.set_lessons(pack.lessons, progress)
        ids = [lesson.id for lesson in pack.lessons]
        current = str(self.settings.value(f"lessons/{key}/current", "") or "")
        current = current if current in ids else (self.store.progress.current or "")
        if ids:
            self.show_lesson(current if current in ids else ids[0], load_workspace=load_workspace)
        else:
            self.lesson, self.pages = None, []
            self.pane.lesson_title.setText("No lesson in this folder could be loaded.")
            self.pane.show_html("")
            self.pane.set_actions("read")
        if pack.problems:
            self.window.show_message(f"The pack in {folder} has problems: see the Lessons pane")
        return pack

    def choose_pack(self) -> None:
        """File → Open lesson pack…: ask for a folder and show its lessons."""
        folder = self.dialogs.folder(self.window.dialog_parent(), "Open a lesson pack")
        if folder is not None:
            self.open_pack(folder)

    def resume(self, *, load_workspace: bool = False) -> None:
        """Open the pack, lesson and page that were open last time (lesson 1 the first time);
        with load_workspace, also its function and event as the learner left them."""
        saved = str(self.settings.value("lessons/pack", "") or "")
        folder = Path(saved) if saved and Path(saved).is_dir() else LESSONS_DIR
        self.open_pack(folder, load_workspace=load_workspace)

    # ----- lessons and pages -----------------------------------------------------------------
    def show_lesson(
        self, lesson_id: str, page_id: str | None = None, *, load_workspace: bool = True
    ) -> None:
        """Show a lesson at page_id, else at the page the learner was on; load_workspace puts
        its code, event and settings in front of the learner (what they had, else the try-it)."""
        assert self.pack is not None
        changing = self.lesson is not None and self.lesson.id != lesson_id
        if changing:
            self.remember_workspace()
        self.lesson = self.pack.lesson(lesson_id)
        self.settings.setValue(f"lessons/{self._key}/current", lesson_id)
        self.pages = pages_of(self.lesson)
        wanted = page_id or str(self.settings.value(self._page_key(), "") or "")
        ids = [page.id for page in self.pages]
        self.page_index = ids.index(wanted) if wanted in ids else 0
        self.pane.navigator.select(lesson_id)
        self.pane.lesson_title.setText(f"<b>{self.lesson.order}. {self.lesson.title}</b>")
        self.pane.status.clear()
        self.render(top=True)
        if load_workspace:
            self.load_workspace()

    # ----- the workspace the lesson drives -----------------------------------------------------
    def _workspace_key(self, what: str) -> str:
        assert self.lesson is not None
        return f"lessons/{self._key}/{self.lesson.id}/{what}"

    def load_workspace(self) -> Path | None:
        """Put the lesson's function in front of the learner: the folder and event they had
        (when it is this lesson's), else the try-it code and event; the exercise page always
        shows the learner's own code, never a solution copy."""
        assert self.lesson is not None and self.store is not None
        lesson, store = self.lesson, self.store
        saved = str(self.settings.value(self._workspace_key("folder"), "") or "")
        event = self.settings.value(self._workspace_key("event"), None)
        event_text = str(event) if event else None
        folder = Path(saved) if saved else None
        usable = folder is not None and folder.is_dir() and is_inside(folder, store.code_root)
        if usable and self.page.kind == "exercise" and exercise.is_solution_copy(folder, store):
            usable = False
        if usable and folder is not None:
            exercise.open_code(self.window, folder, event_text or exercise.try_it_event(lesson))
            self.pane.status.setText(exercise.what_to_press(lesson))
            return folder
        code = "starter" if self.page.kind == "exercise" else None
        return exercise.try_it(self, lesson, store, code=code, event_text=event_text)

    def remember_workspace(self) -> None:
        """Keep the lesson's function folder and event text for when it is opened again."""
        if self.lesson is None or self.store is None:
            return
        config = self.window.controller.config
        if config is None or not is_inside(config.code_dir, self.store.code_root):
            return  # another function is open: the lesson keeps what it had
        self.settings.setValue(self._workspace_key("folder"), str(config.code_dir))
        self.settings.setValue(self._workspace_key("event"), self.window.event_text())

    def go(self, index: int) -> None:
        """Show page `index` of the lesson; reading a page to its end counts it as done."""
        if self.lesson is None or not 0 <= index < len(self.pages) or index == self.page_index:
            return
        leaving = self.pages[self.page_index]
        if leaving.kind == "read" and index > self.page_index:
            self._mark(leaving.id)
        self.page_index = index
        self.render(top=True)
        config = self.window.controller.config
        if (
            self.page.kind == "exercise"
            and self.store is not None
            and config is not None
            and exercise.is_solution_copy(config.code_dir, self.store)
        ):
            self.open_my_code()  # the exercise is about the learner's code, not the solution

    @property
    def page(self) -> Page:
        """The page shown now."""
        return self.pages[self.page_index]

    def render(self, *, top: bool = False, anchor: str = "") -> None:
        """Show the current page: its text with extras, or the quiz."""
        if self.lesson is None or self.store is None:
            return
        lesson, page, progress = self.lesson, self.page, self.store.of(self.lesson)
        self.settings.setValue(self._page_key(), page.id)
        self.pane.set_pages(self.pages, self.page_index)
        self.pane.set_actions(page.kind, progress.hints_shown, len(lesson.hints))
        run = self.runs.get(lesson.id)
        self.pane.set_checking(run is not None and run.running)
        if page.kind == "quiz":
            verdicts = {q: grade(lesson.quiz[q], c) for q, c in progress.quiz.items()}
            self.pane.quiz.set_quiz(lesson.quiz, progress.quiz, verdicts, self.renderer.c)
            self.pane.show_quiz()
            return
        extras = ""
        if page.kind == "try_it":
            extras = watch_html(lesson.try_it.watch, self.renderer.c)
        elif page.kind == "exercise":
            results = run.results if run else None
            extras = exercise_extras(
                self.renderer,
                lesson,
                progress,
                results,
                run.outcome if run else None,
                bool(run and run.running),
            )
            if run is not None:
                extras = checked_html(run.function, run.folder, self.renderer.c) + extras
        html = page_html(self.renderer, lesson, page, self.page_index == 0, extras)
        if top:
            self.pane.browser.clear()
        self.pane.show_html(html, anchor)

    def _page_key(self) -> str:
        assert self.lesson is not None
        return f"lessons/{self._key}/{self.lesson.id}/page"

    def _mark(self, step_id: str) -> None:
        assert self.lesson is not None and self.store is not None
        if step_id in [step.id for step in self.lesson.steps]:
            self.store.mark_step(self.lesson, step_id)
            self._progress_changed(self.lesson)

    def _progress_changed(self, lesson: Lesson) -> None:
        assert self.store is not None
        self.pane.navigator.update_progress(lesson, self.store.of(lesson))
        self.sig_progress_changed.emit(lesson.id)

    # ----- the buttons -----------------------------------------------------------------------
    def try_it(self, code: str | None = None) -> None:
        """Load the try-it code (or `code`: starter, solution) and its event; say what to watch."""
        assert self.lesson is not None and self.store is not None
        if (
            code or self.lesson.try_it.code
        ) == "solution" and not self.solution_visibility().visible:
            code = "starter"  # the workshop hides solutions: the learner's own copy instead
        exercise.try_it(self, self.lesson, self.store, code=code)
        if self.page.kind == "try_it":
            self._mark(self.page.id)

    def open_my_code(self) -> None:
        """Open the learner's code for this lesson in the editor."""
        assert self.lesson is not None and self.store is not None
        exercise.open_code(self.window, self.store.open(self.lesson))
        self._progress_changed(self.lesson)

    def edit_config(self) -> None:
        """Edit the lesson folder's function.toml; once saved, open and deploy the folder."""
        assert self.lesson is not None and self.store is not None
        exercise.edit_config(self.window, self.store.open(self.lesson), self.lesson.title)
        self._progress_changed(self.lesson)

    def start_check(self) -> asyncio.Task[ExerciseResult] | None:
        """Check my work: the button is disabled at once, the checks run in the background."""
        begun = self._begin_check()
        return None if begun is None else spawn(self._finish_check(*begun))

    async def check(self) -> ExerciseResult | None:
        """Run the checks on the learner's folder and wait for the outcome."""
        begun = self._begin_check()
        return None if begun is None else await self._finish_check(*begun)

    def _begin_check(self) -> tuple[Lesson, LambdaService, Path, CheckRun] | None:
        assert self.lesson is not None and self.store is not None
        lesson, service = self.lesson, self.window.service
        if service is None:
            self.window.show_message("The engine is still starting: check again in a moment")
            return None
        if lesson.id in self.runs and self.runs[lesson.id].running:
            return None
        code_dir, function = exercise.prepare_check(self.window, self.store, lesson)
        run = self.runs[lesson.id] = CheckRun(function, code_dir)
        self.pane.status.setText(f"Checking “{function}”, the code in the editor…")
        self.pane.status.setToolTip(f"The checks run on {code_dir}")
        self._render_if_showing(lesson, anchor="checks")
        return lesson, service, code_dir, run

    async def _finish_check(
        self, lesson: Lesson, service: LambdaService, code_dir: Path, run: CheckRun
    ) -> ExerciseResult:
        def update() -> None:
            self._render_if_showing(lesson, anchor="checks")

        outcome = await run_checks(lesson, code_dir, service, run, update, name=run.function)
        assert self.store is not None
        record(self.store, lesson, outcome)
        self._progress_changed(lesson)
        update()
        said = f"Checked “{run.function}”: {outcome.summary()}"
        self.pane.status.setText(said)
        self.window.show_message(f"{lesson.title}: {said}")
        return outcome

    def _render_if_showing(self, lesson: Lesson, anchor: str = "") -> None:
        if self.lesson is not None and self.lesson.id == lesson.id:
            self.render(anchor=anchor if self.page.kind == "exercise" else "")

    def reveal_hint(self) -> str | None:
        """Show the next hint (and count it as shown)."""
        assert self.lesson is not None and self.store is not None
        hint = self.store.reveal_hint(self.lesson)
        self._progress_changed(self.lesson)
        self.render(anchor="hints")
        return hint

    def solution_visibility(self) -> Visibility:
        """Whether the pack's workshop setting lets this learner see the solution now."""
        assert self.pack is not None and self.lesson is not None and self.store is not None
        return solution_visibility(self.pack, self.lesson, self.store)

    def show_solution(self) -> None:
        """After a warning, show the reference solution and a diff against the learner's code
        (once the instructor's setting allows it: after a pass, or after an unlock)."""
        assert self.lesson is not None and self.store is not None
        allowed = self.solution_visibility()
        if not allowed.visible:
            self.pane.status.setText(f"The solution is hidden: {allowed.reason}.")
            self.window.show_message(f"Solution hidden: {allowed.reason}")
            return
        exercise.show_solution(self, self.lesson, self.store)

    def answer(self, question: int, chosen: tuple[int, ...]) -> None:
        """Grade a quiz answer, save it, and show why each choice is right or wrong."""
        assert self.lesson is not None and self.store is not None
        verdict = self.store.answer(self.lesson, question, chosen)
        self.pane.quiz.show_feedback(question, verdict, self.renderer.c)
        self._progress_changed(self.lesson)

    def reset_lesson(self) -> bool:
        """After confirmation, put the starter back and forget the lesson's progress."""
        assert self.lesson is not None and self.store is not None
        if not exercise.reset(self, self.lesson, self.store):
            return False
        self.runs.pop(self.lesson.id, None)
        self._progress_changed(self.lesson)
        self.render()
        return True

    def export_report(self) -> Path | None:
        """Save the progress report where the learner chooses (Markdown or HTML)."""
        assert self.pack is not None and self.store is not None
        return exercise.export_report(self, self.pack, self.store)

    def follow_link(self, url: QUrl) -> None:
        """A link in the page: run an action button, open a web page, or scroll to an anchor."""
        href = url.toEncoded().data().decode()
        if is_action_link(href):
            self.actions.run(href)
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment():
            self.pane.browser.scrollToAnchor(url.fragment())

    # ----- reacting to the window ------------------------------------------------------------
    def _palette_changed(self) -> None:
        self.renderer.set_dark(self.pane.dark)
        self.render()
