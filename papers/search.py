"""What the candidate pool's search looks in, and how a query becomes terms. Pure Python.

A paper's `search_text` holds its arXiv id, title, authors and the headings and bodies of
every summary, in *search form*:

1. normalized as queries are: NFKC (decomposed Hangul from some editors and full-width
   letters compare equal), lower case, whitespace runs as one space, no NUL byte (PostgreSQL
   refuses it), none of markdown's emphasis marks (`**강화 학습**`);
2. then every letter and digit written twice: `환각을 RL` is stored as `환환각각을을 rrll`.

Step 2 is for PostgreSQL's trigram index. Korean words are mostly two syllables (환각, 강화,
학습) and English has RL, 3D, AI: a two-character `LIKE '%환각%'` has no trigram, so pg_trgm
cannot use its index and reads every row. Doubled, the term is `%환환각각%`, whose trigrams
(환환각, 환각각) the index has. Doubling every word character is a string morphism that keeps
substring matching exact: the search form of the text contains the search form of a term
exactly when the normalized text contains the normalized term. A term is looked up with a
plain case-sensitive `LIKE '%…%'` (Django's `contains`), which is what the index answers;
Django's `icontains` compares `UPPER(column)`, which a plain-column index never serves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# Normalized characters kept per paper (twice that once doubled). Summaries run to 1,500 to
# 4,000 characters; the cap keeps a paper with hundreds of authors or dozens of digests from
# making every match slow to check.
SEARCH_TEXT_MAX_CHARS = 20_000
MAX_TERMS = 8
MAX_TERM_CHARS = 100

_SPACE_RE = re.compile(r"\s+")
_MARKUP_RE = re.compile(r"[*`]+")
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')


class _Doubled(dict):
    """A `str.translate` table that writes word characters twice, filled as they are met."""

    def __missing__(self, code: int) -> int | str:
        char = chr(code)
        value: int | str = char * 2 if char.isalnum() else code
        self[code] = value
        return value


_DOUBLED = _Doubled()


def normalize(text: str) -> str:
    """Text as it is compared: see step 1 of the module doc."""
    text = unicodedata.normalize("NFKC", text.replace("\x00", " "))
    text = _MARKUP_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip().lower()


def search_form(normalized: str) -> str:
    """Normalized text with its letters and digits doubled (step 2 of the module doc)."""
    return normalized.translate(_DOUBLED)


def build_search_text(
    *,
    arxiv_id: str,
    title: str,
    authors: str,
    summaries: Iterable[Iterable[Mapping[str, object]]] = (),
) -> str:
    """The `search_text` of a paper: id, title, authors, then each summary's sections.

    `summaries` are lists of sections ({"heading", "body"}), newest first; a heading or body
    that repeats an earlier one (the same summary in two digests) is kept once.
    """
    parts = [arxiv_id, title, authors]
    seen: set[str] = set()
    for sections in summaries:
        if not isinstance(sections, list | tuple):
            continue
        for section in sections:
            if not isinstance(section, Mapping):
                continue
            for key in ("heading", "body"):
                value = section.get(key)
                if isinstance(value, str) and value.strip() and value not in seen:
                    seen.add(value)
                    parts.append(value)
    text = normalize(" ".join(part for part in parts if part))
    return search_form(text[:SEARCH_TEXT_MAX_CHARS])


def search_terms(query: str) -> list[str]:
    """The normalized terms a paper must all contain: words, or "quoted phrases".

    At most `MAX_TERMS` distinct terms of at most `MAX_TERM_CHARS` characters each.
    """
    terms: list[str] = []
    for match in _TERM_RE.finditer(query[: MAX_TERMS * MAX_TERM_CHARS * 2]):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        term = normalize(raw)[:MAX_TERM_CHARS].strip()
        if term and term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return terms
