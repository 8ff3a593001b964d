"""The runtime picker, the package view, layers and SAM export, driven like a learner would."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import yaml
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit
from ui_helpers import run

from tests.support.mini_wheel import write_wheel
from workbench.core.model import FunctionConfig, load_function
from workbench.packages.layers import publish_layer
from workbench.packages.tools import PackageTools, tools_for
from workbench.paths import SAMPLES_DIR
from workbench.runtimes import CATALOGUE, Offer
from workbench.ui.packages.runtime_picker import NAME_ROLE

LIMIT_S = 60_000  # ms: zipping 51 MB of random bytes takes a few seconds on a slow machine
HANDLER = "def lambda_handler(event, context):\n    return {'from': 'the zip'}\n"


def listed(combo: QComboBox) -> list[str]:
    return [combo.itemData(i, NAME_ROLE) for i in range(combo.count())]


def settings_tab(window):
    window.side_tabs.setCurrentWidget(window.settings_pane)
    return window.settings_pane


def open_view(window, qtbot):
    view = window.packages.show_package()
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    return view


def build(view, qtbot) -> None:
    view.info = None
    view.build()
    qtbot.waitUntil(lambda: not view._running, timeout=LIMIT_S)


def test_runtime_picker_lists_three_families_and_node_takes_its_handler(window, qtbot):
    """On the process backend the picker offers Python, Node.js and provided; Node's handler."""
    pane = settings_tab(window)
    window.packages.set_tools(tools_for("process"))
    picker = pane.runtime
    qtbot.waitUntil(lambda: picker.offer("provided.al2023") is not None)
    names = listed(picker.combo)
    assert "python3.11" in names and "provided.al2023" in names
    node = next(name for name in names if name.startswith("nodejs"))
    assert "JavaScript" in picker.combo.itemData(names.index(node), NAME_ROLE + 1)
    picker.combo.setCurrentIndex(names.index(node))
    assert pane.handler.text() == "index.handler"
    # hello has no index.js: flagged beside the field, Apply still allowed (AWS deploys it too)
    assert "index.js" in pane.errors["runtime"].text()
    assert not pane.errors["runtime"].isHidden()
    pane.handler.setText("app.main")
    picker.combo.setCurrentIndex(names.index("python3.11"))
    assert pane.handler.text() == "app.main"  # a handler the learner chose is kept


def test_runtime_picker_open_screenshot(window, qtbot, screenshots):
    """The picker open, each runtime on two lines (checked by eye)."""
    pane = settings_tab(window)
    window.packages.set_tools(tools_for("process"))
    qtbot.waitUntil(lambda: pane.runtime.offer("provided.al2023") is not None)
    combo = pane.runtime.combo
    combo.showPopup()
    popup = combo.view().window()
    qtbot.waitExposed(popup)
    # The offscreen screen is small, so Qt squeezes the popup; draw it where a desktop puts it:
    # under the combo, as wide as its widest entry.
    popup.resize(max(combo.width(), popup.width()), popup.height())
    qtbot.wait(50)
    tabs = window.side_tabs
    at = combo.mapTo(tabs, QPoint(0, combo.height()))
    area = QRect(QPoint(0, 0), tabs.size()).united(QRect(at, popup.size()))
    shot = QPixmap(area.size() + QSize(8, 8))
    shot.fill(tabs.palette().color(QPalette.ColorRole.Window))
    painter = QPainter(shot)
    painter.drawPixmap(0, 0, tabs.grab())
    painter.drawPixmap(at, popup.grab())
    painter.end()
    combo.hidePopup()
    assert shot.save(str(screenshots / "runtime_picker_open.png"))


def test_missing_runtime_image_is_built_with_progress(window, qtbot, screenshots):
    """A runtime whose image is missing refuses Apply until "Build image" streams a build."""
    built: list[str] = []

    def offers() -> list[Offer]:
        node = CATALOGUE["nodejs20.x"]
        note = "build its image first: lambda-workbench image build --runtime nodejs20.x"
        return [
            Offer(CATALOGUE["python3.11"], True),
            Offer(node, bool(built), "" if built else note),
        ]

    def build_image(name: str, progress) -> str:
        for step in (
            "Step 1/3 : FROM debian:bookworm-slim",
            "Step 2/3 : RUN apt-get install nodejs",
        ):
            progress(step)
        built.append(name)
        return "lambda-workbench/nodejs:20"

    pane = settings_tab(window)
    window.packages.set_tools(PackageTools("docker", offers, build_runtime_image=build_image))
    picker = pane.runtime
    qtbot.waitUntil(lambda: picker.offer("nodejs20.x") is not None)
    picker.combo.setCurrentIndex(listed(picker.combo).index("nodejs20.x"))
    assert "image is not built yet" in pane.errors["runtime"].text()
    assert not pane.apply_button.isEnabled()
    assert picker.build_button.isVisible()
    qtbot.wait(20)
    settings_tab(window).grab().save(str(screenshots / "runtime_picker_needs_image.png"))
    picker.build_button.click()
    qtbot.waitUntil(lambda: picker.offer("nodejs20.x").ready)
    assert "Step 2/3" in picker.log.toPlainText()
    assert "Built lambda-workbench/nodejs:20" in picker.note.text()
    assert "not built" not in pane.errors["runtime"].text()


