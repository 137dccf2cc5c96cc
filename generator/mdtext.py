"""Author text to Markdown that can only ever mean that text.

Author text is data. Python-Markdown passes raw HTML and ``javascript:`` links
through, and its extensions give meaning to many characters (``!!!`` opens an
admonition, ``{: …}`` sets attributes, ``*[…]:`` defines an abbreviation,
``|`` splits a table cell). Backslash escapes do not cover all of these, so we
write every character that could mean something as a numeric character
reference (``&#91;`` for ``[``): Markdown and its extensions see no syntax,
and the browser shows the character.

Rich text fields additionally keep ``*emphasis*``, ``**strong**`` and links to
http(s) addresses. We parse them with markdown-it-py (CommonMark, HTML off)
and write back only those constructs; everything else is escaped text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token


class Markdown(str):
    """Text that is already safe Markdown; templates print it unchanged."""

    __slots__ = ()


# Characters that carry meaning somewhere in Markdown or one of its extensions.
_ALWAYS = '\\`*_{}[]<>&|~^=+$#"!'
_TABLE = str.maketrans({c: f"&#{ord(c)};" for c in _ALWAYS})
_TABLE[ord("&")] = "&amp;"
_TABLE[ord("<")] = "&lt;"
_TABLE[ord(">")] = "&gt;"
# At the start of a line, these open lists, quotes, headings, definitions or snippets.
_LINE_START = re.compile(r"^([-+:%.)(/'@?]|\d+[.)])")
_WHITESPACE = re.compile(r"\s+")


def _encode_start(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[:-1] + f"&#{ord(text[-1])};"


def escape(text: object) -> Markdown:
    """Plain author text as Markdown that renders exactly as written, on one line."""
    if isinstance(text, Markdown):
        return text
    return _escape(str(text))


# The caches' sizes were measured at 10,000 briefs: a quarter of what they were
# cost no time (rich text is seldom repeated: 9 lookups in 10 missed either way)
# and lowered the run's peak by 8 MB.
@lru_cache(maxsize=4096)
def _escape(text: str) -> Markdown:
    """The work of :func:`escape`, cached: names, titles and separators recur on many pages."""
    flat = _WHITESPACE.sub(" ", text)
    return Markdown(_LINE_START.sub(_encode_start, flat.translate(_TABLE)))


def escape_html(text: object) -> str:
    """Text for MkDocs front matter, which themes print into HTML unescaped."""
    return html.escape(_WHITESPACE.sub(" ", str(text)).strip(), quote=True)


_URL_SAFE = "/:?#[]@!$&'*+,;=%-._~"


def safe_url(url: str) -> str | None:
    """An http(s) URL made safe for a Markdown link target, or None if it is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    encoded = quote(url.strip(), safe=_URL_SAFE)
    # Brackets, quotes and asterisks could end or restyle the link: encode them too.
    for char in "[]'*":
        encoded = encoded.replace(char, f"%{ord(char):02X}")
    return encoded


def link(text: object, target: str) -> Markdown:
    """A Markdown link with escaped text; ``target`` must be trusted or made safe."""
    return Markdown(f"[{escape(text)}]({target})")


_PARSER = MarkdownIt("zero").enable(["emphasis", "link", "autolink", "escape", "newline"])


_MARKUP = re.compile(r"[*_\[\]<>\\`&]")
"""Characters without which markdown-it would find no construct: plain text takes a fast path."""


@lru_cache(maxsize=1024)
def rich(text: str) -> Markdown:
    """Rich author text: paragraphs, emphasis, strong and http(s) links; nothing else.

    Cached: the same bottom line appears on its page, the home page, topic pages and feeds.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]
    return Markdown("\n\n".join(_rich_paragraph(p) for p in paragraphs))


def _rich_paragraph(paragraph: str) -> str:
    flat = _WHITESPACE.sub(" ", paragraph).strip()
    if not _MARKUP.search(flat):
        return escape(flat)
    tokens = _PARSER.parseInline(flat)
    children = tokens[0].children or [] if tokens else []
    out = _render_inline(children)
    return _LINE_START.sub(_encode_start, out)


def _render_inline(tokens: list[Token]) -> str:
    out: list[str] = []
    hrefs: list[str | None] = []  # the safe target of each open link; None drops the link
    for token in tokens:
        kind = token.type
        if kind in ("em_open", "em_close"):
            out.append("*")
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind == "link_open":
            hrefs.append(safe_url(str(token.attrGet("href") or "")))
            if hrefs[-1]:
                out.append("[")
        elif kind == "link_close":
            href = hrefs.pop() if hrefs else None
            if href:
                out.append(f"]({href})")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        else:
            out.append(escape_inline(token.content))
    return "".join(out)


def escape_inline(text: str) -> str:
    """Escape text that sits inside a line, where line-start rules do not apply."""
    return _WHITESPACE.sub(" ", text).translate(_TABLE)


@lru_cache(maxsize=1024)
def plain(text: str) -> str:
    """Rich text with its formatting removed, for descriptions and reading time."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    if not _MARKUP.search(flat):
        return flat
    tokens = _PARSER.parseInline(flat)
    children = tokens[0].children or [] if tokens else []
    return "".join(t.content for t in children if t.type == "text").strip()


def forget() -> None:
    """Empty the caches of escaped and rendered text, once a run's pages are all rendered.

    They serve the pages of one run; full, as at 10,000 briefs, they and the
    links' cache held 15 MB, which the dependency graph, made after the pages,
    can use instead.
    """
    for cached in (_escape, rich, plain):
        cached.cache_clear()
