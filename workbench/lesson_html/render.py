"""Lesson Markdown as the HTML subset QTextBrowser shows: tables, callouts, pygments code."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.style import Style
from pygments.token import Comment, Keyword, Name, Number, Operator, String
from pygments.util import ClassNotFound

from workbench.lessons.actions import ActionError, is_action_link, parse_action

MONO = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace"
# A callout is a blockquote whose first word is one of these in bold: > **Note** …
CALLOUT_WORDS = {"note": "note", "tip": "tip", "warning": "warning", "important": "warning"}
# A live source excerpt, as workbench.lessons.markdown.excerpt writes it: a caption, then code.
_EXCERPT = re.compile(r"^`([^`]+)`, lines (\d+)–(\d+)(?:: (.*))?$")


class LightCode(Style):
    """GitHub-like colours, the same family the code editor uses."""

    styles = {  # noqa: RUF012 (pygments reads a class attribute)
        Comment: "italic #6a737d",
        Keyword: "bold #cf222e",
        Keyword.Constant: "nobold #0550ae",
        Operator.Word: "bold #cf222e",
        Name.Builtin: "#8250df",
        Name.Function: "bold #6639ba",
        Name.Class: "bold #953800",
        Name.Decorator: "#953800",
        Name.Tag: "#0550ae",
        String: "#0a3069",
        String.Doc: "italic #57606a",
        Number: "#0550ae",
    }


@dataclass(frozen=True)
class Colours:
    """The reader's colours for a light or dark window."""

    text: str
    muted: str
    border: str
    code_bg: str
    inline_bg: str
    head_bg: str
    note: tuple[str, str]  # (bar, background)
    tip: tuple[str, str]
    warning: tuple[str, str]
    alert: tuple[str, str]
    ok: str
    error: str
    ok_bg: str
    error_bg: str
    accent: str
    pygments_style: str | type[Style]


LIGHT = Colours(
    text="#1f2328",
    muted="#656d76",
    border="#d0d7de",
    code_bg="#f6f8fa",
    inline_bg="#eff1f3",
    head_bg="#f6f8fa",
    note=("#0969da", "#ddf4ff"),
    tip=("#1a7f37", "#dafbe1"),
    warning=("#9a6700", "#fff8c5"),
    alert=("#cf222e", "#ffebe9"),
    ok="#1a7f37",
    error="#cf222e",
    ok_bg="#dafbe1",
    error_bg="#ffebe9",
    accent="#0969da",
    pygments_style=LightCode,
)
DARK = Colours(
    text="#e6edf3",
    muted="#8d96a0",
    border="#30363d",
    code_bg="#161b22",
    inline_bg="#262c36",
    head_bg="#161b22",
    note=("#2f81f7", "#121d2f"),
    tip=("#3fb950", "#12261a"),
    warning=("#d29922", "#272115"),
    alert=("#f85149", "#2d1618"),
    ok="#3fb950",
    error="#ff7b72",
    ok_bg="#12261a",
    error_bg="#3d1a1c",
    accent="#2f81f7",
    pygments_style="github-dark",
)


def colours(dark: bool) -> Colours:
    """The dark or light colours."""
    return DARK if dark else LIGHT


def style_sheet(c: Colours) -> str:
    """The document's default style sheet (Qt's rich-text CSS subset)."""
    return (
        f"body {{ color: {c.text}; }}"
        "h1 { font-size: 17pt; font-weight: 600; margin-top: 4px; margin-bottom: 6px; }"
        "h2 { font-size: 14pt; font-weight: 600; margin-top: 14px; margin-bottom: 6px; }"
        "h3 { font-size: 12pt; font-weight: 600; margin-top: 12px; margin-bottom: 4px; }"
        "h4 { font-size: 11pt; font-weight: 600; margin-top: 10px; }"
        "p { margin-top: 4px; margin-bottom: 8px; line-height: 130%; }"
        "li { margin-bottom: 3px; }"
        f"code {{ font-family: {MONO}; background-color: {c.inline_bg}; }}"
        f"pre {{ font-family: {MONO}; font-size: 9pt; }}"
        f"th {{ background-color: {c.head_bg}; font-weight: 600; }}"
        f"a {{ color: {c.accent}; }}"
        f".muted {{ color: {c.muted}; }}"
        f".ok {{ color: {c.ok}; font-weight: 600; }}"
        f".error {{ color: {c.error}; font-weight: 600; }}"
    )


def code_block(code: str, language: str, c: Colours, caption: str = "") -> str:
    """Code coloured by pygments, in a shaded box (a one-cell table: Qt shades cells well)."""
    try:
        lexer = get_lexer_by_name(language or "text", stripnl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False)
    formatter = HtmlFormatter(nowrap=True, noclasses=True, style=c.pygments_style)
    body = highlight(code.rstrip("\n"), lexer, formatter)
    # Pygments styles may set their own background; the box provides one already.
    body = re.sub(r"background-color: #[0-9a-fA-F]+;?\s*", "", body)
    head = ""
    if caption:
        head = (
            f'<tr><td style="background-color:{c.head_bg}; color:{c.muted}; '
            f'padding:4px 8px;">{caption}</td></tr>'
        )
    return (
        f'<table class="code" width="100%" cellspacing="0" cellpadding="0" border="1" '
        f'style="border-collapse:collapse; border-color:{c.border}; border-style:solid; '
        'margin-top:4px; margin-bottom:10px;">'
        f'{head}<tr><td bgcolor="{c.code_bg}" style="padding:8px;">'
        f'<pre style="margin:0; white-space:pre-wrap;">{body}</pre></td></tr></table>'
    )


