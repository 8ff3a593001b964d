"""How the main window's panes are arranged: a lesson layout and an explore layout.

- explore: code and event/response side by side on top, timeline and the tabs below (wide
  screens, no lesson panel);
- lesson: beside the lesson panel, the code over the event on the left (72+ columns), the
  response, timeline and tabs on the right, so a 1280×720 laptop shows all of them.

The side tabs scroll their pages instead of forcing the window's minimum size up, so the
window can shrink to 1024×640 without clipping a button. Splitter positions are remembered
per layout.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QWidget

LAYOUTS = ("lesson", "explore")
LAYOUT_KEY = "view/layout"
DEFAULT_SIZE = (1400, 900)
MINIMUM_SIZE = (1024, 640)
EDITOR_COLUMNS = 72  # what the lesson layout keeps visible in the code editor


class ScrollingTabs(QTabWidget):
    """Tabs whose pages scroll when there is too little room; callers see the pages
    themselves (indexOf, currentWidget, setCurrentWidget), never the scroll areas."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: dict[QWidget, QScrollArea] = {}

    def _wrap(self, page: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(page)
        page.show()  # a page hidden until its tab is added (the bucket) shows with it
        self._areas[page] = area
        return area

    def _page(self, area: QWidget | None) -> QWidget | None:
        if isinstance(area, QScrollArea) and area in self._areas.values():
            return area.widget()
        return area

    def addTab(self, page: QWidget, *args) -> int:  # type: ignore[override]
        return super().addTab(self._wrap(page), *args)

    def insertTab(self, index: int, page: QWidget, *args) -> int:  # type: ignore[override]
        return super().insertTab(index, self._wrap(page), *args)

    def indexOf(self, page: QWidget) -> int:  # type: ignore[override]
        area = self._areas.get(page)
        return super().indexOf(area) if area is not None and area.widget() is page else -1

    def setCurrentWidget(self, page: QWidget) -> None:  # type: ignore[override]
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)

    def currentWidget(self) -> QWidget | None:  # type: ignore[override]
        return self._page(super().currentWidget())

    def widget(self, index: int) -> QWidget | None:  # type: ignore[override]
        return self._page(super().widget(index))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 60)  # the tab bar and a little of the page; the rest scrolls


class SideScroll(QScrollArea):
    """Holds a pane at the full height it is given, scrolling only sideways, and only when
    the window is narrower than the pane wants (1024 px with the lesson panel)."""

    def __init__(self, pane: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{type(pane).__name__}Scroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)  # sized here: a wrapped label must not make it taller
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(pane)
        self.pane = pane

    def fit(self) -> None:
        viewport = self.viewport().size()
        width = max(viewport.width(), self.pane.minimumSizeHint().width())
        if self.pane.size() != QSize(width, viewport.height()):
            self.pane.resize(width, viewport.height())

    def viewportEvent(self, event) -> bool:
        if event.type() == event.Type.Resize:
            self.fit()
        return super().viewportEvent(event)

    def minimumSizeHint(self) -> QSize:
        bar = self.horizontalScrollBar().sizeHint().height()
        return QSize(68, self.pane.minimumSizeHint().height() + bar)

    def sizeHint(self) -> QSize:
        return self.pane.sizeHint()


def _split(orientation: Qt.Orientation, *widgets: QWidget) -> QSplitter:
    split = QSplitter(orientation)
    for widget in widgets:
        split.addWidget(widget)
    split.setChildrenCollapsible(False)
    return split


