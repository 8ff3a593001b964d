"""What the learner's actions do: open a function, save, invoke, apply settings.

Every invocation goes through the LambdaService: learner code never runs in this process.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from workbench import runtimes
from workbench.core.errors import InvokeError
from workbench.core.failed_invocations import STOPPED_ERROR_TYPE
from workbench.core.model import CONFIG_FILE_NAME, ConfigError, FunctionConfig, load_function
from workbench.core.outcomes import Served
from workbench.core.service import LambdaService
from workbench.ui.panes.editor_pane import EditorPane
from workbench.ui.panes.event_pane import EventPane
from workbench.ui.panes.result_pane import ResultPane
from workbench.ui.panes.settings_pane import SettingsPane
from workbench.ui.widgets.log_view import stack_location
from workbench.workspace import provisioned_alias
from workbench.workspace.function_file import sync_function_toml

TASK_ROOT = "/var/task/"  # where the code lives inside a container


def handler_module_path(config: FunctionConfig) -> Path:
    """The file the editor opens, as the runtime's family says: lambda_function.py for
    lambda_function.lambda_handler, index.mjs (or .js) for Node.js, a custom runtime's bootstrap.
    An image function's folder holds its handler the same way."""
    return runtimes.editor_file(config)


def error_frames(payload: bytes) -> list[tuple[str, int]]:
    """(path, line) of every frame in an error response's stackTrace, outermost first."""
    try:
        body = json.loads(payload)
    except ValueError:
        return []
    frames = body.get("stackTrace") if isinstance(body, dict) else None
    if not isinstance(frames, list):
        return []
    found = [stack_location(str(frame)) for frame in frames]
    return [frame for frame in found if frame]


