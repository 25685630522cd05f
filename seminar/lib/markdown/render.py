"""The one way markdown becomes HTML in Seminar: render, then sanitize.

Pages, stored review bodies and the markdownx editor preview (`MARKDOWNX_MARKDOWNIFY_FUNCTION`)
all call `render_markdown`, so what a member previews is exactly what the page shows, and no
`<script>`, event handler or `javascript:` link can reach a page through either.

Every member (reviews, previews, autosaves) and every digest author (paper summaries) chooses
the text, so rendering is bounded as well as sanitized, and never raises:

- at most `MARKDOWN_MAX_CHARS` characters are rendered; longer text shows its first part and a
  visible note (the stored text is kept whole);
- the places where python-markdown is super-linear are replaced by linear ones that give the
  same HTML: finding the `]` of every `[` and the `)` after every `](` (20,000 `[` took 35 s),
  re-reading a block from the start each time a header or rule is taken off it, rebuilding a
  paragraph's text after every inline match; where no exact linear form exists the input is
  bounded instead: block nesting (a thousand nested `1. ` raised RecursionError), the number
  of abbreviations, footnote ids, link titles that never close;
- a time budget (`MARKDOWN_RENDER_SECONDS`) is checked at every inline match and block step,
  in the rendering thread itself (no signals, no extra threads), for whatever is still unknown;
- anything that still goes wrong (budget, an exception) shows the text as plain escaped
  paragraphs with a note, through the same sanitizer; math placeholders carry a per-call nonce,
  so text cannot forge one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from seminar.lib.markdown.blocks import _local, _OverBudget
from seminar.lib.markdown.guard import _Guard

logger = logging.getLogger(__name__)


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


# A table's column alignment (`|---:|`): python-markdown writes it as an inline style, which
# the sanitizer drops and the page's CSP would refuse. It becomes one of three classes instead
# (static/css/app.css), the only classes a cell may carry. Raw HTML in the text is escaped
# before this runs (see `_markdown`), so only python-markdown's own cells match.
_ALIGNED_CELL = re.compile(r'<(th|td) style="text-align: (left|right|center);">')
_ALIGN_CLASSES = {"align-left", "align-right", "align-center"}
_ALLOWED_CLASSES = {"th": _ALIGN_CLASSES, "td": _ALIGN_CLASSES}


_EXTENSIONS = ["extra", "sane_lists", "nl2br"]


# Math is left for KaTeX in the browser. Markdown would otherwise eat the backslashes and
# underscores inside `$…$`, so math spans are swapped out before rendering and put back after.
_MATH = re.compile(r"(?<!\\)(\$\$.+?\$\$|\$[^\s$](?:[^$\n]*?[^\s$])?\$)", re.DOTALL)


# Markdown uses STX/ETX for its own placeholders, so ours are plain text it leaves alone. Each
# call draws a fresh nonce: text that merely looks like a placeholder (a digest can contain
# anything) is never taken for one, so it stays literal text instead of indexing past the list.
# The nonce and its dash are 20 characters, a multiple of the tab width: python-markdown
# expands tabs by column, so a tab after math still becomes as many spaces as before.
_PLACEHOLDER = "@@seminar-math-{nonce}-{index}@@"


_NONCE_CHARS = 19


# Defaults of the settings that bound rendering.
# 100,000 characters: twice the longest section a review may have (reviews.services
# MAX_BODY_CHARS, 50,000) and about twice the largest whole digest file seen (~53 KB), so
# nothing real is cut. The slowest 100,000-character inputs found (16,000 table rows, 5,600
# footnotes, 25,000 fenced blocks) render in 1-2 s on a busy 2-core machine, prose in 0.2 s.
_DEFAULT_MAX_CHARS = 100_000


# Far above any real render (milliseconds) and above the slowest inputs under the cap, so it
# only stops text that is slow in a way not yet found.
_DEFAULT_RENDER_SECONDS = 5.0


def _markdown() -> tuple[markdown_lib.Markdown, _Guard]:
    """A per-thread Markdown instance that treats raw HTML as text.

    Members paste `<script>` or `<img onerror=…>` into reviews when they discuss attacks; showing
    it as inert text is more useful than silently dropping it. nh3 still runs afterwards.
    """
    pair = getattr(_local, "md", None)
    if pair is None:
        md = markdown_lib.Markdown(extensions=_EXTENSIONS, output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        pair = _local.md = (md, _Guard(md))
    return pair


def _discard_markdown() -> None:
    """Forget this thread's instance: an exception inside python-markdown leaves its parser
    state behind (every later render on the thread came out as raw text), so start afresh."""
    _local.md = None


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        allowed_classes=_ALLOWED_CLASSES,
    )


def _max_chars() -> int:
    return int(getattr(settings, "MARKDOWN_MAX_CHARS", _DEFAULT_MAX_CHARS))


def _render_seconds() -> float | None:
    seconds = getattr(settings, "MARKDOWN_RENDER_SECONDS", _DEFAULT_RENDER_SECONDS)
    return float(seconds) if seconds else None


def _to_html(text: str) -> str:
    """Markdown to (unsanitized) HTML, with math spans kept for KaTeX."""
    nonce = secrets.token_hex(10)[:_NONCE_CHARS]
    spans: list[str] = []

    def stash(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return _PLACEHOLDER.format(nonce=nonce, index=len(spans) - 1)

    source = _MATH.sub(stash, text)
    md, guard = _markdown()
    md.reset()
    guard.start(seconds=_render_seconds(), chars=len(source))
    html = _ALIGNED_CELL.sub(r'<\1 class="align-\2">', md.convert(source))
    if spans:
        html = re.sub(
            "@@seminar-math-" + nonce + r"-(\d+)@@",
            lambda m: '<span class="math">' + _escape_html(spans[int(m.group(1))]) + "</span>",
            html,
        )
    return html


def _plain_html(text: str) -> str:
    """The text itself, escaped, one paragraph per blank-line-separated block."""
    paragraphs = re.split(r"\n[ \t]*\n", text.strip("\n"))
    return "".join(
        "<p>" + _escape_html(paragraph).replace("\n", "<br>\n") + "</p>\n"
        for paragraph in paragraphs
        if paragraph.strip()
    )


def _note(message: str) -> str:
    return "<p><em>" + _escape_html(message) + "</em></p>\n"


def _cut(text: str, limit: int) -> str:
    """The first `limit` characters, ending at a line break when one is near the end."""
    head = text[:limit]
    newline = head.rfind("\n", limit - limit // 10)
    return head[:newline] if newline > 0 else head


def _render(text: str) -> tuple[str, bool]:
    """(sanitized HTML, whether it depends only on the text and may be cached)."""
    if not text:
        return "", True
    text = _clean(text)
    limit = _max_chars()
    shown = _cut(text, limit) if len(text) > limit else text
    cacheable = True
    try:
        html = _sanitize(_to_html(shown))
    except Exception as error:  # no text may turn a page into a 500
        _discard_markdown()
        # A slow machine can go over the time budget on text that renders in time elsewhere.
        cacheable = not isinstance(error, _OverBudget)
        html = _plain_fallback(shown)
        _log_failure(error, len(shown))
    if len(shown) < len(text):
        html += _sanitize(
            _note(
                _(
                    "This text is %(total)d characters long; only the first %(shown)d are "
                    "shown here."
                )
                % {"total": len(text), "shown": len(shown)}
            )
        )
    return html, cacheable


def _clean(text: str) -> str:
    """Without NUL (PostgreSQL refuses it) and lone surrogates (from JSON escapes in a digest;
    neither nh3 nor the response encoder accepts them)."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _plain_fallback(text: str) -> str:
    plain = _plain_html(text)
    try:
        return _sanitize(
            plain + _note(_("This text could not be formatted, so it is shown as plain text."))
        )
    except Exception:  # e.g. RecursionError when called near the stack limit
        return plain  # escaped text in <p> and <br> only: safe as it is


