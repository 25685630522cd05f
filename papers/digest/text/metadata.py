"""Dates of a digest and the metadata lines of a paper entry (authors, votes)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from papers.digest.text.markup import links_to_text, strip_emphasis, unescape_md

# Dates

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RES = (
    (
        "ymd",
        re.compile(
            r"(?<![0-9.])(?P<y>(?:19|20)[0-9]{2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)"
            r"(?P<d>[0-9]{1,2})(?![0-9])"
        ),
    ),
    (
        "ymd",
        re.compile(
            r"(?P<y>(?:19|20)[0-9]{2})\s*년\s*(?P<m>[0-9]{1,2})\s*월\s*(?P<d>[0-9]{1,2})\s*일"
        ),
    ),
    (
        "mdy",
        re.compile(
            rf"(?i:\b(?P<mn>{_MONTH_NAMES})\.?)\s+(?P<d>[0-9]{{1,2}})(?i:st|nd|rd|th)?,?\s+"
            r"(?P<y>(?:19|20)[0-9]{2})(?![0-9])"
        ),
    ),
    (
        "dmy",
        re.compile(
            rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?i:st|nd|rd|th)?\s+(?i:(?P<mn>{_MONTH_NAMES})\b\.?),?"
            r"\s+(?P<y>(?:19|20)[0-9]{2})(?![0-9])"
        ),
    ),
)


def find_date(text: str) -> tuple[datetime.date | None, str | None]:
    """The first date in ``text``: (date, None), (None, error for an impossible date) or
    (None, None) when there is no date-like string at all."""
    best: tuple[int, re.Match[str]] | None = None
    for _kind, rx in _DATE_RES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m)
    if best is None:
        return None, None
    m = best[1]
    year, day = int(m.group("y")), int(m.group("d"))
    groups = m.groupdict()
    month = _MONTHS[groups["mn"].lower()] if groups.get("mn") else int(m.group("m"))
    try:
        return datetime.date(year, month, day), None
    except ValueError:
        return None, f"the digest date {m.group(0)!r} is not a valid calendar date"


def first_date(chunks: Iterable[str]) -> tuple[datetime.date | None, str | None]:
    """The first valid date found in ``chunks`` (in order), remembering the first error."""
    error: str | None = None
    for chunk in chunks:
        date, err = find_date(chunk)
        if date:
            return date, None
        error = error or err
    return None, error


# Metadata lines of a paper entry

SUMMARY_MARKER_RE = re.compile(
    r"^[ \t]*+[*_]{0,3}+(?:(?i:summary|ai\s++summary|tl;?dr|abstract)|논문\s*+요약|요약)"
    r"[*_]{0,3}+[ \t]*+(?:[:：][*_]{0,3}+[ \t]*+(?P<rest>.*))?$"
)
VOTE_RE = re.compile(
    r"^[ \t]*+[*_]{0,2}+(?:(?i:votes?|upvotes?|likes?)|추천|👍)[*_]{0,2}+[ \t]*+[:：]?[ \t]*+"
    r"[*_]{0,2}+(?P<n>[0-9][0-9,]{0,9})(?![0-9])"
)
AUTHORS_RE = re.compile(
    r"^[ \t]*+[*_]{0,2}+(?:(?i:authors?)|저자)[*_]{0,2}+[ \t]*+[:：][*_]{0,2}[ \t]*(?P<names>.+)$"
)
# "\s*[,;]\s*|\s+(?:and|&)\s+", except that a match never starts inside a run of
# whitespace (each position of a long run would scan to its end): it starts where the run
# does, or at the separator itself when the run ended a previous match.
_AUTHOR_SPLIT_RE = re.compile(r"(?<!\s)\s*+[,;]\s*+|(?<=\s)[,;]\s*+|(?<!\s)\s++(?:and|&)\s++")


def split_authors(names: str) -> tuple[str, ...]:
    names = unescape_md(links_to_text(names)).strip().rstrip(".")
    result: list[str] = []
    seen: set[str] = set()
    for part in _AUTHOR_SPLIT_RE.split(names):
        name = strip_emphasis(part.strip())
        if not name or name.casefold() in ("et al", "et al.", "others") or name in seen:
            continue
        seen.add(name)
        result.append(name)
    return tuple(result)


def parse_votes(value: str) -> int | None:
    digits = value.replace(",", "")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None
