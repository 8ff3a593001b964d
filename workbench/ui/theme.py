"""Light and dark themes: Fusion palettes plus resources/style.qss, following the system."""

from __future__ import annotations

from string import Template

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from workbench.paths import RESOURCES_DIR

THEMES = ("system", "light", "dark")
STYLE_PATH = RESOURCES_DIR / "style.qss"

_LIGHT = {
    "window": "#f6f8fa",
    "base": "#ffffff",
    "alt": "#f6f8fa",
    "text": "#1f2328",
    "muted": "#656d76",
    "border": "#d0d7de",
    "accent": "#0969da",
    "accent_hover": "#0860c6",
    "error": "#cf222e",
    "error_bg": "#ffebe9",
    "ok": "#1a7f37",
    "ok_bg": "#dafbe1",
    "chip": "#eaeef2",
    "title": "#1f2328",
    "disabled": "#d0d7de",
    "button": "#f6f8fa",
    "highlight": "#0969da",
}
_DARK = {
    "window": "#1c2128",
    "base": "#0d1117",
    "alt": "#161b22",
    "text": "#e6edf3",
    "muted": "#8d96a0",
    "border": "#30363d",
    "accent": "#2f81f7",
    "accent_hover": "#4493f8",
    "error": "#ff7b72",
    "error_bg": "#3d1a1c",
    "ok": "#3fb950",
    "ok_bg": "#12261a",
    "chip": "#21262d",
    "title": "#e6edf3",
    "disabled": "#30363d",
    "button": "#21262d",
    "highlight": "#2f81f7",
}


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark scheme (Qt 6.5+; Unknown counts as light)."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(theme: str) -> bool:
    """Whether a theme name ("system", "light", "dark") means dark right now."""
    return system_prefers_dark() if theme == "system" else theme == "dark"


def build_palette(colours: dict[str, str]) -> QPalette:
    """A complete QPalette from a colour table."""
    role = QPalette.ColorRole
    palette = QPalette()
    pairs = {
        role.Window: "window",
        role.WindowText: "text",
        role.Base: "base",
        role.AlternateBase: "alt",
        role.Text: "text",
        role.Button: "button",
        role.ButtonText: "text",
        role.ToolTipBase: "base",
        role.ToolTipText: "text",
        role.Highlight: "highlight",
        role.PlaceholderText: "muted",
        role.Mid: "border",
        role.Link: "accent",
    }
    for qt_role, key in pairs.items():
        palette.setColor(qt_role, QColor(colours[key]))
    palette.setColor(role.HighlightedText, QColor("#ffffff"))
    disabled = QPalette.ColorGroup.Disabled
    for qt_role in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(disabled, qt_role, QColor(colours["muted"]))
    return palette


def apply_theme(app: QApplication, theme: str = "system") -> bool:
    """Apply a theme to the whole app; returns whether it is dark."""
    dark = resolve(theme)
    colours = _DARK if dark else _LIGHT
    app.setStyle("Fusion")  # the same look everywhere, and it honours palettes fully
    app.setPalette(build_palette(colours))
    try:
        template = STYLE_PATH.read_text(encoding="utf-8")
    except OSError:
        template = ""  # a missing style sheet costs polish, not function
    app.setStyleSheet(Template(template).safe_substitute(colours))
    return dark
