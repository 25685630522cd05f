"""What the candidate pool's search looks in, and how a query becomes terms. Pure Python.

A paper's `search_text` holds its title, then `TITLE_END`, then its arXiv id, authors and the
headings and bodies of every summary, in *search form*:

1. normalized as queries are (`papers.searchtext.normalize`: NFKC, lower case, one space
   between words, none of markdown's emphasis marks, no space between two Hangul syllables, so
   "강화 학습" and "강화학습" compare equal);
2. then every letter and digit written twice: `환각을 RL` is stored as `환환각각을을 rrll`.

Step 2 is for PostgreSQL's trigram index. Korean words are mostly two syllables (환각, 강화,
학습) and English has RL, 3D, AI: a two-character `LIKE '%환각%'` has no trigram, so pg_trgm
cannot use its index and reads every row. Doubled, the term is `%환환각각%`, whose trigrams
(환환각, 환각각) the index has. Doubling every word character is a string morphism that keeps
substring matching exact: the search form of the text contains the search form of a term
exactly when the normalized text contains the normalized term. A term is looked up with a
plain case-sensitive `LIKE '%…%'` (Django's `contains`), which is what the index answers;
Django's `icontains` compares `UPPER(column)`, which a plain-column index never serves.

The title comes first so that the database can tell a match in the title from one elsewhere:
`CandidatePaper.search_title` is the part before `TITLE_END` (a generated column with a trigram
index of its own, migration 0010), which ranks a search's results. Then come the concept
tokens of the glossary terms the paper has (`papers.searchtext.concept_tokens`), up to
`CONCEPTS_END`: `CandidatePaper.search_concepts`, likewise generated and indexed, so a search
for a glossary term looks for one token in a short column instead of each of its forms in the
whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from papers.searchtext import TermGroup, concept_tokens, expand, glossary, normalize

# Normalized characters kept per paper (twice that once doubled). Summaries run to 1,500 to
# 4,000 characters; the cap keeps a paper with hundreds of authors or dozens of digests from
# making every match slow to check.
SEARCH_TEXT_MAX_CHARS = 20_000
MAX_TERMS = 8
MAX_TERM_CHARS = 100
MAX_TITLE_CHARS = 500  # CandidatePaper.title's max_length: a query can be a whole title

# Ends the title in `search_text`. A control character, which `normalize` turns into a space
# (Python counts it as whitespace), so no normalized text contains it.
TITLE_END = "\x1f"
CONCEPTS_END = "\x1e"  # ends the concept tokens, likewise
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')


class _Doubled(dict):
    """A `str.translate` table that writes word characters twice, filled as they are met."""

    def __missing__(self, code: int) -> int | str:
        char = chr(code)
        value: int | str = char * 2 if char.isalnum() else code
        self[code] = value
        return value


_DOUBLED = _Doubled()


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
    """The `search_text` of a paper: title, `TITLE_END`, the concept tokens of the glossary
    terms it has (`papers.searchtext.concept_tokens`), `CONCEPTS_END`, then id, authors and
    each summary's sections.

    `summaries` are lists of sections ({"heading", "body"}), newest first; a heading or body
    that repeats an earlier one (the same summary in two digests) is kept once.
    """
    parts = [arxiv_id, authors]
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
    heading = normalize(title)
    rest = normalize(" ".join(part for part in parts if part))[:SEARCH_TEXT_MAX_CHARS]
    tokens = concept_tokens(f"{heading}\n{rest}")
    return search_form(heading) + TITLE_END + " ".join(tokens) + CONCEPTS_END + search_form(rest)


@dataclass(frozen=True)
class SearchQuery:
    """A member's query, read: `groups` (a paper must have every one, see
    `papers.searchtext.TermGroup`) and `phrase`, the whole query normalized (a title that is
    it ranks first)."""

    groups: tuple[TermGroup, ...] = ()
    phrase: str = ""

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def has_loose(self) -> bool:
        """Some group is looked for as typed, not only by concept tokens."""
        return any(group.loose for group in self.groups)

    @property
    def forms(self) -> frozenset[str]:
        """Every form of every group: what a snippet marks."""
        return frozenset(form for group in self.groups for form in group.forms)


def search_query(query: str) -> SearchQuery:
    """Words, or "quoted phrases", widened by the glossary (`papers.searchtext.expand`).

    Hangul words typed next to each other are one word, as they are in the text ("강화 학습"
    is "강화학습"); quote them apart ("강화" "학습") to find each anywhere. At most
    `MAX_TERMS` distinct groups, of words of at most `MAX_TERM_CHARS` characters.
    """
    query = query[: MAX_TERMS * MAX_TERM_CHARS * 2]
    groups: list[TermGroup] = []
    loose: list[str] = []

    def add(new: list[TermGroup]) -> None:
        for group in new:
            if group not in groups and len(groups) < MAX_TERMS:
                groups.append(group)

    def flush() -> None:
        words = normalize(" ".join(loose)).split(" ")
        add(expand([word[:MAX_TERM_CHARS] for word in words if word]))
        loose.clear()

    for match in _TERM_RE.finditer(query):
        if match.group(1) is None:
            loose.append(match.group(2))
            continue
        flush()
        phrase = normalize(match.group(1))[:MAX_TERM_CHARS].strip()
        if phrase:  # a glossary entry as a whole, never split
            add([glossary().group(phrase)])
    flush()
    return SearchQuery(
        groups=tuple(groups), phrase=normalize(query.replace('"', " "))[:MAX_TITLE_CHARS]
    )
