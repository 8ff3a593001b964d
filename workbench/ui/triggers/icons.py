"""Small inline SVG icons for the trigger kinds (kept beside the code that uses them)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

_SVGS = {
    "trigger": '<path d="M13.5 2 L5 13.5 H11 L9.5 22 L19 9.5 H12.8 Z" fill="#d4a72c" '
    'stroke="#9a6700" stroke-width="1.2" stroke-linejoin="round"/>',
    "api": '<rect x="2.5" y="5" width="19" height="14" rx="3" fill="#ddf4ff" stroke="#0969da" '
    'stroke-width="1.5"/><path d="M8 9 L5 12 L8 15 M16 9 L19 12 L16 15 M13.2 8.5 L10.8 15.5" '
    'fill="none" stroke="#0969da" stroke-width="1.6" stroke-linecap="round"/>',
    "bucket": '<path d="M4 6.5 L6 20 Q12 22.5 18 20 L20 6.5" fill="#dafbe1" stroke="#1a7f37" '
    'stroke-width="1.5" stroke-linejoin="round"/><ellipse cx="12" cy="6.5" rx="8" ry="2.6" '
    'fill="#aceebb" stroke="#1a7f37" stroke-width="1.5"/>',
    "schedule": '<circle cx="12" cy="12" r="9" fill="#fbefff" stroke="#8250df" '
    'stroke-width="1.6"/><path d="M12 6.5 V12 L15.8 14.3" fill="none" stroke="#8250df" '
    'stroke-width="1.8" stroke-linecap="round"/>',
    "queue": '<rect x="2.5" y="7" width="5" height="10" rx="1.2" fill="#ffc99a" '
    'stroke="#bc4c00" stroke-width="1.4"/><rect x="9.5" y="7" width="5" height="10" rx="1.2" '
    'fill="#ffc99a" stroke="#bc4c00" stroke-width="1.4"/><path d="M16.5 12 H21.5 M19 9.5 '
    'L21.5 12 L19 14.5" fill="none" stroke="#bc4c00" stroke-width="1.6" '
    'stroke-linecap="round"/>',
    "load": '<path d="M3 20 H21" stroke="#57606a" stroke-width="1.4"/><rect x="4.5" y="13" '
    'width="3" height="6" fill="#54aeff"/><rect x="10.5" y="8" width="3" height="11" '
    'fill="#0969da"/><rect x="16.5" y="4" width="3" height="15" fill="#0550ae"/>',
}


@cache
def kind_icon(name: str) -> QIcon:
    """The icon for a trigger kind (api, bucket, schedule, queue), "trigger" or "load"."""
    body = _SVGS.get(name, "")
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
