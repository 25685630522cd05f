"""The one way markdown becomes HTML in Seminar: render, then sanitize.

Pages, stored review bodies and the markdownx editor preview (`MARKDOWNX_MARKDOWNIFY_FUNCTION`)
all call `render_markdown`, so what a member previews is exactly what the page shows, and no
`<script>`, event handler or `javascript:` link can reach a page through either.
"""

from __future__ import annotations

import hashlib
import re
import threading

import markdown as markdown_lib
import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_EXTENSIONS = ["extra", "sane_lists", "nl2br"]

# Math is left for KaTeX in the browser. Markdown would otherwise eat the backslashes and
# underscores inside `$…$`, so math spans are swapped out before rendering and put back after.
_MATH = re.compile(r"(?<!\\)(\$\$.+?\$\$|\$[^\s$](?:[^$\n]*?[^\s$])?\$)", re.DOTALL)
# Markdown uses STX/ETX for its own placeholders, so ours are plain text it leaves alone.
_PLACEHOLDER = "@@seminar-math-{}@@"
_PLACEHOLDER_RE = re.compile(r"@@seminar-math-(\d+)@@")


_local = threading.local()


def _markdown() -> markdown_lib.Markdown:
    """A per-thread Markdown instance that treats raw HTML as text.

    Members paste `<script>` or `<img onerror=…>` into reviews when they discuss attacks; showing
    it as inert text is more useful than silently dropping it. nh3 still runs afterwards.
    """
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown_lib.Markdown(extensions=_EXTENSIONS, output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(text: str) -> str:
    """Render user-written markdown to HTML that is safe to put into a page."""
    if not text:
        return ""
    spans: list[str] = []

    def stash(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return _PLACEHOLDER.format(len(spans) - 1)

    source = _MATH.sub(stash, text.replace("\x00", ""))
    html = _markdown().reset().convert(source)
    if spans:
        html = _PLACEHOLDER_RE.sub(
            lambda m: '<span class="math">' + _escape_html(spans[int(m.group(1))]) + "</span>",
            html,
        )
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Bump when the rendering changes (extensions, allowed tags), so no stale HTML is served.
_CACHE_VERSION = 1
_CACHE_SECONDS = 7 * 24 * 60 * 60
_CACHE_MIN_CHARS = 64  # shorter text renders faster than a cache round trip


def render_markdown_cached(text: str) -> str:
    """`render_markdown`, remembered in Django's cache by the text's hash.

    For text rendered on every request that has no stored HTML (imported paper summaries,
    the editor's previews of a draft). The key is the content itself, so an edit is never
    served stale HTML and nothing needs invalidating.
    """
    if not text or len(text) < _CACHE_MIN_CHARS:
        return render_markdown(text)
    from django.core.cache import cache

    key = "markdown:{}:{}".format(
        _CACHE_VERSION, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        html = render_markdown(text)
        cache.set(key, html, _CACHE_SECONDS)
    return html
