"""Smaller pane behaviours: log filter, traceback links, timeline hover, errors, layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextCursor
from ui_helpers import RestoreAnswers, run, wait_for

from workbench.core.events import (
    EnvironmentCreated,
    InitCompleted,
    InitStarted,
    InvocationCompleted,
    InvocationStarted,
    LogLine,
    Report,
)
from workbench.ui import tasks
from workbench.ui.errors import ErrorReporter
from workbench.ui.main_window import MainWindow
from workbench.ui.panes.result_pane import ResultPane
from workbench.ui.panes.timeline_pane import TimelinePane
from workbench.ui.panes.timeline_text import describe_span


def log(text: str, request_id: str | None) -> LogLine:
    return LogLine(at=1.0, function="f", text=text, request_id=request_id)


def test_log_filter_by_request_id(qtbot):
    """The filter keeps only the lines of matching request ids, and clearing it restores all."""
    pane = ResultPane()
    qtbot.addWidget(pane)
    pane.add_logs([log("START RequestId: aaa-1", "aaa-1"), log("START RequestId: bbb-2", "bbb-2")])
    pane.filter.setText("bbb")
    assert pane.log_text() == "START RequestId: bbb-2"
    pane.add_logs([log("hello from aaa", "aaa-1"), log("hello from bbb", "bbb-2")])
    assert pane.log_text() == "START RequestId: bbb-2\nhello from bbb"
    pane.filter.clear()
    assert pane.log_text().count("\n") == 3


def test_clicking_a_traceback_line_emits_its_location(qtbot):
    """A click on `File "…", line N` in the logs emits (path, N)."""
    pane = ResultPane()
    qtbot.addWidget(pane)
    pane.resize(700, 500)
    pane.show()
    qtbot.waitExposed(pane)
    frame = '  File "/var/task/lambda_function.py", line 7, in lambda_handler'
    pane.add_logs([log("[ERROR] KeyError: 'x'", "r"), log(frame, "r")])
    block = pane.logs.document().findBlockByNumber(1)
    rect = pane.logs.cursorRect(QTextCursor(block))
    with qtbot.waitSignal(pane.sig_source_line) as signal:
        qtbot.mouseClick(
            pane.logs.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(40, rect.center().y())
        )
    assert signal.args == ["/var/task/lambda_function.py", 7]


def test_container_paths_map_to_the_open_file(window):
    """/var/task/lambda_function.py (Docker) and the local path both mean the open file."""
    controller = window.controller
    assert controller.is_open_file("/var/task/lambda_function.py")
    assert controller.is_open_file(str(window.editor_pane.path))
    assert not controller.is_open_file("/var/task/other.py")
    assert not controller.is_open_file("/var/lang/lib/python3.11/json/__init__.py")
    controller.go_to_source("/var/task/lambda_function.py", 12)
    assert window.editor_pane.editor.error_line == 12


def test_timeline_hover_describes_the_invocation(qtbot):
    """span_at finds the invocation under the mouse; its tooltip says id, billed and cold."""
    pane = TimelinePane(now=lambda: 11.0)
    qtbot.addWidget(pane)
    pane.resize(800, 200)
    pane.show()
    pane.set_zoom("2 s")
    report = Report("req-1", 200.0, 300, 128, 20, init_duration_ms=100.0)
    for event in (
        EnvironmentCreated(at=10.0, function="f", env_id="f-1", backend="process"),
        InitStarted(at=10.0, function="f", env_id="f-1"),
        InitCompleted(at=10.1, function="f", env_id="f-1", init_duration_ms=100),
        InvocationStarted(at=10.1, function="f", request_id="req-1", env_id="f-1", cold=True),
        InvocationCompleted(at=10.3, function="f", request_id="req-1", env_id="f-1", report=report),
    ):
        pane.on_event(event)
    canvas = pane.canvas
    lane = pane.model.lanes["f-1"]
    invoke = next(s for s in lane.spans if s.request_id == "req-1")
    rect = canvas.span_rect(0, invoke, canvas.current_end())
    hit = canvas.span_at(rect.center().x(), rect.center().y())
    assert hit is not None and hit[1] is invoke
    text = describe_span(*hit, canvas.current_end())
    assert "request req-1" in text and "billed 300 ms" in text and "cold start" in text


def test_async_slot_errors_reach_the_reporter(qapp, qloop):
    """An exception in a spawned coroutine is reported through sys.excepthook, not lost."""
    reporter = ErrorReporter(show_dialog=False)
    reporter.install()
    try:

        async def broken() -> None:
            raise RuntimeError("boom")

        tasks.spawn(broken())
        run(qloop, wait_for(lambda: bool(reporter.reported), 5))
    finally:
        reporter.uninstall()
    assert isinstance(reporter.reported[0], RuntimeError)


def test_layout_is_remembered(qtbot, tmp_path: Path, function_dir: Path):
    """Splitter positions saved by one window are restored by the next."""
    settings_path = str(tmp_path / "layout.ini")

    def make() -> MainWindow:
        settings = QSettings(settings_path, QSettings.Format.IniFormat)
        win = MainWindow(tmp_path / "data", settings=settings, ask_restore=RestoreAnswers())
        qtbot.addWidget(win)
        win.show()
        return win

    first = make()
    first.resize(760, 700)  # within the offscreen screen (800 × 800), so no clamping
    first.work_split.setSizes([300, 460])
    sizes = first.work_split.sizes()
    first.close()
    second = make()
    assert second.size() == first.size()
    assert second.work_split.sizes() == sizes


def test_tooltips_on_every_control(window):
    """Every button, field and chooser tells what it does."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    missing = [
        f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()}"
        for kind in kinds
        for w in window.findChildren(kind)
        if w.isVisible() and not w.toolTip() and not _inside_spin_or_combo(w)
    ]
    assert missing == []