def _log_failure(error: Exception, length: int) -> None:
    try:
        if isinstance(error, _OverBudget):
            logger.warning("markdown: %d characters went over the render budget", length)
        else:
            logger.warning("markdown: %d characters could not be rendered", length, exc_info=True)
    except Exception:  # logging must not be what breaks the page
        pass


def render_markdown(text: str) -> str:
    """Render user-written markdown to HTML that is safe to put into a page. Never raises."""
    try:
        return _render(text)[0]
    except Exception:  # the fallback itself failed (a stack at its limit): escaped text only
        return (
            "<p>"
            + _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + "</p>"
        )


# Bump when the rendering changes (extensions, allowed tags), so no stale HTML is served.
_CACHE_VERSION = 3
# For other caches of HTML made by `render_markdown` (paper summaries) to put in their keys.
RENDER_VERSION = _CACHE_VERSION
_CACHE_SECONDS = 7 * 24 * 60 * 60
_CACHE_MIN_CHARS = 64  # shorter text renders faster than a cache round trip


def render_markdown_cached(text: str) -> str:
    """`render_markdown`, remembered in Django's cache by the text's hash.

    For text rendered on every request that has no stored HTML (imported paper summaries,
    the editor's previews of a draft). The key is the content itself, so an edit is never
    served stale HTML and nothing needs invalidating. It also names the length cap and the
    language, which the notes for long or unformattable text depend on. A render cut short by
    the time budget is not kept: the next request tries again.
    """
    if not text or len(text) < _CACHE_MIN_CHARS:
        return render_markdown(text)
    from django.core.cache import cache

    key = "markdown:{}:{}:{}:{}".format(
        _CACHE_VERSION,
        _max_chars(),
        get_language() or "",
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )
    html = cache.get(key)
    if html is None:
        html, cacheable = _render(text)
        if cacheable:
            cache.set(key, html, _CACHE_SECONDS)
    return html
