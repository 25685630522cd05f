"""Headings and lines: ATX and bold headings, blank trimming, joining a body."""

from __future__ import annotations

import re

from papers.digest.text.markup import _WS_RE, links_to_text, strip_emphasis, unescape_md
from papers.digest.text.normalize import line_head
from papers.digest.text.titles import _NUMBERING_RE

# Headings and lines

BOLD_HEAD_RE = re.compile(
    r"^ ?(?:[0-9]{1,2}[.)][ \t]*+)?(\*{2,3}|_{2,3})(?=[^*_\s])(?P<label>[^\n]{1,150}?)\1"
    r"[ \t]*+[:：]?[ \t]*+$"
)
BULLET_LABEL_RE = re.compile(
    r"^[-*+][ \t]++(\*{2,3}|_{2,3})(?=[^*_\s])(?P<label>[^*_\n]{1,80}?)[:：]?\1"
    r"[ \t]*+[:：]?[ \t]*+(?P<rest>.*)$"
)
# The fence run is the whole run of ` or ~ (as CommonMark reads it); possessive, since a
# shorter run leaves a ` or ~ that the info string and the rest cannot take either (the
# backtracking version is cubic on "~~~…~`").
FENCE_RE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)[ \t]*+([^`\s]*+)[^`]*+$")
HR_RE = re.compile(r"^ {0,3}+(?:(?:-[ \t]*+){3,}+|(?:\*[ \t]*+){3,}+|(?:_[ \t]*+){3,}+)$")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, else None.

    Plain string code (as CommonMark describes it): up to three spaces, one to six ``#``,
    then a space, a tab or the end of the line; the text is stripped and loses a closing
    run of ``#`` that stands alone. The regex this replaces was quadratic on long runs of
    spaces inside the text.
    """
    body = line.lstrip(" ")
    if body[:1] != "#" or len(line) - len(body) > 3:
        return None
    rest = body.lstrip("#")
    level = len(body) - len(rest)
    if level > 6 or (rest and rest[0] not in " \t"):
        return None
    text = rest.strip(" \t")
    if text.endswith("#"):
        unclosed = text.rstrip("#")
        if not unclosed:
            text = ""
        elif unclosed[-1] in " \t":
            text = unclosed.rstrip(" \t")
    return level, text.strip()


def bold_heading(line: str) -> str | None:
    """The label of a line that is only bold text (``**1. Foo**``, ``1. **Foo**:``)."""
    if "**" not in line and "__" not in line:
        return None
    m = BOLD_HEAD_RE.match(line)
    if not m:
        return None
    label = m.group("label").strip()
    if not label or (label.endswith((".", "。")) and not _NUMBERING_RE.match(label)):
        return None
    return label


_NUMBER_FIRST = frozenset("0123456789IVX")


def clean_heading(text: str) -> str:
    """Heading text for display: no emphasis, numbering, links or trailing colon."""
    text = unescape_md(links_to_text(text))
    text = strip_emphasis(text)
    if text[:1] in _NUMBER_FIRST:
        text = strip_emphasis(_NUMBERING_RE.sub("", text, count=1))
    text = _WS_RE.sub(" ", text).strip()
    if text.endswith((":", "：")):
        text = text[:-1].rstrip()
    return text


def is_numbered_heading(text: str) -> bool:
    return _NUMBERING_RE.match(strip_emphasis(text)) is not None


def trim_blank(lines: list[str]) -> list[str]:
    """Drop blank lines and horizontal rules (paper separators) at both ends."""
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or HR_RE.match(line_head(lines[start]))):
        start += 1
    while end > start and (not lines[end - 1].strip() or HR_RE.match(line_head(lines[end - 1]))):
        end -= 1
    return lines[start:end]


# A line with text that does not start with a space: then join_body has no indentation to
# remove (lines of whitespace only do not count, as there).
_UNINDENTED_LINE_RE = re.compile(r"^(?! )[^\S\n]*+\S", re.MULTILINE)


def join_body(lines: list[str]) -> str:
    """Join body lines: trimmed, common indentation removed, trailing spaces kept (md breaks)."""
    lines = trim_blank(lines)
    if not lines:
        return ""
    text = "\n".join(lines)
    if _UNINDENTED_LINE_RE.search(text):  # the usual case, found at C speed: no indent
        return text.strip("\n")
    indent = min(
        (len(line) - len(line.lstrip(" ")) for line in lines if line.strip()),
        default=0,
    )
    if indent:
        lines = [line[indent:] if line[:indent].isspace() else line.lstrip(" ") for line in lines]
    return "\n".join(lines).strip("\n")
