"""One pass over the lines that finds paper headings and format clues, and picks the format.

The format is decided from content only (file names are never looked at):

* ``hf-summary``: per-paper headings that start with an arXiv id (``## 2505.17612``) plus a
  Hugging Face clue (the "Hugging Face Daily Papers" banner, ``🔗`` link lines or
  ``**Summary**:`` markers);
* ``jekyll``: headings holding a link to the paper (``# 1. [Title](https://arxiv.org/abs/…)``)
  with YAML front matter, or numbered top-level linked headings;
* ``daily-list``: linked headings (``### [Title](…)``) with ``Vote:``/``Authors:`` lines, a
  thumbnail, a ``Daily Papers (DATE)`` banner, or at level 3;
* ``unknown``: anything else; the generic scan then looks for ids in headings and links.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import text as t
from .budget import MAX_HEADINGS, Budget
from .types import FORMAT_DAILY_LIST, FORMAT_HF_SUMMARY, FORMAT_JEKYLL, FORMAT_UNKNOWN


# Not frozen: a frozen dataclass is several times slower to create, and one is made per
# heading line (a digest of many "#" lines); never changed after creation all the same.
@dataclass(slots=True)
class Heading:
    """A markdown ATX heading; ``arxiv_id`` is set for paper headings."""

    index: int  # line index
    level: int
    text: str
    kind: str = "plain"  # "plain", "id" (starts with an id) or "link" (links to a paper)
    arxiv_id: str | None = None
    title: str | None = None  # raw title candidate (link text or text after the id)
    numbered: bool = False
    in_fence: bool = False  # inside a fenced block (a summary), so not a digest heading


@dataclass(slots=True)
class Scan:
    lines: list[str]
    headings: list[Heading] = field(default_factory=list)
    front_matter: dict[str, str] = field(default_factory=dict)
    front_matter_end: int = 0  # index of the first line after the front matter
    votes: int = 0
    authors: int = 0
    thumbnails: int = 0
    summary_markers: int = 0
    link_lines: int = 0  # "🔗 https://huggingface.co/papers/…"
    skipped: list[str] = field(default_factory=list)  # headings that look like papers but aren't
    budget: Budget = field(default_factory=lambda: Budget(None))
    # Set when the parse stopped early (see budget.py): the index of the first line not read,
    # and why. When the scan stops, ``lines`` ends there, so every later step sees a digest
    # that ends at that line.
    stopped_at: int | None = None
    stop_reason: str = ""

    def stop(self, index: int, reason: str) -> None:
        """Read nothing from line ``index`` on, for ``reason`` (reported to organizers)."""
        if self.stopped_at is None or index < self.stopped_at:
            self.stopped_at = index
            self.stop_reason = reason

    def paper_headings(self, kind: str) -> list[Heading]:
        return [h for h in self.headings if h.kind == kind]


def _parse_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    data: dict[str, str] = {}
    for i in range(1, min(len(lines), 200)):
        line = lines[i]
        if line.strip() in ("---", "..."):
            return data, i + 1
        key, sep, value = t.line_head(line).partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            data[key.strip().lower()] = value.strip()
    return {}, 0  # never closed: not front matter


def _heading_fields(line: str) -> tuple[Any, ...]:
    """The fields of the Heading of ``line`` after its index (``()`` if it is no heading):
    level, text, and kind, arxiv_id, title, numbered for a paper heading."""
    h = t.atx_heading(line)
    if not h:
        return ()
    level, text = h
    if not _has_digit(text):  # every arXiv id has digits: the heading is plain
        return h
    lead = t.leading_id(text)
    if lead:
        pid, rest = lead
        return (level, text, "id", pid, rest or None)
    if "](" in text or "http" in text or "arxiv" in text.lower():
        for m in t.LINK_RE.finditer(text):
            ref = t.first_ref(m.group("url")) or t.first_ref(m.group("text"))
            if ref:
                numbered = t.is_numbered_heading(text[: m.start()] + "x")
                return (level, text, "link", ref.arxiv_id, m.group("text"), numbered)
        ref = t.first_ref(text)
        if ref:
            # "Title (arXiv:2505.12345)" or "Title — https://arxiv.org/abs/…": title is the rest.
            rest = (text[: ref.start] + " " + text[ref.end :]).strip(" \t-–—|:()[]<>")
            return (level, text, "link", ref.arxiv_id, rest or None)
    return h


def scan(lines: list[str], budget: Budget | None = None) -> Scan:
    result = Scan(lines)
    if budget is not None:
        result.budget = budget
    result.front_matter, result.front_matter_end = _parse_front_matter(lines)
    outer: str | None = None  # the open fence (a ```markdown summary), if any
    inner: str | None = None  # a code block opened inside it
    cap = t.MAX_LINE_CHARS
    known: dict[str, tuple[Any, ...]] = {}  # heading line -> Heading fields after the index
    start = result.front_matter_end
    for i in range(start, len(lines)):
        # Every 256 lines: each line costs at most O(cap) here, and reading the clock on
        # every line would slow down digests of many short lines.
        if not (i - start) & 255 and result.budget.exhausted():
            result.stop(i, result.budget.reason())
            result.lines = lines[:i]
            break
        line = lines[i]
        if not line:
            continue
        if len(line) > cap:  # every pattern below sees at most MAX_LINE_CHARS characters
            line = line[:cap]
        first = line[0]
        if first == " ":
            first = line.lstrip(" ")[:1]
        if first in ("`", "~"):
            m = t.FENCE_RE.match(line)
            if m:
                mark, info = m.group(1), m.group(2)
                if outer is None:
                    outer = mark
                elif inner is None:
                    if info:
                        inner = mark
                    elif mark[0] == outer[0] and len(mark) >= len(outer):
                        outer = None
                elif mark[0] == inner[0] and len(mark) >= len(inner) and not info:
                    inner = None
                continue
        if first == "#":
            # Headings repeat (and a digest of a million "#" lines must stay cheap): each
            # distinct line is parsed and classified once.
            fields = known.get(line)
            if fields is None:
                fields = known[line] = _heading_fields(line)
            if fields:
                head = Heading(i, *fields)
                if head.kind != "plain":
                    # A paper heading closes whatever fence a truncated summary left open.
                    outer = inner = None
                elif outer is not None:
                    head.in_fence = True
                result.headings.append(head)
                if len(result.headings) >= MAX_HEADINGS and i + 1 < len(lines):
                    reason = f"{MAX_HEADINGS:,} headings read, far more than any digest has"
                    result.stop(i + 1, reason)
                    result.lines = lines[: i + 1]
                    break
            continue
        # Cheap first-character tests keep this loop fast on long digests.
        if first in _VOTE_FIRST and _is_vote(line):
            result.votes += 1
        elif first in _AUTHORS_FIRST and _is_authors(line):
            result.authors += 1
        elif first == "!" and line.startswith("!["):
            result.thumbnails += 1
        elif first == "🔗":
            result.link_lines += 1
        if ("ummary" in line[:14] or "요약" in line[:8]) and t.SUMMARY_MARKER_RE.match(line):
            result.summary_markers += 1
    return result


_has_digit = re.compile(r"[0-9]").search
_VOTE_FIRST = frozenset("VvUuLl추👍*_ \t")
_AUTHORS_FIRST = frozenset("Aa저*_ \t")


def _is_vote(line: str) -> bool:
    return t.VOTE_RE.match(line) is not None


def _is_authors(line: str) -> bool:
    return t.AUTHORS_RE.match(line) is not None


def dominant_level(headings: list[Heading]) -> int:
    return Counter(h.level for h in headings).most_common(1)[0][0]


def detect_format(s: Scan) -> str:
    """Pick the format name from the clues gathered by :func:`scan`."""
    id_heads = s.paper_headings("id")
    link_heads = s.paper_headings("link")
    banner = " ".join(h.text.casefold() for h in s.headings if h.kind == "plain")
    if id_heads and len(id_heads) >= len(link_heads):
        if "hugging face" in banner or s.summary_markers or s.link_lines:
            return FORMAT_HF_SUMMARY
        return FORMAT_UNKNOWN
    if link_heads:
        level = dominant_level(link_heads)
        at_level = [h for h in link_heads if h.level == level]
        numbered = sum(h.numbered for h in at_level)
        if s.front_matter or (level == 1 and numbered * 2 > len(at_level)):
            return FORMAT_JEKYLL
        if s.votes or s.authors or s.thumbnails or "daily papers" in banner or level == 3:
            return FORMAT_DAILY_LIST
    return FORMAT_UNKNOWN
