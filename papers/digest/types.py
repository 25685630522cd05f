"""Result types of the digest parser: immutable, plain data, JSON-ready via ``to_dict``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

# Format names, stable strings stored by callers (see the package docstring).
FORMAT_HF_SUMMARY = "hf-summary"
FORMAT_JEKYLL = "jekyll"
FORMAT_DAILY_LIST = "daily-list"
FORMAT_UNKNOWN = "unknown"
FORMATS: tuple[str, ...] = (FORMAT_HF_SUMMARY, FORMAT_JEKYLL, FORMAT_DAILY_LIST, FORMAT_UNKNOWN)


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a paper summary.

    ``heading`` is the cleaned heading text (numbering and emphasis removed), or ``""`` for
    text that comes before the first heading (an introduction paragraph, or a summary that
    has no headings at all). ``body`` is markdown.
    """

    heading: str
    body: str

    def to_dict(self) -> dict[str, str]:
        return {"heading": self.heading, "body": self.body}


@dataclass(frozen=True, slots=True)
class ParsedPaper:
    """One paper of a digest.

    ``arxiv_id`` is normalized (no version, no URL) and always occurs in the input text.
    ``title`` is taken from the text only (a heading, a link text, a quoted title in prose);
    ``None`` when the digest gives none. ``hf_url`` is set only when the digest links the
    paper's Hugging Face page; ``arxiv_url`` is the canonical abstract page built from the id.
    ``summary_ok`` is true when the summary has readable content and is not a failure
    message. ``truncated`` flags a summary that was cut off. ``problems`` are short English
    notes for organizers (each about this paper, without the id prefix).
    """

    arxiv_id: str
    title: str | None
    hf_url: str | None = None
    arxiv_url: str | None = None
    authors: tuple[str, ...] = ()
    votes: int | None = None
    thumbnail: str | None = None
    sections: tuple[Section, ...] = ()
    summary_ok: bool = False
    truncated: bool = False
    problems: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        """The best link for the paper: its Hugging Face page if the digest has one, else arXiv."""
        return self.hf_url or self.arxiv_url

    def to_dict(self) -> dict[str, Any]:
        return {
            "arxiv_id": self.arxiv_id,
            "title": self.title,
            "url": self.url,
            "authors": list(self.authors),
            "votes": self.votes,
            "summary_ok": self.summary_ok,
            "sections": [s.to_dict() for s in self.sections],
            "hf_url": self.hf_url,
            "arxiv_url": self.arxiv_url,
            "thumbnail": self.thumbnail,
            "truncated": self.truncated,
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class EntryFailure:
    """An entry that looks like a paper but could not be read as one (it is not a paper).

    ``line`` is the 1-based line where the entry starts, ``ref`` the start of that line (what
    an organizer looks for in the file), ``reason`` one of the stable codes below (callers
    translate them), ``detail`` what was found (e.g. the link targets that hold no id), and
    ``title`` the entry's title when it has one.
    """

    # Stable reason codes.
    NO_ID = "no-id"  # a paper link or paper-like entry without a valid arXiv id
    REASONS = (NO_ID,)

    line: int
    ref: str
    reason: str
    detail: str = ""
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "ref": self.ref,
            "reason": self.reason,
            "detail": self.detail,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class ParsedDigest:
    """A parsed digest.

    ``format`` is one of :data:`FORMATS`. ``errors`` holds digest-level messages (no papers,
    no date, skipped headings, ...) followed by one line per paper that has problems,
    e.g. ``"paper 2505.02471: summary failed (...); no title in the digest"``.
    ``failures`` lists the entries that look like papers but yield no paper (each also has
    an English line in ``errors``).
    """

    date: datetime.date | None
    format: str
    papers: tuple[ParsedPaper, ...] = ()
    errors: tuple[str, ...] = field(default=())
    failures: tuple[EntryFailure, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "format": self.format,
            "papers": [p.to_dict() for p in self.papers],
            "errors": list(self.errors),
            "failures": [f.to_dict() for f in self.failures],
        }
