"""Fallback for digests of an unknown layout.

First choice: headings that start with an arXiv id or link to a paper (any level). If there
are none, lines that start with a link to a paper (list items such as
``- [Title](https://arxiv.org/abs/…)``, ``🔗 https://huggingface.co/papers/…``, bare URLs,
``arXiv:…``); each runs to the next such line, and a heading just above it gives the title.
Ids that are only mentioned inside prose are not papers of the digest.
"""

from __future__ import annotations

import datetime
import re

from . import text as t
from .detect import Heading, Scan
from .entries import Entry, anchors_of, heading_entries, preamble_date

_LINE_PREFIX_RE = re.compile(r"^(?:(?:[-*+]|[0-9]{1,3}[.)])[ \t]++)?(?:[^\w\s\[<(]{1,2}[ \t]*+)?")
_LABEL_RE = re.compile(
    r"^(?:[*_]{0,2}(?i:arxiv|link|url|paper|pdf|hf|hugging\s*+face|source)[*_]{0,2}\s*+[:：]\s*+)"
)


def entries(s: Scan) -> tuple[list[Entry], list[str]]:
    anchors = anchors_of(s, ("id", "link"))
    if anchors:
        linked = sum(h.kind == "link" for h in anchors) * 2 > len(anchors)
        return heading_entries(s, anchors, stop_at_same_level=linked)
    return line_entries(s), []


def _line_anchor(line: str) -> tuple[str, str | None, str] | None:
    """(id, title candidate, rest of line) when ``line`` starts with a paper reference.

    The patterns see the line's head (``t.line_head``); the rest of the line comes from the
    whole line, so a long line loses no summary text.
    """
    whole = _LINE_PREFIX_RE.sub("", line.strip(), count=1)
    bare = t.line_head(whole)
    if bare.startswith("["):
        m = t.LINK_RE.match(bare)
        if m:
            ref = t.first_ref(m.group("url")) or t.first_ref(m.group("text"))
            if ref:
                return ref.arxiv_id, m.group("text"), whole[m.end() :].strip(" \t-–—:|")
        return None
    ref = t.first_ref(bare)
    if ref is None:
        return None
    label = _LABEL_RE.match(bare)
    if ref.start <= 1 or (label and ref.start <= label.end() + 1):
        # The line starts with the reference ("<" or a "PDF:" label allowed).
        rest = whole[ref.end :].lstrip(">").strip(" \t-–—:|")
        return ref.arxiv_id, None, rest
    # "Title — https://arxiv.org/abs/…" / "Title (arXiv:…)": the reference ends the line.
    if whole[ref.end :].strip(" \t>)].,"):
        return None
    title = bare[: ref.start].strip(" \t-–—:|(<[")
    return ref.arxiv_id, title or None, ""


def line_entries(s: Scan) -> list[Entry]:
    lines = s.lines
    plain_heads: dict[int, Heading] = {h.index: h for h in s.headings if h.kind == "plain"}
    found: list[tuple[int, int, str, str, str | None, str]] = []
    last_id: str | None = None
    for i in range(s.front_matter_end, len(lines)):
        if not (i - s.front_matter_end) & 255 and s.budget.exhausted():  # as in detect.scan
            s.stop(i, s.budget.reason())
            break
        line = lines[i]
        if not line or line[0] in " \t" or i in plain_heads:
            if i in plain_heads:
                last_id = None
            continue
        low = t.line_head(line).lower()
        if "arxiv" not in low and "huggingface.co/papers/" not in low:
            continue
        anchor = _line_anchor(line)
        if anchor is None:
            continue
        pid, title, rest = anchor
        if pid == last_id:
            continue  # a second link to the same paper inside its entry
        last_id = pid
        start = i
        # "## Title" just above a bare link line ("🔗 https://huggingface.co/papers/…") is
        # the paper's heading; a heading above a titled list item is a list caption.
        for back in (i - 1, i - 2) if title is None else ():
            if back >= s.front_matter_end and back in plain_heads:
                start = back
                title = plain_heads[back].text
                break
            if back < 0 or lines[back].strip():
                break
        found.append((start, i, pid, t.line_head(line), title, rest))
    result: list[Entry] = []
    last_end = len(lines) if s.stopped_at is None else s.stopped_at
    for n, (start, idx, pid, line, title, rest) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else last_end
        # Text after the link on the same line opens the entry's summary.
        result.append(Entry(pid, line, title, line, start, idx + 1, end, rest))
    return result


def digest_date(s: Scan, end: int) -> tuple[datetime.date | None, str | None]:
    fm = s.front_matter
    first = tuple(fm[key] for key in ("title", "date") if fm.get(key))
    return preamble_date(s, end, first)
