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

from collections import Counter
from dataclasses import dataclass, field

from . import text as t
from .types import FORMAT_DAILY_LIST, FORMAT_HF_SUMMARY, FORMAT_JEKYLL, FORMAT_UNKNOWN


@dataclass(frozen=True, slots=True)
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
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            data[key.strip().lower()] = value.strip()
    return {}, 0  # never closed: not front matter


def _classify_heading(index: int, level: int, text: str) -> Heading:
    lead = t.leading_id(text)
    if lead:
        pid, rest = lead
        return Heading(index, level, text, "id", pid, rest or None)
    if "](" in text or "http" in text or "arxiv" in text.lower():
        for m in t.LINK_RE.finditer(text):
            ref = t.first_ref(m.group("url")) or t.first_ref(m.group("text"))
            if ref:
                numbered = t.is_numbered_heading(text[: m.start()] + "x")
                return Heading(index, level, text, "link", ref.arxiv_id, m.group("text"), numbered)
        ref = t.first_ref(text)
        if ref:
            # "Title (arXiv:2505.12345)" or "Title — https://arxiv.org/abs/…": title is the rest.
            rest = (text[: ref.start] + " " + text[ref.end :]).strip(" \t-–—|:()[]<>")
            return Heading(index, level, text, "link", ref.arxiv_id, rest or None)
    return Heading(index, level, text)


def scan(lines: list[str]) -> Scan:
    result = Scan(lines)
    result.front_matter, result.front_matter_end = _parse_front_matter(lines)
    outer: str | None = None  # the open fence (a ```markdown summary), if any
    inner: str | None = None  # a code block opened inside it
    for i in range(result.front_matter_end, len(lines)):
        line = lines[i]
        if not line:
            continue
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
            h = t.atx_heading(line)
            if h:
                head = _classify_heading(i, h[0], h[1])
                if head.kind != "plain":
                    # A paper heading closes whatever fence a truncated summary left open.
                    outer = inner = None
                elif outer is not None:
                    head = Heading(i, h[0], h[1], in_fence=True)
                result.headings.append(head)
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
