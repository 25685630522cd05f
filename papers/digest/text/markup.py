"""Links, URLs and emphasis: markdown markup turned into plain text."""

from __future__ import annotations

import html
import re

# Links, URLs, emphasis

# "](url)" or "](<url> "title")". The destination stops at "[" so that in "[a]([a]([a](…"
# each start scans only up to the next one.
_LINK_DEST = r"\(\s*+<?(?P<url>[^\s)>\[]++)>?(?:\s++\"[^\"\n]*+\")?\s*+\)"
# A link never starts at an escaped "\[" (not a link in markdown either); otherwise each of
# the "\[" in "[\[\[\[…" would rescan the rest of the line. The text's alternatives start with
# different characters, so the possessive repeat gives up nothing a match could use.
LINK_RE = re.compile(r"(?<!\\)\[(?P<text>(?:[^\[\]\\\n]++|\\.|\[[^\[\]\n]*+\])*+)\]" + _LINK_DEST)
# Alt text holds no "![": each "![" of "![![![…" is then a start that scans only to the next.
IMAGE_RE = re.compile(r"!\[[^\]\n!]*+(?:!(?!\[)[^\]\n!]*+)*+\]" + _LINK_DEST)
URL_RE = re.compile(r"(?i:https?://)[^\s<>()\[\]\"'`]++")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'])")
_WS_RE = re.compile(r"\s+")


def unescape_md(text: str) -> str:
    if "\\" in text:
        text = _MD_ESCAPE_RE.sub(r"\1", text)
    if "&" in text and ";" in text:
        text = html.unescape(text)
    return text


def strip_emphasis(text: str) -> str:
    """Remove emphasis/code markers wrapping the whole text (``**x**``, ``*x*``, ``_x_``)."""
    text = text.strip()
    if text[:1] not in ("*", "_", "`"):  # fast path: most text has no wrapping markers
        return text
    for _ in range(4):
        for mark in ("***", "**", "__", "*", "_", "`"):
            n = len(mark)
            if len(text) > 2 * n and text.startswith(mark) and text.endswith(mark):
                text = text[n:-n].strip()
                break
        else:
            break
    return text


def links_to_text(text: str) -> str:
    """Replace markdown links by their text (images are dropped)."""
    if "](" not in text:
        return text
    text = IMAGE_RE.sub("", text)
    return LINK_RE.sub(lambda m: m.group("text"), text)
