"""Features reach the main window only through the WindowPort: the window provides every
call of the port, and a feature runs unchanged on another host that provides them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QMenu, QWidget

from workbench.packages.tools import tools_for
from workbench.ui.lessons import exercise
from workbench.ui.packages.feature import PackageFeature
from workbench.ui.window_port import WindowPort


def port_members() -> set[str]:
    """Every method and attribute the Protocol declares."""
    names = set(WindowPort.__annotations__)
    names |= {n for n, v in vars(WindowPort).items() if callable(v) and not n.startswith("_")}
    return names


def test_the_main_window_provides_every_call_of_the_port(window):
    """Nothing a feature may ask for is missing on the real window."""
    missing = sorted(name for name in port_members() if not hasattr(window, name))
    assert missing == []
    assert {"show_message", "add_side_tab", "function_menu", "follow_clock"} <= port_members()


def test_side_tabs_added_through_the_port_show_and_go(window):
    """add_side_tab puts a page after another with its tooltip; show_side and remove_side_tab
    act on it; has_side_tab tells."""
    page = QWidget()
    window.add_side_tab(page, "Extra", "An extra tab", after=window.trigger_ui.panel)
    tabs = window.side_tabs
    index = tabs.indexOf(page)
    assert index == tabs.indexOf(window.trigger_ui.panel) + 1
    assert tabs.tabToolTip(index) == "An extra tab" and window.has_side_tab(page)
    window.show_side(page)
    assert tabs.currentWidget() is page
    window.remove_side_tab(page)
    assert not window.has_side_tab(page)


class FakeController(QObject):
    """A controller with no function open."""

    sig_config_changed = Signal(object)
    config = None


class FakePort:
    """Another host for features: a plain widget with a menu, recording what it is asked."""

    def __init__(self, tmp_path: Path) -> None:
        self.parent = QWidget()
        self.menu = QMenu("Function", self.parent)
        self.controller = FakeController()
        self.settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        self.service = None
        self.messages: list[str] = []
        self.tools = None
        self.opened: list[tuple[Path, str]] = []
        self.code: Path | None = None
        self.shown: list[Path] = []

    def dialog_parent(self) -> QWidget:
        return self.parent

    def function_menu(self) -> QMenu:
        return self.menu

    def show_message(self, text: str) -> None:
        self.messages.append(text)

    def set_runtime_tools(self, tools) -> None:
        self.tools = tools

    def saved_events(self) -> dict[str, str]:
        return {}

    def open_and_deploy(self, folder: Path, event_text: str = "") -> bool:
        self.opened.append((folder, event_text))
        return True

    def code_path(self) -> Path | None:
        return self.code

    def show_code_file(self, path: Path) -> None:
        self.shown.append(path)


def test_the_package_feature_runs_on_another_host(qtbot, tmp_path):
    """Its Function-menu actions land in the host's menu, its tools reach the host's runtime
    picker, and an export with no function says so through show_message."""
    port = FakePort(tmp_path)
    qtbot.addWidget(port.parent)
    feature = PackageFeature(port)  # type: ignore[arg-type]
    assert {feature.package_action, feature.export_action} <= set(port.menu.actions())
    tools = tools_for("process")
    feature.set_tools(tools)
    assert port.tools is tools
    assert feature.export_to(tmp_path / "aws") is None
    assert port.messages == ["No function is open to export"]


def test_opening_lesson_code_with_a_missing_handler_file_shows_the_file_there(tmp_path):
    """open_code asks the port to open and deploy, then to show the .py that exists when the
    handler names a file that does not, and says so."""
    port = FakePort(tmp_path)
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    port.code = folder / "lambda_function.py"  # what the handler names: not there
    assert exercise.open_code(port, folder, "{}")  # type: ignore[arg-type]
    assert port.opened == [(folder, "{}")]
    assert port.shown == [folder / "app.py"]
    assert "lambda_function.py, which is not there: showing app.py" in port.messages[0]
