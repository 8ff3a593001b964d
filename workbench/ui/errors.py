"""Unexpected errors are shown in a dialog and printed, never lost (the sys.excepthook)."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

MAX_DETAIL_CHARS = 20_000


class ErrorReporter:
    """Replaces sys.excepthook: prints the traceback and shows it in a non-blocking dialog."""

    def __init__(self, parent: QWidget | None = None, *, show_dialog: bool = True) -> None:
        self._parent = parent
        self._show_dialog = show_dialog
        self._box: QMessageBox | None = None
        self._previous = sys.excepthook
        self.reported: list[BaseException] = []

    def install(self) -> None:
        """Become sys.excepthook (async-slot errors end up there)."""
        self._previous = sys.excepthook
        sys.excepthook = self.hook

    def uninstall(self) -> None:
        """Restore the previous hook."""
        if sys.excepthook == self.hook:
            sys.excepthook = self._previous

    def hook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Report one uncaught exception; must never raise itself."""
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, exc, tb)
            return
        self.reported.append(exc)
        text = "".join(traceback.format_exception(kind, exc, tb))
        print(text, file=sys.stderr, flush=True)
        if self._show_dialog:
            try:
                self._show(f"{kind.__name__}: {exc}", text)
            except Exception:  # a broken dialog must not hide the original error
                traceback.print_exc()

    def _show(self, summary: str, detail: str) -> None:
        if self._box is not None and self._box.isVisible():
            # One dialog at a time: a burst of errors appends instead of stacking windows.
            previous = self._box.detailedText()
            self._box.setDetailedText((previous + "\n" + detail)[-MAX_DETAIL_CHARS:])
            return
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Lambda Workbench: unexpected error")
        box.setText("Something went wrong inside the workbench (not in your function).")
        box.setInformativeText(summary[:500])
        box.setDetailedText(detail[-MAX_DETAIL_CHARS:])
        box.setModal(False)
        box.show()  # not exec(): a nested event loop inside the hook could re-enter asyncio
        self._box = box
