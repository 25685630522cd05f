"""``parse_digest``: normalize, detect the format, split into entries, merge, report."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from . import daily_list, generic, hf_summary, jekyll
from . import text as t
from .blocks import Draft, parse_entry
from .detect import Scan, detect_format, scan
from .entries import Entry
from .types import (
    FORMAT_DAILY_LIST,
    FORMAT_HF_SUMMARY,
    FORMAT_JEKYLL,
    FORMAT_UNKNOWN,
    ParsedDigest,
    ParsedPaper,
)

_EntriesFn = Callable[[Scan], tuple[list[Entry], list[str]]]
_DateFn = Callable[[Scan, int], tuple[datetime.date | None, str | None]]
_FORMATS: dict[str, tuple[_EntriesFn, _DateFn]] = {
    FORMAT_HF_SUMMARY: (hf_summary.entries, hf_summary.digest_date),
    FORMAT_JEKYLL: (jekyll.entries, jekyll.digest_date),
    FORMAT_DAILY_LIST: (daily_list.entries, daily_list.digest_date),
    FORMAT_UNKNOWN: (generic.entries, generic.digest_date),
}
_NO_TITLE = "no title in the digest"


def parse_digest(text: str | bytes) -> ParsedDigest:
    """Parse one daily digest. Never raises: problems are reported in ``errors``.

    ``text`` is the digest as ``str`` (bytes are decoded as UTF-8, or UTF-16 with a BOM).
    """
    try:
        return _parse(text)
    except Exception as exc:  # last-resort guard: the code below is written not to raise
        detail, _ = t.normalize_text(f"{type(exc).__name__}: {str(exc)[:200]}")
        return ParsedDigest(
            date=None,
            format=FORMAT_UNKNOWN,
            papers=(),
            errors=(
                f"internal parser error ({detail}); "
                "the digest could not be parsed, please report this file",
            ),
        )


def _parse(raw: str | bytes) -> ParsedDigest:
    text, errors = t.normalize_text(raw)
    if not text.strip():
        errors.append("the digest is empty")
        return ParsedDigest(None, FORMAT_UNKNOWN, (), tuple(errors))
    if t.looks_binary(text):
        errors.append("the input does not look like text (binary data?); nothing was parsed")
        return ParsedDigest(None, FORMAT_UNKNOWN, (), tuple(errors))

    s = scan(text.split("\n"))
    fmt = detect_format(s)
    find_entries, find_date = _FORMATS[fmt]
    entries, notes = find_entries(s)
    if not entries and fmt != FORMAT_UNKNOWN:
        entries, notes = generic.entries(s)
        if entries:
            notes.append(
                f"no paper entries in the expected {fmt} layout; papers were found by a "
                "generic scan of arXiv ids in headings and links"
            )
    elif entries and fmt == FORMAT_UNKNOWN:
        notes.append(
            "the digest layout was not recognized; papers were found by a generic scan of "
            "arXiv ids in headings and links"
        )

    first_line = entries[0].start if entries else len(s.lines)
    date, date_error = find_date(s, first_line)
    if date is None:
        errors.append(date_error or "no digest date found (looked at the lines before the papers)")
    errors.extend(notes)

    drafts: list[Draft] = []
    for e in entries:
        # Never invent an id: it must be part of the text it was read from.
        if e.arxiv_id not in e.source:
            errors.append(f"skipped an entry: its id {e.arxiv_id} is not in the text")
            continue
        body = s.lines[e.body_start : e.body_end]
        if e.lead:
            body = [e.lead, *body]
        drafts.append(parse_entry(e.arxiv_id, e.source, e.title_text, e.heading_text, body))

    papers = _merge(drafts)
    if not papers:
        errors.append(
            "no papers found: the text does not look like a daily digest "
            "(no arXiv ids in headings or links)"
        )
    for p in papers:
        if p.problems:
            errors.append(f"paper {p.arxiv_id}: " + "; ".join(p.problems))
    return ParsedDigest(date, fmt, tuple(papers), tuple(errors))


def _quality(d: Draft) -> tuple[bool, bool, int]:
    return (d.summary_ok, not d.truncated, len(d.sections))


def _merge(drafts: list[Draft]) -> list[ParsedPaper]:
    """One paper per id, in order of first appearance; repeated entries are merged."""
    groups: dict[str, list[Draft]] = {}
    for d in drafts:
        groups.setdefault(d.arxiv_id, []).append(d)
    papers: list[ParsedPaper] = []
    for pid, group in groups.items():
        best = max(group, key=_quality)  # max keeps the first of equals
        titles = [d.title for d in group if d.title]
        title = titles[0] if titles else None
        problems = [p for p in best.problems if p != _NO_TITLE]
        if len(group) > 1:
            problems.append(
                f"listed {len(group)} times in the digest; the entries were merged into one"
            )
            if len(set(titles)) > 1:
                problems.append(f'the repeated entries give different titles; kept "{title}"')
        if title is None:
            problems.append(_NO_TITLE)
        papers.append(
            ParsedPaper(
                arxiv_id=pid,
                title=title,
                hf_url=next((d.hf_url for d in group if d.hf_url), None),
                arxiv_url=t.arxiv_url(pid),
                authors=max((d.authors for d in group), key=len),
                votes=next((d.votes for d in group if d.votes is not None), None),
                thumbnail=next((d.thumbnail for d in group if d.thumbnail), None),
                sections=best.sections,
                summary_ok=best.summary_ok,
                truncated=best.truncated,
                problems=tuple(dict.fromkeys(problems)),
            )
        )
    return papers
