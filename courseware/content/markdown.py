"""Markdown -> HTML for chapters, done once at start-up.

CommonMark with raw HTML disabled (content cannot inject scripts), plus
tables, footnotes, heading anchors, callouts and highlighted code. Relative
links are checked and rewritten while rendering; problems are collected with
the line they come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..quizzes.model import QUIZ_SLOT
from .image_size import image_size
from .model import Heading
from .slugs import slugify

CALLOUT_KINDS = ("note", "tip", "warning", "important")
CALLOUT_TITLES = {
    "fr": {"note": "Note", "tip": "Astuce", "warning": "Attention", "important": "Important"},
    "en": {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important"},
}
_FORMATTER = HtmlFormatter(nowrap=True, classsuffix="")
# Shown under a data table on narrow screens, where it scrolls sideways.
TABLE_HINTS = {"fr": "Faites défiler le tableau sur le côté pour tout voir.",
               "en": "Scroll the table sideways to see all of it."}
# French keeps the colon on the line of its word (a no-break space, as in the interface).
TABLE_CAPTION_PREFIX = {"fr": "Tableau\u00a0: ", "en": "Table: "}


@dataclass(frozen=True)
class Reference:
    """A link kept for the checks that need the whole course (content/checks.py)."""

    line: int
    target: str  # as written
    chapter: str | None = None  # the chapter it leads to: its slug, "" for this one
    fragment: str = ""


# `chapter:les-donnees#section` and `../les-donnees/#section`: links by slug, which
# survive renaming the file (a chapter's identity is its slug).
CHAPTER_SCHEME = "chapter"
_SIBLING_PAGE = re.compile(r"\.\./([a-z0-9]+(?:-[a-z0-9]+)*)/")


@dataclass
class RenderContext:
    """What the renderer needs to know about the chapter being rendered."""

    source: Path  # the chapter file
    course_folder: Path
    chapter_slugs_by_file: dict[str, str]  # "02-x.md" -> "x"
    line_offset: int  # lines of front matter before the body
    language: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    # A translated chapter's original folder: a file the translation does not have
    # (its own `<lang>/images/x.svg`) is taken from there.
    fallback_dir: Path | None = None
    links: list[Reference] = field(default_factory=list)


def _highlight(code: str, lang: str, _attrs: Any) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps plain code itself
    return f'<pre class="highlight"><code class="language-{escape(lang)}">' \
        f"{highlight(code, lexer, _FORMATTER)}</code></pre>\n"


def _callout_renderer(kind: str) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
        token = tokens[idx]
        if token.nesting != 1:
            return "</div>\n"
        language = env.get("language", "fr") if isinstance(env, dict) else "fr"
        titles = CALLOUT_TITLES.get(language, CALLOUT_TITLES["en"])
        title = token.info.strip()[len(kind):].strip() or titles[kind]
        return (
            f'<div class="callout callout-{kind}" role="note">'
            f'<p class="callout-title">{escape(title)}</p>\n'
        )

    return render


def _quiz_slot(self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
    """`::: quiz` (its content already taken out by quizzes.parsing) -> a slot for the form."""
    if tokens[idx].nesting != 1 or not isinstance(env, dict):
        return ""
    env["quizzes"] = env.get("quizzes", 0) + 1
    return QUIZ_SLOT.format(number=env["quizzes"]) + "\n"


def _table_open(self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
    """A data table in a keyboard-scrollable region, named by its caption.

    The caption is the title of the section the table is in (Markdown tables
    have none of their own), so a screen reader announces what the table is.
    """
    language = env.get("language", "fr") if isinstance(env, dict) else "fr"
    env["tables"] = env.get("tables", 0) + 1 if isinstance(env, dict) else 1
    number = env["tables"] if isinstance(env, dict) else 1
    meta = tokens[idx].meta or {}
    prefix = TABLE_CAPTION_PREFIX.get(language, TABLE_CAPTION_PREFIX["en"])
    caption = escape(prefix + meta.get("caption", "")) if meta.get("caption") else \
        escape(prefix.rstrip(": \u00a0") + f" {number}")
    wide = " table-wide" if meta.get("columns", 0) >= 3 else ""
    return (f'<div class="table-scroll{wide}" role="region" tabindex="0" '
            f'aria-labelledby="table-{number}-caption">'
            f'<table>\n<caption id="table-{number}-caption">{caption}</caption>\n')


def _table_close(self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
    language = env.get("language", "fr") if isinstance(env, dict) else "fr"
    hint = escape(TABLE_HINTS.get(language, TABLE_HINTS["en"]))
    return f'</table></div>\n<p class="table-hint" aria-hidden="true">{hint}</p>\n'


# Straight quotes typed in an editor become the language's typographic ones: l'IA -> l’IA,
# "prompt" -> « prompt » in French, “prompt” in English (code is left as written).
_QUOTES = {"fr": ["«\u00a0", "\u00a0»", "“", "”"]}
_DEFAULT_QUOTES = "“”‘’"


def build_markdown(language: str = "") -> MarkdownIt:
    quotes = _QUOTES.get(language.split("-")[0], _DEFAULT_QUOTES)
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight, "linkify": False,
                                   "typographer": True, "quotes": quotes})
    md.enable(["table", "strikethrough", "smartquotes"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=lambda text: slugify(text) or "section")
    for kind in CALLOUT_KINDS:
        md.use(container_plugin, name=kind, render=_callout_renderer(kind))
    md.use(container_plugin, name="quiz", render=_quiz_slot)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


@lru_cache(maxsize=16)
def _markdown(language: str) -> MarkdownIt:
    return build_markdown(language)


def render_chapter(body: str, context: RenderContext) -> tuple[str, tuple[Heading, ...], int]:
    """Render a chapter body; returns (html, table of contents, word count)."""
    env: dict[str, Any] = {"language": context.language}
    md = _markdown(context.language)
    tokens = md.parse(body, env)
    toc: list[Heading] = []
    words = 0
    line = context.line_offset + 1
    section = ""  # the title of the section being read: a table's caption
    for index, token in enumerate(tokens):
        if token.map:
            line = context.line_offset + token.map[0] + 1
        if token.type == "heading_open":
            # The text as shown (typographic quotes), not as typed.
            section = "".join(child.content for child in tokens[index + 1].children or ()
                              if child.type in ("text", "code_inline"))
            if token.tag in ("h2", "h3"):
                toc.append(Heading(int(token.tag[1]), str(token.attrGet("id")), section))
        if token.type == "table_open":
            columns = 0
            for later in tokens[index + 1:]:
                if later.type == "th_open":
                    columns += 1
                elif later.type == "tr_close":
                    break
            token.meta = {"caption": section, "columns": columns}
        if token.type == "inline" and token.children:
            words += len(token.content.split())
            child_line = line  # a paragraph spans lines: count its line breaks
            for child in token.children:
                if child.type in ("softbreak", "hardbreak"):
                    child_line += 1
                _rewrite_reference(child, context, child_line)
    html = md.renderer.render(tokens, md.options, env)
    return html, tuple(toc), words


def render_inline_text(text: str, language: str = "") -> str:
    """One line of Markdown (a quiz question or option) -> inline HTML, raw HTML escaped."""
    return _markdown(language).renderInline(text, {})


def render_block_text(text: str, language: str = "") -> str:
    """A few lines of Markdown (a quiz explanation) -> HTML, raw HTML escaped."""
    return _markdown(language).render(text, {})


def _rewrite_reference(token: Token, context: RenderContext, line: int) -> None:
    attr = {"link_open": "href", "image": "src"}.get(token.type)
    if attr is None:
        return
    target = str(token.attrGet(attr) or "")
    if token.type == "image" and not token.content.strip():
        context.problems.append((line, (
            f"image '{target}' has no alternative text: describe what it shows between the "
            "brackets, ![like this](…), for learners who cannot see it")))
    rewritten = _resolve(target, context, line, is_image=token.type == "image")
    if rewritten is not None:
        token.attrSet(attr, rewritten)
        if token.type == "image":
            size = image_size(context.source.parent / unquote(urlsplit(target).path))
            if size is not None:  # reserves the image's place: no jump while it loads
                token.attrSet("width", str(size[0]))
                token.attrSet("height", str(size[1]))


def _resolve(target: str, context: RenderContext, line: int, *, is_image: bool) -> str | None:
    """Map a relative link to its URL (relative to the chapter page), or report it."""
    parts = urlsplit(target)
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if not is_image and (parts.scheme == CHAPTER_SCHEME or _SIBLING_PAGE.fullmatch(parts.path)):
        slug = parts.path if parts.scheme else parts.path.strip("./")
        if slug not in context.chapter_slugs_by_file.values():
            known = ", ".join(sorted(context.chapter_slugs_by_file.values()))
            context.problems.append((line, f"link to unknown chapter slug '{slug}' in '{target}': "
                                     f"the chapters of this course are {known}"))
            return None
        context.links.append(Reference(line, target, slug, parts.fragment))
        return f"../{slug}/{fragment}"
    if parts.scheme or parts.netloc or target.startswith(("#", "/")) or not parts.path:
        if is_image and (parts.scheme or parts.netloc or target.startswith("/")):
            # Images from elsewhere would leak learners' visits to a third party;
            # a site-absolute path would not follow the course when it moves.
            context.problems.append((line, (
                f"image '{target}' is not in the course folder: images from another site are "
                "refused, because loading them tells that site who reads the course (no "
                "third-party requests); copy the file into the course's images/ folder and "
                "write 'images/<file>'")))
        elif target.startswith("#"):
            context.links.append(Reference(line, target, "", parts.fragment))
        elif not is_image:
            context.links.append(Reference(line, target))
        return None
    relative = PurePosixPath(unquote(parts.path))
    resolved = (context.source.parent / relative).resolve()
    if context.fallback_dir is not None and not resolved.exists():
        resolved = (context.fallback_dir / relative).resolve()
    try:
        inside = resolved.relative_to(context.course_folder.resolve())
    except ValueError:
        context.problems.append((line, f"'{target}' points outside the course folder"))
        return None
    if resolved.suffix == ".md" and not is_image:
        slug = context.chapter_slugs_by_file.get(inside.as_posix())
        if slug is None:
            context.problems.append((line, f"link to unknown chapter '{target}'"))
            return None
        context.links.append(Reference(line, target, slug, parts.fragment))
        # Chapter pages live at /courses/<course>/<chapter>/: siblings are one level up.
        return f"../{slug}/{fragment}"
    if not resolved.is_file():
        kind = "image" if is_image else "link"
        context.problems.append((line, f"broken {kind}: '{target}' does not exist"))
        return None
    return f"../assets/{inside.as_posix()}{fragment}"


def pygments_css() -> str:
    """Stylesheet for highlighted code (light and dark)."""
    light = HtmlFormatter(style="default", classsuffix="").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai", classsuffix="").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
