"""Clicking a lesson page's action buttons with real mouse events, as a learner does."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTextBrowser


def action_links(browser: QTextBrowser) -> list[tuple[str, int]]:
    """(href, document position) of every action button on the page, in reading order."""
    found: list[tuple[str, int]] = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            href = fmt.anchorHref()
            # A button may span several fragments: one entry per run of the same link.
            fresh = not found or found[-1][0] != href
            if fmt.isAnchor() and href.startswith("action:") and fresh:
                found.append((href, fragment.position() + fragment.length() // 2))
            it += 1
        block = block.next()
    return found


def scroll_to(browser: QTextBrowser, position: int) -> QPoint:
    """Scroll a document position into view; its point in the viewport."""
    cursor = QTextCursor(browser.document())
    cursor.setPosition(position)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    return browser.cursorRect(cursor).center()


def click_position(browser: QTextBrowser, position: int) -> QPoint:
    """Scroll the position into view and click it with the left button."""
    point = scroll_to(browser, position)
    QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    return point