class Controller(QObject):
    """Carries out the learner's actions against the service and shows the outcome."""

    sig_message = Signal(str)
    """A short status-bar message."""

    sig_config_changed = Signal(object)
    """The open function's FunctionConfig changed (opened or applied)."""

    sig_attached = Signal(object)
    """A started LambdaService is in use from now on."""

    def __init__(
        self,
        editor: EditorPane,
        event: EventPane,
        result: ResultPane,
        settings: SettingsPane,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor, self.event, self.result, self.settings = editor, event, result, settings
        self.service: LambdaService | None = None
        self.config: FunctionConfig | None = None
        # Saved code reaches environments only through a deploy, as on AWS: warm environments
        # keep the code they started with.
        self.code_changed = False
        self.qualifier: str | None = None  # alias live while provisioned concurrency is set
        # Variables a trigger needs in every deploy (a bucket's AWS_ENDPOINT_URL_S3).
        self.extra_environment: dict[str, str] = {}
        editor.sig_saved.connect(self._on_saved)

    # ----- function --------------------------------------------------------------------
    def open_function(self, folder: Path) -> bool:
        """Load a function folder into the editor and the settings form."""
        try:
            config = load_function(Path(folder))
        except ConfigError as exc:
            self.result.show_message(f"✗ Cannot open {folder}", str(exc))
            return False
        self._use_config(config)
        return True

    def attach(self, service: LambdaService) -> None:
        """Use this (started) service from now on and deploy the open function to it."""
        self.service = service
        self.sig_attached.emit(service)
        account = service.gate.account
        self.settings.set_account_limit(account.limit, account.origin)
        try:
            self._deploy()
        except ConfigError as exc:  # e.g. function.toml reserves more than this machine has
            self.settings.show_deploy_error(exc)
            self.result.show_message("✗ Could not deploy the function", str(exc))
            return
        self.event.set_ready(True)

    def _on_saved(self) -> None:
        self.code_changed = True

    def _deploy(self) -> None:
        if self.service is not None and self.config is not None:
            note = self._deploy_config(self.config)
            if note:
                self.sig_message.emit(note)

    def _deploy_config(self, config: FunctionConfig) -> str:
        """$LATEST, then alias live when provisioned concurrency is asked for (AWS refuses it
        on $LATEST); what happened to live, in words. ConfigError when either is refused."""
        assert self.service is not None
        self.service.deploy(self._with_extras(provisioned_alias.for_latest(config)))
        try:
            live = provisioned_alias.sync(self.service, self._with_extras(config))
        except InvokeError as exc:
            raise ConfigError("provisioned concurrency", exc.message) from exc
        self.qualifier = live.qualifier
        self.code_changed = False
        return live.message

    def _with_extras(self, config: FunctionConfig) -> FunctionConfig:
        if not self.extra_environment:
            return config
        return config.with_changes(environment={**config.environment, **self.extra_environment})

    def ready_function(self) -> tuple[LambdaService, FunctionConfig] | str:
        """(service, config) with the code saved and deployed, or why there is none."""
        if self.config is None or self.service is None:
            return "no function is open" if self.config is None else "the engine is starting"
        if self.editor.modified and not self.editor.save():
            return "the code could not be saved"
        if self.code_changed:
            self._deploy()
        return self.service, self.config

    def apply_settings(self, config: FunctionConfig) -> bool:
        """Redeploy with new settings (retires the function's environments, as AWS does).

        A setting the service refuses (a reservation the account cannot give) is shown
        under its field and the deployed settings stay as they were.
        """
        note = ""
        if self.service is not None:
            try:
                note = self._deploy_config(config)
            except ConfigError as exc:
                self.settings.show_deploy_error(exc)
                self.sig_message.emit(f"Not deployed: {exc}")
                return False
        old_module = handler_module_path(self.config) if self.config else None
        if handler_module_path(config) != old_module and self.editor.modified:
            self.editor.save()
        self._use_config(config, reopen=handler_module_path(config) != old_module)
        self.sig_message.emit(
            f"Deployed {config.name}: {config.memory_mb} MB, {config.timeout_s} s timeout. "
            f"Its environments were retired; the next invoke starts cold.{self._save(config)}"
            + (f" {note}" if note else "")
        )
        return True

    def _save(self, config: FunctionConfig) -> str:
        """Write applied settings to the folder's function.toml, so nothing is lost on restart."""
        try:
            written = sync_function_toml(config)
        except OSError as exc:
            return f" Could not save them to {CONFIG_FILE_NAME}: {exc}"
        return f" Saved {', '.join(written)} to {CONFIG_FILE_NAME}." if written else ""

    def deploy_package(self, config: FunctionConfig) -> str | None:
        """Deploy new code (a .zip, an image, layers) as the open function; why not, or None."""
        if self.service is None:
            return "the engine is still starting: try again in a moment"
        try:
            self.service.deploy(config)
        except Exception as exc:  # shown to the learner by the package view
            return str(exc)
        self.code_changed = False
        reopen = self.config is None or handler_module_path(config) != handler_module_path(
            self.config
        )
        if reopen and self.editor.modified:
            self.editor.save()
        self._use_config(config, reopen=reopen)
        return None

    def _use_config(self, config: FunctionConfig, *, reopen: bool = True) -> None:
        self.config = config
        if reopen:
            self.editor.open_file(handler_module_path(config))
        self.settings.set_config(config)
        self.event.set_function(config.name)
        self.sig_config_changed.emit(config)

    # ----- invoking ----------------------------------------------------------------------
    async def invoke(
        self, payload: bytes, times: int = 1, at_once: bool = False, asynchronous: bool = False
    ) -> None:
        """Save the code, then invoke `times` times, in a row or at once, sync or async."""
        if self.config is None:
            self.result.show_message("✗ No function is open", "Open a function folder first.")
            return
        if self.service is None:
            self.result.show_message("The engine is still starting", "Try again in a moment.")
            return
        if self.editor.modified and not self.editor.save():
            self.result.show_message("✗ Could not save the code", "See the status bar.")
            return
        if self.code_changed:
            self._deploy()
            self.sig_message.emit("Code changed: deployed. New environments start cold.")
        self.editor.editor.clear_error_mark()
        self.event.set_busy(True)
        self.result.show_running(times)
        try:
            if asynchronous:
                await self._queue_events(payload, times)
            elif at_once:
                await self._invoke_at_once(payload, times)
            else:
                await self._invoke_in_a_row(payload, times)
        finally:
            self.event.set_busy(False)

    async def _invoke_in_a_row(self, payload: bytes, times: int) -> None:
        for number in range(1, times + 1):
            outcome = await self._invoke_once(payload)
            if not self._show(outcome, f"{number} of {times}" if times > 1 else ""):
                return
            if isinstance(outcome, Served) and outcome.report.error_type == STOPPED_ERROR_TYPE:
                return  # the learner pressed Stop: the rest of the run does not start

    async def _invoke_at_once(self, payload: bytes, times: int) -> None:
        outcomes = await asyncio.gather(*(self._invoke_once(payload) for _ in range(times)))
        failed = [o for o in outcomes if not isinstance(o, Served) or o.function_error]
        shown = failed[-1] if failed else outcomes[-1]
        self._show(shown, f"{times - len(failed)} of {times} succeeded" if times > 1 else "")

    async def _queue_events(self, payload: bytes, times: int) -> None:
        """Invoke asynchronously: Lambda answers 202 at once and runs the events from its queue."""
        assert self.service is not None and self.config is not None
        request_ids = []
        try:
            for _ in range(times):
                request_ids.append(
                    await self.service.invoke_event(
                        self.config.name, payload, qualifier=self.qualifier
                    )
                )
        except InvokeError as exc:
            self.result.show_invoke_error(exc)
            return
        noun = "event" if times == 1 else f"{times} events"
        self.result.show_message(
            f"✓ Queued {noun} (HTTP 202): no response comes back from an asynchronous invoke",
            "Lambda runs queued events from its internal queue and retries failures twice.\n"
            "Watch the timeline and the logs; click an invocation to see its lines.\n\n"
            "Request ids:\n" + "\n".join(request_ids),
            "ok",
        )

    async def _invoke_once(self, payload: bytes) -> Served | BaseException:
        assert self.service is not None and self.config is not None
        try:
            return await self.service.invoke(self.config.name, payload, qualifier=self.qualifier)
        except Exception as exc:  # shown to the learner, never lost
            return exc

    def _show(self, outcome: Served | BaseException, note: str) -> bool:
        """Show an outcome; returns False when a run of invocations should stop."""
        if isinstance(outcome, Served):
            self.result.show_result(outcome, note)
            if outcome.function_error:
                self.mark_error(outcome.payload)
            return True
        if isinstance(outcome, InvokeError):
            self.result.show_invoke_error(outcome)
        else:
            detail = "".join(traceback.format_exception(outcome))
            self.result.show_message(f"✗ Unexpected error: {outcome!r}", detail)
        return False

    # ----- the memory sweep ----------------------------------------------------------------
    def prepare_sweep(self) -> tuple[LambdaService, str, bytes] | str:
        """(service, function, event) for a memory sweep, saving and deploying code first."""
        if self.config is None:
            return "no function is open"
        if self.service is None:
            return "the engine is still starting"
        if not self.event.validate():
            return "the event is not valid JSON"
        if self.editor.modified and not self.editor.save():
            return "the code could not be saved"
        if self.code_changed:
            self._deploy()
        return self.service, self.config.name, self.event.payload

    def set_sweeping(self, running: bool) -> None:
        """While a sweep runs, no other invocation or redeploy may start."""
        self.event.set_busy(running, "Sweeping…")
        self.settings.setEnabled(not running)

    # ----- errors in the code ------------------------------------------------------------
    def mark_error(self, payload: bytes) -> int:
        """Mark the deepest stack frame in the open file; returns its line, 0 if none."""
        for path, line in reversed(error_frames(payload)):
            if self.is_open_file(path):
                self.editor.mark_error_line(line)
                return line
        return 0

    def go_to_source(self, path: str, line: int) -> None:
        """Follow a clicked traceback line to the editor when it is in the open file."""
        if self.is_open_file(path):
            self.editor.mark_error_line(line, focus=True)
        else:
            self.sig_message.emit(f"{path} is not open in the editor")

    def is_open_file(self, path: str) -> bool:
        """Whether a traceback path (local, or /var/task/… in a container) is the open file."""
        if self.editor.path is None or self.config is None:
            return False
        if path.startswith(TASK_ROOT):
            try:
                relative = self.editor.path.resolve().relative_to(self.config.code_dir)
            except ValueError:
                return False
            return path[len(TASK_ROOT) :] == relative.as_posix()
        return Path(path).resolve() == self.editor.path.resolve()
