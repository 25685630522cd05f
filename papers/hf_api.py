"""The Hugging Face Daily Papers API as a digest source: one date's JSON answer → digest text.

`GET <base>?date=YYYY-MM-DD` answers a JSON list, one object per paper of that date:
`{"paper": {"id", "title", "summary", "authors": [{"name"}], "upvotes", ...}, "title",
"summary", "numComments", ...}`. The answer is turned into the digest text the parser already
reads (the daily-list format: `## Daily Papers (DATE)`, then per paper a linked `###` title,
`Vote:`, `Authors:` and the abstract), and stored through `store_digest` like any downloaded
file, so the same answer is the same digest and the import engine, its progress and its error
reporting are the ones every digest goes through.

No database here; `papers.polling` fetches and stores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext as _

DEFAULT_BASE_URL = "https://huggingface.co/api/daily_papers"
# Deeper than any real answer (list → object → paper → authors → author: 5); a document
# nested thousands deep would otherwise exhaust the decoder's recursion (RecursionError).
MAX_JSON_DEPTH = 32
# Bounds on what one entry may put in the digest (the real API stays far below them).
MAX_TITLE_CHARS = 500
MAX_AUTHORS = 200
MAX_ABSTRACT_CHARS = 20_000
# arXiv ids as the Hub gives them: new style (2505.12345, optionally with a version) or old.
_ARXIV_ID_RE = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?", re.ASCII)
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_BRACKET_RE = re.compile(r"[\[\]{}]")
_SPACE_RE = re.compile(r"\s+")


class AnswerError(Exception):
    """The API's answer is not a list of papers; the message says why, for the organizers."""


@dataclass(frozen=True)
class HFPaper:
    arxiv_id: str  # "" when the entry has no usable id
    title: str
    authors: tuple[str, ...] = ()
    votes: int | None = None
    abstract: str = ""


@dataclass
class DailyPapers:
    day: date
    papers: list[HFPaper] = field(default_factory=list)

    @property
    def without_id(self) -> list[HFPaper]:
        return [paper for paper in self.papers if not paper.arxiv_id]


def day_url(base_url: str, day: date) -> str:
    """The API's URL for one date: the base URL with `date=YYYY-MM-DD` added to its query."""
    parts = urlsplit(base_url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "date"]
    query.append(("date", day.isoformat()))
    return urlunsplit(parts._replace(query=urlencode(query)))


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (linear, no decoding)."""
    depth = 0
    for match in _BRACKET_RE.finditer(_STRING_RE.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def parse_answer(data: bytes, *, day: date, max_bytes: int) -> DailyPapers:
    """The papers of one date from the API's answer; `AnswerError` if it is not a list.

    Tolerant of what varies between entries: missing fields, nulls, extra fields, fields of
    the wrong type (ignored). An entry without a usable arXiv id is kept with an empty id, so
    the caller reports it instead of losing it.
    """
    if len(data) > max_bytes:
        raise AnswerError(
            _("The answer is larger than the limit of %(limit)s bytes.") % {"limit": max_bytes}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerError(_("The answer is not UTF-8 text.")) from exc
    if json_depth_exceeds(text):
        raise AnswerError(_("The answer is nested too deeply to be a list of papers."))
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AnswerError(_("The answer is not valid JSON.")) from exc
    if not isinstance(document, list):
        raise AnswerError(_("The answer is not a list of papers."))
    return DailyPapers(day=day, papers=[_entry(item) for item in document])


def _entry(item: object) -> HFPaper:
    if not isinstance(item, dict):
        return HFPaper(arxiv_id="", title="")
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else {}
    raw_id = _text(paper.get("id")) or _text(item.get("id"))
    arxiv_id = raw_id if _ARXIV_ID_RE.fullmatch(raw_id) else ""
    title = _one_line(_text(paper.get("title")) or _text(item.get("title")))
    abstract = _one_line(_text(paper.get("summary")) or _text(item.get("summary")))
    authors = []
    raw_authors = paper.get("authors")
    for author in raw_authors if isinstance(raw_authors, list) else []:
        name = _one_line(_text(author.get("name")) if isinstance(author, dict) else _text(author))
        if name:
            authors.append(name)
    votes = paper.get("upvotes", item.get("upvotes"))
    if isinstance(votes, bool) or not isinstance(votes, int) or votes < 0:
        votes = None
    return HFPaper(
        arxiv_id=arxiv_id,
        title=title[:MAX_TITLE_CHARS] or (raw_id and _one_line(raw_id)[:MAX_TITLE_CHARS]),
        authors=tuple(authors[:MAX_AUTHORS]),
        votes=votes,
        abstract=abstract[:MAX_ABSTRACT_CHARS],
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _one_line(value: str) -> str:
    # Line breaks in a title or an abstract would end the entry's line in the digest.
    return _SPACE_RE.sub(" ", value.replace("\x00", "")).strip()


def _link_text(title: str) -> str:
    # Brackets would end the link text early; the parser reads the text between them.
    return title.replace("[", "(").replace("]", ")")


def _paragraph(text: str) -> str:
    # A paragraph must not start like a block of its own (a heading would start a new paper).
    return "\\" + text if text[:1] in "#>-*+=|`~<" else text


def digest_text(daily: DailyPapers) -> str:
    """The digest for one date, in the format the parser reads (see the module docstring).

    An entry without an arXiv id keeps its place as a `###` entry linked to the Hub without an
    id: the parser reports it ("looks like a paper entry but has no valid arXiv id"), so the
    import page shows the lost entry instead of dropping it silently.
    """
    lines = [f"## Daily Papers ({daily.day.isoformat()})", ""]
    for paper in daily.papers:
        # Digest text is data, not interface: not translated (its hash must not depend on it).
        title = _link_text(paper.title) or "Untitled entry"
        if paper.arxiv_id:
            lines.append(f"### [{title}](https://arxiv.org/abs/{paper.arxiv_id})")
        else:
            lines.append(f"### [{title}](https://huggingface.co/papers/)")
        lines.append("")
        if paper.votes is not None:
            lines += [f"Vote: {paper.votes}", ""]
        if paper.authors:
            lines += [f"Authors: {', '.join(paper.authors)}", ""]
        if paper.abstract:
            lines += [_paragraph(paper.abstract), ""]
    return "\n".join(lines)