class WindowLayout:
    """The main window's half that arranges its panes (MainWindow inherits it): the panes,
    splitters and settings named here are the window's own."""

    squeeze_areas: list[QScrollArea]

    def _squeezable(self, pane: QWidget) -> QScrollArea:
        """The pane in a SideScroll: shrinking never forces the window wider."""
        area = SideScroll(pane)
        self.squeeze_areas.append(area)
        return area

    def _release(self) -> None:
        """Take the panes out of the previous layout's scroll areas before they are dropped."""
        for area in getattr(self, "squeeze_areas", []):
            area.takeWidget()
        self.squeeze_areas = []

    def arrange(self, name: str) -> None:
        """Put the panes into the named layout (the splitters of the other one are dropped)."""
        w = self
        vertical, horizontal = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
        w._release()
        if name == "lesson":
            # Proportions for a 1280×720 screen (they scale with the window): the event editor
            # and the response 8+ lines, the timeline 4+ lanes, the tabs the rest.
            w.work_split = _split(vertical, w.editor_pane, w._squeezable(w.event_pane))
            w.work_split.setSizes([390, 250])
            w.bottom_split = _split(vertical, w._squeezable(w.timeline_pane), w.side_tabs)
            w.bottom_split.setSizes([238, 62])
            w.right_split = _split(vertical, w.result_pane, w.bottom_split)
            w.right_split.setSizes([372, 301])
            w.result_pane.splitter.setSizes([247, 124])
            w.outer_split = _split(horizontal, w.work_split, w.right_split)
            w.outer_split.setStretchFactor(0, 1)
            w.outer_split.setSizes([660, 380])
        else:
            w.right_split = _split(vertical, w.event_pane, w.result_pane)
            w.right_split.setSizes([210, 490])
            w.work_split = _split(horizontal, w.editor_pane, w.right_split)
            w.work_split.setSizes([720, 680])
            w.bottom_split = _split(horizontal, w.timeline_pane, w.side_tabs)
            w.bottom_split.setSizes([830, 570])
            w.outer_split = _split(vertical, w.work_split, w.bottom_split)
            w.outer_split.setSizes([540, 360])
        w.layout_name = name
        w.setCentralWidget(w.outer_split)  # deletes the old splitters, now empty
        toolbar = getattr(w, "toolbar", None)
        if toolbar is not None:
            # Its actions are in the menus and the panes; on a laptop its height goes to the panes.
            toolbar.setVisible(name == "explore")

    def editor_width(self, columns: int = EDITOR_COLUMNS) -> int:
        """The editor pane's width that shows `columns` characters beside its line numbers."""
        editor = self.editor_pane.editor
        chrome = self.editor_pane.width() - editor.viewport().width()  # gutter, scroll bar
        text = columns * editor.fontMetrics().horizontalAdvance("M")
        return chrome + text + int(2 * editor.document().documentMargin()) + 2

    def lesson_central_width(self) -> int:
        """What the lesson layout's columns need across: the event pane's and the timeline's
        widths (so neither scrolls), plus the splitter handles."""
        handles = 2 * self.outer_split.handleWidth() + 12  # and the dock separator
        left = max(self.event_pane.minimumSizeHint().width(), self.editor_width())
        return left + self.timeline_pane.minimumSizeHint().width() + handles

    def fit_lesson_columns(self) -> None:
        """Give the code and event column what it needs first; the right column the rest."""
        split = self.outer_split
        left, right = split.sizes()
        total = left + right
        left_need = max(self.event_pane.minimumSizeHint().width(), self.editor_width())
        right_min = self.timeline_pane.minimumSizeHint().width()
        right = max(right_min, min(right, total - left_need))
        split.setSizes([total - right, right])

    def splitters(self) -> dict[str, QSplitter]:
        """The current layout's splitters by name."""
        return {
            "work": self.work_split,
            "right": self.right_split,
            "bottom": self.bottom_split,
            "outer": self.outer_split,
        }

    def restore_splitters(self) -> None:
        """The splitter positions the learner left in this layout."""
        for key, split in self.splitters().items():
            state = self.settings.value(f"split/{self.layout_name}/{key}")
            if isinstance(state, QByteArray):
                split.restoreState(state)
                split.setChildrenCollapsible(False)

    def save_splitters(self) -> None:
        """Remember this layout's splitter positions."""
        for key, split in self.splitters().items():
            self.settings.setValue(f"split/{self.layout_name}/{key}", split.saveState())

    def default_size(self) -> tuple[int, int]:
        """1400×900, or less on a smaller screen: the window must fit the available geometry."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        available = screen.availableGeometry()
        width = min(DEFAULT_SIZE[0], available.width())
        height = min(DEFAULT_SIZE[1], available.height())
        return max(width, MINIMUM_SIZE[0]), max(height, MINIMUM_SIZE[1])