def callout(inner_html: str, kind: str, c: Colours) -> str:
    """A coloured box with a bar on the left, for notes, tips, warnings and feedback."""
    bar, background = getattr(c, kind, c.note)
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" '
        'style="margin-top:6px; margin-bottom:10px;"><tr>'
        f'<td width="4" bgcolor="{bar}"></td>'
        f'<td bgcolor="{background}" style="padding:6px 10px;">{inner_html}</td>'
        "</tr></table>"
    )


class MarkdownRenderer:
    """CommonMark plus tables, with highlighted code blocks and styled blockquotes."""

    def __init__(self, dark: bool = False) -> None:
        self.c = colours(dark)
        self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        rules = self._md.renderer.rules
        rules["fence"] = self._fence
        rules["code_block"] = self._fence
        rules["blockquote_open"] = self._quote_open
        rules["blockquote_close"] = self._quote_close
        rules["table_open"] = self._table_open
        rules["excerpt_caption"] = lambda *_args: ""
        rules["link_open"] = self._link_open
        rules["link_close"] = self._link_close

    def set_dark(self, dark: bool) -> None:
        """Use dark or light colours from now on."""
        self.c = colours(dark)

    def render(self, text: str) -> str:
        """Markdown text as an HTML fragment."""
        tokens = self._md.parse(text)
        _fold_excerpt_captions(tokens)
        return self._md.renderer.render(tokens, self._md.options, {})

    def render_inline(self, text: str) -> str:
        """One paragraph's Markdown without the paragraph."""
        return self._md.renderInline(text)

    def _fence(self, tokens, idx, _options, _env) -> str:
        token = tokens[idx]
        language = token.info.strip().split(" ")[0] if token.info else ""
        return code_block(token.content, language, self.c, token.meta.get("caption", ""))

    def _link_open(self, tokens, idx, options, env) -> str:
        href = tokens[idx].attrGet("href") or ""
        if not is_action_link(href):
            return self._md.renderer.renderToken(tokens, idx, options, env)
        close = _closing_link(tokens, idx)
        try:
            action = parse_action(href)
        except ActionError as exc:
            if close is not None:
                close.meta["action"] = "broken"
            return (
                f'<span style="color:{self.c.error};" title="{escape_attr(str(exc))}">'
                "⚠ broken lesson action: "
            )
        if close is not None:
            close.meta["action"] = "button"
        return action_button_open(href, action.describe(), self.c)

    def _link_close(self, tokens, idx, options, env) -> str:
        kind = tokens[idx].meta.get("action")
        if kind == "button":
            return "&nbsp;</a>"
        if kind == "broken":
            return "</span>"
        return self._md.renderer.renderToken(tokens, idx, options, env)

    def _quote_open(self, tokens, idx, _options, _env) -> str:
        kind = _callout_kind(tokens, idx)
        bar, background = getattr(self.c, kind)
        return (
            '<table width="100%" cellspacing="0" cellpadding="0" '
            'style="margin-top:6px; margin-bottom:10px;"><tr>'
            f'<td width="4" bgcolor="{bar}"></td>'
            f'<td bgcolor="{background}" style="padding:4px 10px;">'
        )

    def _quote_close(self, *_args) -> str:
        return "</td></tr></table>"

    def _table_open(self, *_args) -> str:
        return (
            '<table width="100%" cellspacing="0" cellpadding="5" border="1" '
            f'style="border-collapse:collapse; border-color:{self.c.border}; '
            'border-style:solid; margin-top:4px; margin-bottom:10px;">'
        )


def action_button_open(href: str, tip: str, c: Colours) -> str:
    """An action link drawn as a button (Qt's rich text has no buttons: a shaded anchor)."""
    return (
        f'<a href="{escape_attr(href)}" title="{escape_attr("Click to " + tip)}" '
        f'style="background-color:{c.accent}; color:#ffffff; text-decoration:none; '
        'font-weight:600;">&nbsp;▶&nbsp;'
    )


def _closing_link(tokens, idx: int):
    """The link_close token that ends the link opened at idx (links do not nest)."""
    for token in tokens[idx + 1 :]:
        if token.type == "link_close":
            return token
    return None


def escape_attr(text: str) -> str:
    """Text made safe inside a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def _callout_kind(tokens, idx: int) -> str:
    """note, tip or warning, from the bold word that opens a blockquote (note by default)."""
    for token in tokens[idx + 1 : idx + 4]:
        if token.type == "inline":
            match = re.match(r"\*\*(\w+)", token.content)
            if match:
                return CALLOUT_WORDS.get(match.group(1).lower(), "note")
            break
    return "note"


def _fold_excerpt_captions(tokens) -> None:
    """An excerpt's caption paragraph becomes the header of the code box that follows it."""
    for i in range(len(tokens) - 3):
        opening, inline, closing, fence = tokens[i : i + 4]
        if opening.type != "paragraph_open" or fence.type != "fence":
            continue
        match = _EXCERPT.match(inline.content)
        if match is None:
            continue
        path, first, last, note = match.groups()
        fence.meta["caption"] = (
            f'<span style="font-family:{MONO};">{escape(path)}</span> · lines {first}–{last}'
            + (f" · {escape(note)}" if note else "")
        )
        for token in (opening, inline, closing):
            token.hidden = True
            token.type = "excerpt_caption"


def escape(text: str) -> str:
    """Text made safe inside HTML."""
    return html.escape(text, quote=False)
