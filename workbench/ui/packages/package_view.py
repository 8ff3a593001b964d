"""The package view: build or import a .zip, see its files and sizes, deploy it, edit layers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from workbench.core.model import FunctionConfig
from workbench.packages.archive import data_dir
from workbench.packages.code_update import code_update
from workbench.packages.tools import PackageTools
from workbench.packages.zips import (
    PackageInfo,
    build_zip,
    check_function,
    import_zip,
    inspect_zip,
)
from workbench.ui.packages.package_window import ConfigSource, Deploy, PackageWindow


class PackageView(PackageWindow):
    """Non-modal window on the open function's deployment package (Function → Package…)."""

    def __init__(
        self, config: ConfigSource, deploy: Deploy, tools: Callable[[], PackageTools | None],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(config, deploy, tools, parent)
        for button, slot in (
            (self.build_button, self.build),
            (self.wheels_button, self.choose_wheels),
            (self.import_button, self.choose_zip),
            (self.deploy_button, self.deploy_package),
            (self.image_button, self.build_image),
        ):
            button.clicked.connect(lambda *_, slot=slot: slot())
        self.layers.sig_layers_changed.connect(self.set_layers)

    # ----- actions -----------------------------------------------------------------------
    def build(self) -> None:
        """Zip the folder on a thread (pip's output streams into the log), then show it."""
        config = self.config()
        if config is None:
            return
        wheels = Path(self.wheels.text().strip()) if self.wheels.text().strip() else None
        out = data_dir("builds") / f"{config.name}.zip"
        self.log.clear()
        self.say(f"Building {config.code_dir} into {out.name}…")
        self._run(
            "build",
            lambda progress: build_zip(config.code_dir, out, wheels=wheels, progress=progress),
            self._built,
            self._build_failed,
        )

    def _build_failed(self, text: str) -> None:
        # deps.py words its advice for the command line; here the same advice is a button.
        text = text.replace("pass --wheels DIR with the wheels", "choose a folder of wheels")
        self.say(f"✗ Not built: {text}", True)

    def _built(self, info: PackageInfo) -> None:
        self.show_package(info)
        self.say(f"✓ Built {info.path.name}: {len(info.entries)} files, within Lambda's limits.")

    def choose_wheels(self) -> None:
        """Ask for a folder of wheels (pip then installs from it only, no index needed)."""
        folder = QFileDialog.getExistingDirectory(self, "Folder of wheels for requirements.txt")
        if folder:
            self.wheels.setText(folder)

    def choose_zip(self) -> None:
        """Ask for a .zip and show it."""
        path, _ = QFileDialog.getOpenFileName(self, "Import a .zip package", "", "Zip (*.zip)")
        if path:
            self.load_zip(Path(path))

    def load_zip(self, path: Path) -> None:
        """Inspect a .zip on a thread (zip-slip paths refused) and show it, ready to deploy."""
        self.say(f"Reading {path}…")
        self._run("inspect", lambda _p: inspect_zip(path), self._loaded, "Cannot import")

    def _loaded(self, info: PackageInfo) -> None:
        self.show_package(info)
        self.say(f"Imported {info.path.name}: press Deploy this .zip to run it.")

    def deploy_package(self) -> None:
        """Extract the shown .zip (limits checked) on a thread, then deploy it as the function."""
        config, info = self.config(), self.info
        if config is None or info is None:
            return
        overrides = code_update(config, {entry.name for entry in info.entries})
        self._run(
            "import",
            lambda _p: import_zip(info.path, **overrides),
            lambda new: self._deploy_config(new, info.path.name),
            "Not deployed",
        )

    def build_image(self) -> None:
        """Build the folder's Dockerfile on a thread (Docker's output streams in), then deploy."""
        config, tools = self.config(), self._tools()
        if config is None:
            return
        if tools is None or tools.build_function_image is None:
            why = tools.docker_missing if tools else "the engine is still starting"
            self.say(f"✗ Cannot build an image: {why}", True)
            return
        builder = tools.build_function_image
        self.log.clear()
        self._run(
            "image",
            lambda progress: builder(config.code_dir, progress),
            lambda new: self._deploy_config(new, f"the image {new.image}"),
            "Image not built",
        )

    def set_layers(self, refs: tuple[str, ...]) -> None:
        """Deploy the function with a new list of layers (at most 5, 250 MB with the code)."""
        config = self.config()
        if config is None:
            return
        try:
            candidate = config.with_changes(layers=tuple(refs))
        except ValueError as exc:  # more than 5 layers, or a malformed reference
            self.say(f"✗ {exc}", True)
            return

        def check(_progress: object) -> FunctionConfig:
            check_function(candidate)  # walks the folder: off the Qt thread
            return candidate

        self._run("layers", check, lambda new: self._deploy_config(new, "the layers"), "Refused")

    def _deploy_config(self, config: FunctionConfig, what: str) -> None:
        before = self.config()
        problem = self._deploy(config)
        if problem:
            self.say(f"✗ Not deployed: {problem}", True)
            return
        self.refresh()
        # An imported package runs from its extracted copy: edits to the old folder won't reach it.
        moved = before is not None and before.code_dir != config.code_dir and not config.image
        where = f" The code now runs from {config.code_dir}." if moved else ""
        self.say(
            f"✓ Deployed {what} to {config.name}: its environments were replaced, "
            f"so the next invoke starts cold.{where}"
        )
