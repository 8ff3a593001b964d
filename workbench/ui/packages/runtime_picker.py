"""The runtime picker: the runtimes the backend offers, each with its language and handler."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from workbench import runtimes
from workbench.core.model import FunctionConfig
from workbench.packages.tools import PackageTools
from workbench.runtimes import Offer
from workbench.runtimes.folder_check import folder_problem
from workbench.ui.packages.jobs import start_job

NAME_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # "ready", "image" (needs a build) or "unavailable"
STATE_MARKS = {"ready": "", "image": "  ⚠ image not built", "unavailable": "  ✗ not available"}


def detail_text(runtime: runtimes.Runtime) -> str:
    """The second line of a runtime's entry: language and default handler."""
    return f"{runtime.language} · handler {runtime.default_handler}"


def listing_order(runtime: runtimes.Runtime) -> tuple[int, tuple[int, ...]]:
    """In the families' order (Python, Node.js, custom); oldest version first within each."""
    return runtimes.listing_order(runtime)


class RuntimeDelegate(QStyledItemDelegate):
    """Draws each runtime on two lines: its name, then language, handler and any note."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        height = option.fontMetrics.height()
        return QSize(super().sizeHint(option, index).width(), height * 2 + 12)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(10, 5, -8, -5)
        line = option.fontMetrics.height()
        painter.save()
        title = QFont(option.font)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(option.palette.color(group, text_role))
        elide = Qt.TextElideMode.ElideRight
        heading = QFontMetrics(title).elidedText(index.data(), elide, rect.width())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), 0, heading)
        painter.setFont(option.font)
        muted = QPalette.ColorRole.PlaceholderText
        painter.setPen(option.palette.color(group, text_role if selected else muted))
        detail = str(index.data(DETAIL_ROLE) or "")
        detail += STATE_MARKS.get(index.data(STATE_ROLE) or "ready", "")
        detail = option.fontMetrics.elidedText(detail, elide, rect.width())
        painter.drawText(QRect(rect.left(), rect.top() + line + 2, rect.width(), line), 0, detail)
        painter.restore()


class RuntimePicker(QWidget):
    """Lists the offered runtimes; a runtime whose image is missing can be built from here."""

    sig_changed = Signal(str, str)
    """The learner chose another runtime: (previous name, new name)."""

    sig_offers_changed = Signal()
    """The list of offered runtimes was (re)loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tools: PackageTools | None = None
        self._offers: dict[str, Offer] | None = None  # None until the backend answered
        self._current = ""
        self.combo = QComboBox()
        self.combo.setItemDelegate(RuntimeDelegate(self.combo))
        self.combo.setToolTip(
            "The language runtime: the program in each environment that fetches events from the "
            "Runtime API and calls your handler. Lists what this backend can run."
        )
        self.detail = QLabel()
        self.detail.setObjectName("hint")
        self.detail.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("fieldError")
        self.note.setWordWrap(True)
        self.build_button = QPushButton("Build image")
        self.build_button.setToolTip("Build this runtime's Docker image now (progress shown below)")
        self.build_button.clicked.connect(self.build_image)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setFixedHeight(90)
        self.log.setToolTip("The image build's output, line by line")
        self._layout()
        self.combo.currentIndexChanged.connect(self._chosen)

    def _layout(self) -> None:
        build_row = QHBoxLayout()
        build_row.setContentsMargins(0, 0, 0, 0)
        build_row.addWidget(self.build_button, 0, Qt.AlignmentFlag.AlignTop)
        build_row.addWidget(self.note, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.combo)
        column.addWidget(self.detail)
        column.addLayout(build_row)
        column.addWidget(self.log)
        self.note.hide()
        self.build_button.hide()
        self.log.hide()

    # ----- offers ------------------------------------------------------------------------
    def set_tools(self, tools: PackageTools) -> None:
        """Use this backend's tools and (re)load what it offers, off the Qt thread."""
        self.tools = tools
        self.load_offers()

    def load_offers(self) -> None:
        """Ask the backend which runtimes it can run (blocking probes run on a thread)."""
        if self.tools is not None:
            offers = self.tools.offers
            start_job(self, "runtimes", lambda _progress: offers(), on_done=self.set_offers)

    def set_offers(self, offers: list[Offer]) -> None:
        """List these runtimes (the chosen one stays listed, flagged, if it is not offered)."""
        ordered = sorted(offers, key=lambda offer: listing_order(offer.runtime))
        self._offers = {offer.runtime.name: offer for offer in ordered}
        self._fill()
        self.sig_offers_changed.emit()

    def offer(self, name: str) -> Offer | None:
        """The backend's offer of a runtime; None if not offered (or not yet known)."""
        return (self._offers or {}).get(name)

    def value(self) -> str:
        """The chosen runtime's name, e.g. nodejs20.x."""
        return self._current

    def set_runtime(self, name: str) -> None:
        """Select a runtime (listed even when the backend does not offer it)."""
        self._current = name
        self._fill()

    def _fill(self) -> None:
        names = list(self._offers or {})
        if self._current and self._current not in names:
            names.append(self._current)
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in names:
            self._add_item(name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(self._current, NAME_ROLE)))
        self.combo.blockSignals(False)
        self._show_state()

    def _add_item(self, name: str) -> None:
        runtime = runtimes.get(name)
        offer = self.offer(name)
        if offer is not None:
            state = "ready" if offer.ready else "image"
        else:
            state = "unavailable" if self._offers is not None else "ready"
        self.combo.addItem(f"{runtime.display_name} — {name}", name)
        index = self.combo.count() - 1
        self.combo.setItemData(index, detail_text(runtime), DETAIL_ROLE)
        self.combo.setItemData(index, state, STATE_ROLE)
        tip = f"{runtime.language}; default handler {runtime.default_handler}"
        tip += f"\nStarted as: {runtime.docker_start if self._docker else runtime.process_start}"
        self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)

    @property
    def _docker(self) -> bool:
        return self.tools is not None and self.tools.backend == "docker"

    def _chosen(self, _index: int) -> None:
        previous, self._current = self._current, str(self.combo.currentData(NAME_ROLE) or "")
        self._show_state()
        if previous != self._current:
            self.sig_changed.emit(previous, self._current)

    def _show_state(self) -> None:
        if not self._current:
            return
        runtime = runtimes.get(self._current)
        started = runtime.docker_start if self._docker else runtime.process_start
        self.detail.setText(f"{detail_text(runtime)}. Runs as {started}.")
        offer = self.offer(self._current)
        needs_image = offer is not None and not offer.ready
        self.build_button.setVisible(needs_image)
        self.build_button.setEnabled(needs_image)
        if needs_image:
            self.show_note(f"Builds {runtime.image} with Docker")
        elif self.note.objectName() == "hint" and not self.log.isVisible():
            self.show_note("")

    # ----- problems ----------------------------------------------------------------------
    def refusal(self, config: FunctionConfig) -> str | None:
        """Why this backend cannot run the config's runtime (Apply is refused), or None."""
        if config.image or self._offers is None or self.tools is None:
            return None  # image functions bring their runtime; unknown offers refuse nothing
        runtime = runtimes.get(config.runtime)
        offer = self.offer(config.runtime)
        if offer is None:
            return f"{runtime.name} cannot run on this backend: {self.tools.unavailable(runtime)}"
        if not offer.ready:
            command = offer.note.rsplit(": ", 1)[-1]  # the note ends with the CLI command
            return f"{runtime.name}'s image is not built yet: press Build image, or run {command}"
        return None

    def problem(self, config: FunctionConfig) -> tuple[str, bool] | None:
        """What to flag under the field and whether it refuses Apply, or None.

        A missing entry point is only a warning: AWS deploys it too, and the learner may be
        about to create the file.
        """
        refusal = self.refusal(config)
        if refusal:
            return refusal, True
        warning = folder_problem(config)
        return (warning, False) if warning else None

    # ----- building an image -------------------------------------------------------------
    def build_image(self) -> None:
        """Build the chosen runtime's image on a thread, streaming its output into the log."""
        name, tools = self._current, self.tools
        if tools is None or tools.build_runtime_image is None:
            message = tools.docker_missing if tools else "the engine is still starting"
            self.show_note(f"Cannot build the image: {message}", error=True)
            return
        builder = tools.build_runtime_image
        self.log.clear()
        self.log.show()
        self.build_button.setEnabled(False)
        self.build_button.setText("Building…")
        start_job(
            self,
            f"image {name}",
            lambda progress: builder(name, progress),
            on_line=self.log.appendPlainText,
            on_done=lambda image: self._built(f"Built {image}: {name} is ready.", False),
            on_failed=lambda text: self._built(f"The image build failed: {text}", True),
        )

    def _built(self, text: str, failed: bool) -> None:
        self.build_button.setText("Build image")
        self.log.appendPlainText(text)
        self.show_note(text, error=failed)
        self.load_offers()

    def show_note(self, text: str, *, error: bool = False) -> None:
        """A line under the picker (build outcomes); empty hides it."""
        self.note.setObjectName("fieldError" if error else "hint")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.setText(text)
        self.note.setVisible(bool(text))
