"""Small inline SVG icons: each trigger kind's (its KIND.icon_svg), "trigger" and "load"."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from workbench.triggers.registry import UnknownTriggerKind, trigger_kind

_SVGS = {  # the icons that are not a trigger kind's
    "trigger": '<path d="M13.5 2 L5 13.5 H11 L9.5 22 L19 9.5 H12.8 Z" fill="#d4a72c" '
    'stroke="#9a6700" stroke-width="1.2" stroke-linejoin="round"/>',
    "load": '<path d="M3 20 H21" stroke="#57606a" stroke-width="1.4"/><rect x="4.5" y="13" '
    'width="3" height="6" fill="#54aeff"/><rect x="10.5" y="8" width="3" height="11" '
    'fill="#0969da"/><rect x="16.5" y="4" width="3" height="15" fill="#0550ae"/>',
}


@cache
def kind_icon(name: str) -> QIcon:
    """The icon for a trigger kind (by its name), "trigger" or "load"; blank if unknown."""
    body = _SVGS.get(name)
    if body is None:
        try:
            body = trigger_kind(name).icon_svg
        except UnknownTriggerKind:
            body = ""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in (16, 24, 32, 48):  # drawn at each size: crisp, not scaled from one bitmap
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)  # keep its colours on a selected row
    return icon
