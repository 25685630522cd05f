"""``parse_digest``: normalize, detect the format, split into entries, merge, report."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from . import daily_list, generic, hf_summary, jekyll, structure
from . import text as t
from .blocks import Draft, parse_entry
from .budget import (
    DEFAULT_BUDGET_SECONDS,
    DEFAULT_CLOCK,
    MAX_ENTRIES,
    Budget,
    stop_note,
)
from .detect import Scan, detect_format, scan
from .entries import Entry
from .types import (
    FORMAT_DAILY_LIST,
    FORMAT_HF_SUMMARY,
    FORMAT_JEKYLL,
    FORMAT_UNKNOWN,
    EntryFailure,
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


def parse_digest(
    text: str | bytes,
    *,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
    clock: Callable[[], float] = DEFAULT_CLOCK,
) -> ParsedDigest:
    """Parse one daily digest. Never raises: problems are reported in ``errors``.

    ``text`` is the digest as ``str`` (bytes are decoded as UTF-8, or UTF-16 with a BOM).
    Parsing takes time linear in the size of the text, whatever it holds. It reads at most
    a fixed amount of structure and, as a backstop, stops after ``budget_seconds`` on
    ``clock`` (CPU time of this thread; ``None``: no budget); then it keeps the papers read
    so far and reports where it stopped (see ``budget.py``).
    """
    try:
        return _parse(_Job(text, Budget(budget_seconds, clock)))
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


@dataclass(frozen=True, slots=True)
class _Job:
    """One parse: the input and its budget."""

    raw: str | bytes
    budget: Budget


def _parse(job: _Job) -> ParsedDigest:
    budget = job.budget
    text, errors = t.normalize_text(job.raw)
    if not text.strip():
        errors.append("the digest is empty")
        return ParsedDigest(None, FORMAT_UNKNOWN, (), tuple(errors))
    if t.looks_binary(text):
        errors.append("the input does not look like text (binary data?); nothing was parsed")
        return ParsedDigest(None, FORMAT_UNKNOWN, (), tuple(errors))

    all_lines = text.split("\n")
    s = scan(all_lines, budget)
    fmt = detect_format(s)
    find_entries, find_date = _FORMATS[fmt]
    entries, notes = find_entries(s)
    if fmt == FORMAT_UNKNOWN or not entries:
        found = (
            None
            if s.stopped_at is not None
            else structure.find_papers(text, references=len(entries))
        )
        if found is not None and (found.drafts or found.failures):
            return _structural(s, fmt, found, errors, find_date)
        if found is None and len(text) > structure.MAX_CHARS:
            notes.append(
                f"the digest is longer than {structure.MAX_CHARS:,} characters: its layout was "
                "read line by line only (headings and link lines), not as a markdown document"
            )
        elif found is None and s.stopped_at is None:
            notes.append(
                "the digest lists papers more densely than any real digest (under "
                f"{structure.MIN_CHARS_PER_REFERENCE} characters a paper): its layout was read "
                "line by line only (headings and link lines), not as a markdown document"
            )
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

    if len(entries) > MAX_ENTRIES:
        s.stop(entries[MAX_ENTRIES].start, _too_many_entries(entries))
        entries = entries[:MAX_ENTRIES]
    drafts: list[Draft] = []
    unchecked = 256  # lines read since the budget was last checked: check every 256 lines
    for e in entries:
        unchecked += e.body_end - e.start
        if unchecked >= 256:
            unchecked = 0
            if budget.exhausted():
                s.stop(e.start, budget.reason())
                break
        # Never invent an id: it must be part of the text it was read from.
        if e.arxiv_id not in e.source:
            errors.append(f"skipped an entry: its id {e.arxiv_id} is not in the text")
            continue
        body = s.lines[e.body_start : e.body_end]
        if e.lead:
            body = [e.lead, *body]
        drafts.append(parse_entry(e.arxiv_id, e.source, e.title_text, e.heading_text, body))

    papers = _merge(drafts)
    if s.stopped_at is not None:
        errors.insert(0, stop_note(s.stopped_at, len(all_lines), s.stop_reason))
    long_note = _long_line_note(all_lines, s, {p.arxiv_id for p in papers})
    if long_note:
        errors.append(long_note)
    if not papers:
        errors.append(
            "no papers found: the text does not look like a daily digest "
            "(no arXiv ids in headings or links)"
        )
    for p in papers:
        if p.problems:
            errors.append(f"paper {p.arxiv_id}: " + "; ".join(p.problems))
    return ParsedDigest(date, fmt, tuple(papers), tuple(errors))


def _structural(
    s: Scan, fmt: str, found: structure.Found, errors: list[str], find_date: _DateFn
) -> ParsedDigest:
    """The result of a structural scan (see ``structure.py``) of a digest of unknown layout."""
    first_line = min((line for line, _d in found.drafts), default=len(s.lines))
    date, date_error = find_date(s, first_line)
    if date is None:
        errors.append(date_error or "no digest date found (looked at the lines before the papers)")
    if fmt != FORMAT_UNKNOWN:
        errors.append(
            f"no paper entries in the expected {fmt} layout; papers were found in the "
            "document's structure (headings, lists, tables)"
        )
    else:
        errors.append(
            "the digest layout was not recognized; papers were found in the document's "
            "structure (headings, lists, tables)"
        )
    errors.extend(found.notes)
    drafts = [d for _line, d in found.drafts if d.arxiv_id in d.source]
    drafts = drafts[:MAX_ENTRIES]
    papers = _merge(drafts)
    if not papers:
        errors.append("no papers found: every entry that looks like a paper failed to be read")
    for f in found.failures:
        errors.append(_failure_note(f))
    for p in papers:
        if p.problems:
            errors.append(f"paper {p.arxiv_id}: " + "; ".join(p.problems))
    fmt_out = FORMAT_UNKNOWN if fmt == FORMAT_UNKNOWN else fmt
    return ParsedDigest(date, fmt_out, tuple(papers), tuple(errors), tuple(found.failures))


def _failure_note(f: EntryFailure) -> str:
    what = f'"{f.title}"' if f.title else f'"{f.ref}"'
    detail = f" ({f.detail})" if f.detail else ""
    return (
        f"line {f.line}: the entry {what} looks like a paper but has no valid arXiv id"
        f"{detail}; it was skipped"
    )


def _too_many_entries(entries: list[Entry]) -> str:
    """Why a parse stops at entry MAX_ENTRIES, naming the ids of the entries not parsed."""
    parsed = {e.arxiv_id for e in entries[:MAX_ENTRIES]}
    left = list(
        dict.fromkeys(e.arxiv_id for e in entries[MAX_ENTRIES:] if e.arxiv_id not in parsed)
    )
    reason = f"{len(entries):,} paper entries, more than the {MAX_ENTRIES:,} a digest may have"
    if left:
        more = f" and {len(left) - 5:,} more" if len(left) > 5 else ""
        reason += f"; not read: {', '.join(left[:5])}{more}"
    return reason


def _long_line_note(lines: list[str], s: Scan, papers: set[str]) -> str | None:
    """Report lines longer than ``MAX_LINE_CHARS``, whose tails no per-line pattern saw.

    Such a tail stays in the summary it belongs to, but a heading, fence or link in it was
    not read as one: its arXiv ids (found by a linear scan) are named unless they are papers
    of the digest anyway, so that no paper can go missing without a word.
    """
    cap = t.MAX_LINE_CHARS
    if max(map(len, lines), default=0) <= cap:  # the usual case, at C speed
        return None
    read = len(lines) if s.stopped_at is None else s.stopped_at
    long_lines = [i for i in range(read) if len(lines[i]) > cap]
    if not long_lines:
        return None
    if len(long_lines) == 1:
        where = f"line {long_lines[0] + 1} is longer than {cap:,} characters"
    else:
        where = (
            f"{len(long_lines)} lines are longer than {cap:,} characters "
            f"(the first is line {long_lines[0] + 1})"
        )
    note = (
        f"{where}; only the first {cap:,} characters of a line are read for headings, "
        "fences and links"
    )
    missed: dict[str, None] = {}
    for i in long_lines:
        if s.budget.exhausted():
            break
        # From a little before the cap: an id cut in two by it is whole here.
        for pid in t.ids_in_order(lines[i], cap - 40):
            if pid not in papers:
                missed.setdefault(pid)
    if missed:
        shown = list(missed)[:5]
        more = f" and {len(missed) - 5} more" if len(missed) > 5 else ""
        note += f"; arXiv ids further on in them were not read as papers: {', '.join(shown)}{more}"
    return note


def _quality(d: Draft) -> tuple[bool, bool, int]:
    return (d.summary_ok, not d.truncated, len(d.sections))


def _merge(drafts: list[Draft]) -> list[ParsedPaper]:
    """One paper per id, in order of first appearance; repeated entries are merged."""
    groups: dict[str, list[Draft]] = {}
    for d in drafts:
        groups.setdefault(d.arxiv_id, []).append(d)
    papers: list[ParsedPaper] = []
    for pid, group in groups.items():
        best = group[0] if len(group) == 1 else max(group, key=_quality)  # first of equals
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
        if len(group) == 1:  # the usual case: no generators (cheaper per paper, which
            # counts in a digest of thousands of one-line entries)
            hf_url, authors, votes, thumb = best.hf_url, best.authors, best.votes, best.thumbnail
        else:
            hf_url = next((d.hf_url for d in group if d.hf_url), None)
            authors = max((d.authors for d in group), key=len)
            votes = next((d.votes for d in group if d.votes is not None), None)
            thumb = next((d.thumbnail for d in group if d.thumbnail), None)
        papers.append(
            ParsedPaper(
                arxiv_id=pid,
                title=title,
                hf_url=hf_url,
                arxiv_url=t.arxiv_url(pid),
                authors=authors,
                votes=votes,
                thumbnail=thumb,
                sections=best.sections,
                summary_ok=best.summary_ok,
                truncated=best.truncated,
                problems=tuple(dict.fromkeys(problems)) if len(problems) > 1 else tuple(problems),
            )
        )
    return papers
