"""Wires packages and runtimes into the window: Function-menu actions, view, runtime picker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.packages.tools import PackageTools, tools_for
from workbench.ui.packages.export import export_function, note, show_exported
from workbench.ui.packages.jobs import failure_text
from workbench.ui.packages.package_view import PackageView

if TYPE_CHECKING:
    from workbench.packages.sam import Export
    from workbench.ui.window_port import WindowPort


class PackageFeature(QObject):
    """The package view, image builds and SAM export, reached from the Function menu."""

    def __init__(self, window: WindowPort) -> None:
        super().__init__(window.dialog_parent())
        self.window = window
        self.tools: PackageTools | None = None
        self.view: PackageView | None = None
        self.last_export: QMessageBox | None = None
        menu = window.function_menu()
        menu.addSeparator()
        self.package_action = self._action(
            menu, "&Package…", "Build, inspect and deploy the function's .zip; edit its layers",
            self.show_package,
        )  # fmt: skip
        self.image_action = self._action(
            menu, "Build container &image…", "Build the folder's Dockerfile and deploy the image",
            self.build_image,
        )  # fmt: skip
        self.export_action = self._action(
            menu, "&Export to AWS (SAM)…", "Write a SAM template.yaml to deploy with `sam deploy`",
            self.choose_export,
        )  # fmt: skip
        window.controller.sig_config_changed.connect(self._config_changed)

    def _action(self, menu: QMenu, text: str, tip: str, slot) -> QAction:
        action = QAction(text, self.window.dialog_parent())
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        menu.addAction(action)
        return action

    # ----- the engine --------------------------------------------------------------------
    def attach(self, service: LambdaService) -> None:
        """The engine started: list its backend's runtimes unless app.py already gave tools."""
        if self.tools is None:
            self.set_tools(tools_for(getattr(service.backend, "name", "process")))

    def set_tools(self, tools: PackageTools) -> None:
        """Use these backend tools (from app.py) for runtimes and image builds."""
        self.tools = tools
        self.window.set_runtime_tools(tools)

    def deploy(self, config: FunctionConfig) -> str | None:
        """Deploy new code as the open function; why not, or None."""
        return self.window.controller.deploy_package(config)

    def _config_changed(self, config: FunctionConfig) -> None:
        self.image_action.setEnabled((config.code_dir / "Dockerfile").is_file())
        if self.view is not None and self.view.isVisible():
            self.view.refresh()

    # ----- actions -----------------------------------------------------------------------
    def show_package(self) -> PackageView:
        """Function → Package…: the non-modal package view on the open function."""
        if self.view is None:
            self.view = PackageView(
                lambda: self.window.controller.config,
                self.deploy,
                lambda: self.tools,
                self.window.dialog_parent(),
            )
            self.view.sig_message.connect(self.window.show_message)
        self.view.refresh()
        self.view.show()
        self.view.raise_()
        return self.view

    def build_image(self) -> None:
        """Function → Build container image: the package view, building the Dockerfile."""
        self.show_package().build_image()

    def choose_export(self) -> None:
        """Ask for a folder and export the function there as a SAM template."""
        folder = QFileDialog.getExistingDirectory(
            self.window.dialog_parent(), "Export to AWS SAM: choose a folder"
        )
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> Export | None:
        """Write folder/template.yaml (and saved test events) and show the deploy hint."""
        config = self.window.controller.config
        if config is None:
            self.window.show_message("No function is open to export")
            return None
        try:
            export = export_function(
                config, folder, self.window.saved_events(), self.window.trigger_specs()
            )
        except Exception as exc:  # an unpublished layer, an unwritable folder: say which
            self.window.show_message(f"Export failed: {failure_text(exc)}")
            self.last_export = note(
                self.window.dialog_parent(),
                "Export failed",
                "Nothing was exported",
                failure_text(exc),
                error=True,
            )
            return None
        self.window.show_message(f"Exported {config.name} to {export.template}")
        self.last_export = show_exported(self.window.dialog_parent(), export)
        return export