def _inside_spin_or_combo(widget) -> bool:
    """Line edits inside spin boxes and combo boxes are parts, not controls."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QTabBar, QToolButton

    parent = widget.parent()
    return isinstance(parent, QAbstractSpinBox | QComboBox | QTabBar) or (
        isinstance(widget, QToolButton)
        and widget.defaultAction() is not None
        and bool(widget.defaultAction().toolTip())
    )


def test_invalid_function_toml_is_shown_not_raised(window, tmp_path: Path, qloop):
    """A ConfigError while opening a folder appears in the result pane with AWS's range."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "function.toml").write_text("memory = 64\n")
    assert not window.open_function(broken)
    assert window.result_pane.status.text().startswith("✗ Cannot open")
    assert (
        "64 MB is out of range: use 128 to 10,240 MB" in window.result_pane.response.toPlainText()
    )


def test_a_wrong_type_in_function_toml_is_shown_not_raised(window, tmp_path: Path, qloop):
    """handler = 5 opens nothing and says which file, which key and what was expected."""
    broken = tmp_path / "typed"
    broken.mkdir()
    (broken / "function.toml").write_text("handler = 5\n")
    assert not window.open_function(broken)
    assert window.result_pane.status.text().startswith("✗ Cannot open")
    shown = window.result_pane.response.toPlainText()
    assert f"{broken / 'function.toml'}: handler: expected a string" in shown


def test_tooltips_on_every_control_of_every_tab(window, qtbot):
    """Controls on hidden tabs and in the find bar explain themselves too."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    window.editor_pane.show_find()
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    missing: list[str] = []
    billing = window.billing_pane
    for side in range(window.side_tabs.count()):
        window.side_tabs.setCurrentIndex(side)
        for sub in range(billing.tabs.count()):
            billing.tabs.setCurrentIndex(sub)
            qtbot.wait(1)
            missing += [
                f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
                for kind in kinds
                for w in window.findChildren(kind)
                if w.isVisible() and not w.toolTip() and not _inside_spin_or_combo(w)
            ]
    assert sorted(set(missing)) == []
    assert all(window.side_tabs.tabToolTip(i) for i in range(window.side_tabs.count()))
    assert all(billing.tabs.tabToolTip(i) for i in range(billing.tabs.count()))