def test_building_hello_lists_its_file_and_totals(window, qtbot):
    """The built .zip lists lambda_function.py with its size; the bars name both limits."""
    view = open_view(window, qtbot)
    build(view, qtbot)
    assert view.info is not None, view.message.text()
    row = view.table.row_of("lambda_function.py")
    assert row >= 0
    size = (SAMPLES_DIR / "hello" / "lambda_function.py").stat().st_size
    assert view.table.item(row, 1).text() == f"{size:,} B"
    assert "of 50 MB direct upload limit" in view.zipped_bar.figure.text()
    assert "of 250 MB limit, layers included" in view.unzipped_bar.figure.text()
    assert view.unzipped_bar.size == size
    assert view.deploy_button.isEnabled()


def test_requirements_come_from_a_chosen_wheel_folder(window, qtbot, tmp_path):
    """With a wheel folder chosen, pip's lines stream into the log and the dependency is in."""
    (window.controller.config.code_dir / "requirements.txt").write_text("wbminidep==1.0\n")
    view = open_view(window, qtbot)
    view.wheels.setText(str(write_wheel(tmp_path / "wheels").parent))
    build(view, qtbot)
    assert view.info is not None, view.message.text()
    assert view.table.row_of("wbminidep/__init__.py") >= 0
    assert "Installing requirements.txt from wheels in" in view.log.toPlainText()
    assert "Successfully installed wbminidep-1.0" in view.log.toPlainText()


def test_requirements_without_index_or_wheels_say_what_to_do(window, qtbot, monkeypatch):
    """No index and no wheel folder: the build stops with a message naming both ways out."""
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")  # nothing listens there
    (window.controller.config.code_dir / "requirements.txt").write_text("wbminidep\n")
    view = open_view(window, qtbot)
    build(view, qtbot)
    assert "no package index is reachable" in view.message.text()
    assert "choose a folder of wheels" in view.message.text()


def test_oversize_folder_is_refused_with_the_limit_named(window, qtbot, tmp_path):
    """51 MB of incompressible bytes cannot be uploaded directly: the 50 MB limit is named."""
    folder = tmp_path / "big"
    shutil.copytree(SAMPLES_DIR / "hello", folder)
    (folder / "blob.bin").write_bytes(os.urandom(51 * 1024 * 1024))
    assert window.open_function(folder)
    view = open_view(window, qtbot)
    build(view, qtbot)
    assert view.info is None
    assert "Lambda allows 50 MB for a direct upload" in view.message.text()
    assert view.message.objectName() == "fieldError"


def test_oversize_zip_imported_shows_red_bars_and_refuses_deploy(
    window, qtbot, tmp_path, screenshots
):
    """An imported .zip over 50 MB is shown over the limit, and deploying it is refused."""
    package = tmp_path / "too-big.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("lambda_function.py", HANDLER)
        archive.writestr("model.bin", os.urandom(51 * 1024 * 1024))
    window.set_theme("dark")
    view = open_view(window, qtbot)
    view.load_zip(package)
    qtbot.waitUntil(lambda: view.info is not None and view.info.path == package, timeout=LIMIT_S)
    assert view.zipped_bar.over and "over the limit" in view.zipped_bar.figure.text()
    assert not view.unzipped_bar.over
    view.deploy_package()
    qtbot.waitUntil(lambda: "Not deployed" in view.message.text(), timeout=LIMIT_S)
    assert "Lambda allows 50 MB for a direct upload" in view.message.text()
    assert view.grab().save(str(screenshots / "package_view_over_limit_dark.png"))


def test_imported_zip_deploys_and_runs_on_the_engine(window, engine, qloop, qtbot, tmp_path):
    """An imported .zip replaces the function's code; the engine then runs the zip's handler."""
    package = tmp_path / "other.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("lambda_function.py", HANDLER)
    view = open_view(window, qtbot)
    view.load_zip(package)
    qtbot.waitUntil(lambda: view.info is not None and view.info.path == package)
    assert view.table.row_of("lambda_function.py") == 0
    before = window.controller.config.code_dir
    view.deploy_package()
    qtbot.waitUntil(lambda: window.controller.config.code_dir != before, timeout=LIMIT_S)
    assert "environments were replaced" in view.message.text()
    served = run(qloop, engine.invoke(window.controller.config.name, b"{}"))
    assert json.loads(served.payload) == {"from": "the zip"}


