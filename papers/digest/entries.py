"""Splitting a digest into paper entries, given the paper headings a format uses."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from . import text as t
from .detect import Heading, Scan, dominant_level


@dataclass(slots=True)  # not frozen, for speed (see detect.Heading); never changed
class Entry:
    """Where one paper entry sits in the lines of the digest."""

    arxiv_id: str
    source: str  # the text the id was read from: checked to contain the id
    title_text: str | None  # raw title candidate from the heading/link, if any
    heading_text: str
    start: int  # first line of the entry (its heading)
    body_start: int
    body_end: int
    lead: str = ""  # text after the paper link on the anchor line: opens the summary


_BAD_ID_HEAD_RE = re.compile(r"^[\[(`*_\s]*+(?:(?i:arxiv)\s*+[:.]?\s*+)?[0-9]{3,5}\.[0-9]")


def heading_entries(
    s: Scan, anchors: list[Heading], stop_at_same_level: bool
) -> tuple[list[Entry], list[str]]:
    """Entries for ``anchors`` (paper headings, all at one level).

    An entry runs to the next paper heading. With ``stop_at_same_level`` (linked-heading
    formats, whose summaries use deeper headings) a non-paper heading at or above the paper
    level also ends it; otherwise (id headings: summaries may hold any heading, even
    ``# Title`` when not fenced) only paper headings do. Headings inside fenced blocks never
    count. Returns entries and notes about headings that look like paper entries but carry
    no valid arXiv id.
    """
    if not anchors:
        return [], []
    level = anchors[0].level
    anchor_lines = {h.index for h in anchors}
    entries: list[Entry] = []
    notes: list[str] = []
    current: Heading | None = None
    n_lines = len(s.lines)

    def close(end: int) -> None:
        if current is not None and current.arxiv_id:
            entries.append(
                Entry(
                    current.arxiv_id,
                    current.text,
                    current.title,
                    current.text,
                    current.index,
                    current.index + 1,
                    end,
                )
            )

    for h in s.headings:
        if h.index in anchor_lines:
            close(h.index)
            current = h
            continue
        if h.in_fence:
            continue
        ends = stop_at_same_level and h.level <= level
        if h.level == level and h.kind == "plain" and _looks_like_paper(h, stop_at_same_level):
            notes.append(
                f"heading {_quote(h.text)} looks like a paper entry but has no valid arXiv id; "
                "it was skipped"
            )
            ends = True
        if ends and current is not None:
            close(h.index)
            current = None
    close(n_lines)
    return entries, notes


def _looks_like_paper(h: Heading, linked: bool) -> bool:
    if linked:
        return "](" in h.text or t.is_numbered_heading(h.text)
    return _BAD_ID_HEAD_RE.match(h.text) is not None


def _quote(text: str, limit: int = 80) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


def anchors_of(s: Scan, kinds: tuple[str, ...]) -> list[Heading]:
    heads = [h for h in s.headings if h.kind in kinds]
    if not heads:
        return []
    level = dominant_level(heads)
    return [h for h in heads if h.level == level]


def preamble_date(
    s: Scan, end: int, first: tuple[str, ...] = ()
) -> tuple[datetime.date | None, str | None]:
    """The digest date: from ``first`` chunks, then headings before ``end``, then the lines
    before ``end`` (at most 60 of each: the date is near the top)."""
    heads = [h.text for h in s.headings[:60] if h.index < end and h.kind == "plain" and h.text]
    start = s.front_matter_end
    body = "\n".join(t.line_head(line) for line in s.lines[start : min(end, start + 60)])
    return t.first_date((*first, *heads, body))