def test_zip_slip_is_refused(window, qtbot, tmp_path):
    """A .zip with a path outside the package folder is refused, saying why."""
    package = tmp_path / "evil.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("../outside.py", "x = 1\n")
    view = open_view(window, qtbot)
    view.load_zip(package)
    qtbot.waitUntil(lambda: "zip-slip" in view.message.text())
    assert view.info is None or view.info.path != package


def test_dockerfile_image_build_streams_progress_then_deploys(window, engine, qtbot, tmp_path):
    """A folder with a Dockerfile builds through the backend's tools, lines streamed, deployed."""
    folder = tmp_path / "imaged"
    shutil.copytree(SAMPLES_DIR / "hello", folder)
    (folder / "Dockerfile").write_text("FROM lambda-workbench/python:3.11\nCOPY . /var/task\n")
    assert window.open_function(folder)
    assert window.packages.image_action.isEnabled()

    def build_image(code_dir: Path, progress) -> FunctionConfig:
        progress("Step 1/2 : FROM lambda-workbench/python:3.11")
        progress("Step 2/2 : COPY . /var/task")
        return load_function(code_dir, memory_mb=256)  # runs on processes: no image field here

    window.packages.set_tools(PackageTools("process", lambda: [], build_function_image=build_image))
    view = open_view(window, qtbot)
    assert view.image_button.isVisible()
    view.build_image()
    qtbot.waitUntil(lambda: window.controller.config.memory_mb == 256)
    assert "Step 2/2 : COPY . /var/task" in view.log.toPlainText()
    assert "environments were replaced" in view.message.text()


def test_image_build_without_docker_says_so(window, qtbot):
    """On the process backend an image build is refused with the reason, not attempted."""
    window.packages.set_tools(tools_for("process"))
    view = open_view(window, qtbot)
    view.build_image()
    assert "No Docker engine is in use" in view.message.text()


def test_export_writes_a_parseable_template(window, tmp_path):
    """Export to AWS writes template.yaml with the function, and says how to deploy it."""
    menu = window.function_menu()
    assert {window.packages.package_action, window.packages.export_action} <= set(menu.actions())
    export = window.packages.export_to(tmp_path / "aws")
    assert export is not None
    template = yaml.safe_load(export.template.read_text())
    function = template["Resources"]["HelloFunction"]["Properties"]
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert "sam deploy --guided" in window.packages.last_export.informativeText()
    window.packages.last_export.close()


def test_layers_list_shows_a_published_layer(window, engine, qtbot, tmp_path):
    """A folder published from the view is offered, and once added it is listed and counted."""
    content = tmp_path / "shared" / "python"
    content.mkdir(parents=True)
    (content / "greeting.py").write_text("WORDS = 'hello from a layer'\n")
    view = open_view(window, qtbot)
    view.layers.publish(tmp_path / "shared", "shared-helpers")
    qtbot.waitUntil(lambda: str(view.layers.available.currentData()).startswith("shared-helpers:"))
    ref = view.layers.available.currentData()
    view.layers.add_button.click()
    qtbot.waitUntil(lambda: window.controller.config.layers == (ref,))
    assert view.layers.table.item(0, 0).text() == ref
    assert view.layers.title() == "Layers (1 of 5)"
    qtbot.waitUntil(lambda: "of it in layers" in view.unzipped_bar.figure.text())


def test_every_package_control_has_a_tooltip(window, qtbot):
    """The package view explains every button, field and chooser."""
    view = open_view(window, qtbot)
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    missing = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
        for kind in kinds
        for w in view.findChildren(kind)
        if w.isVisible() and not w.toolTip() and not isinstance(w.parent(), QComboBox)
    ]
    assert missing == []


def test_package_view_screenshot(window, qtbot, tmp_path, screenshots):
    """The package view with files, a layer and both limit bars (checked by eye)."""
    folder = tmp_path / "photo-resizer"
    shutil.copytree(SAMPLES_DIR / "hello", folder)
    (folder / "assets").mkdir()
    (folder / "assets" / "watermark.png").write_bytes(os.urandom(6 * 1024 * 1024))
    (folder / "config.json").write_text(json.dumps({"sizes": [128, 512, 1024]}))
    layer_dir = tmp_path / "pillow-layer" / "python" / "PIL"
    layer_dir.mkdir(parents=True)
    (layer_dir / "_imaging.so").write_bytes(os.urandom(9 * 1024 * 1024))
    layer = publish_layer("pillow", layer_dir.parents[1])
    (folder / "function.toml").write_text(f'name = "photo-resizer"\nlayers = ["{layer.ref}"]\n')
    assert window.open_function(folder)
    view = open_view(window, qtbot)
    view.resize(1000, 680)
    build(view, qtbot)
    assert view.info is not None, view.message.text()
    view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert view.table.item(0, 0).text() == "assets/watermark.png"
    qtbot.wait(50)
    assert view.grab().save(str(screenshots / "package_view.png"))
