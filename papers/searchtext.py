"""How the candidate pool's search reads text: normalizing, the glossary, snippets. Pure Python.

- `normalize`: the one form in which text and queries are compared (NFKC, lower case, no
  markdown emphasis, one space between words, and **no space between two Hangul syllables**,
  so "강화 학습" and "강화학습" are the same word wherever they are written).
- The glossary (`glossary.txt` beside this module, see its header): Korean and English names of
  the same ML concept. `expand` turns what a member typed into groups of forms, any of which
  a paper may contain (환각 finds "hallucination" and the other way round).
- `find_snippet`: the first sentence of a summary that contains a match, as parts to show with
  the matches marked. The parts are plain text; the template escapes them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).with_name("glossary.txt")
# A group never has more forms than this (each is one more LIKE in the query).
MAX_FORMS = 12

_SPACE_RE = re.compile(r"\s+")
_MARKUP_RE = re.compile(r"[*`]+")
_HANGUL_GAP_RE = re.compile(r"(?<=[\uac00-\ud7a3]) (?=[\uac00-\ud7a3])")
_HANGUL_WORD_RE = re.compile(r"[\uac00-\ud7a3]+")


def is_hangul(char: str) -> bool:
    """A precomposed Hangul syllable (가 … 힣)."""
    return "\uac00" <= char <= "\ud7a3"


def normalize(text: str) -> str:
    """Text as it is compared: NFKC (decomposed Hangul from some editors and full-width letters
    compare equal), no NUL byte (PostgreSQL refuses it), none of markdown's emphasis marks
    (`**강화 학습**`), whitespace runs as one space, lower case, no space between Hangul
    syllables."""
    text = unicodedata.normalize("NFKC", text.replace("\x00", " "))
    text = _MARKUP_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text).strip().lower()
    return _HANGUL_GAP_RE.sub("", text)


_KEPT_RE = re.compile(r"[^*`\s\x00]+|[\s\x00]+")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """`normalize` of NFKC text, with the index in `text` of each character of the result.

    For text already in NFKC (as snippets are), `normalize_with_map(t)[0] == normalize(t)`.
    """
    if len(text.lower()) == len(text):  # every character lowers to one: runs, not characters
        return _normalize_runs(text)
    return _normalize_chars(text)


def _normalize_runs(text: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    origin: list[int] = []
    last = ""  # the last character kept
    pending_space = -1
    for run in _KEPT_RE.finditer(text):
        start, chunk = run.start(), run.group()
        if chunk[0].isspace() or chunk[0] == "\x00":
            if pending_space < 0:
                pending_space = start
            continue
        if pending_space >= 0:
            if last and not (is_hangul(last) and is_hangul(chunk[0])):
                parts.append(" ")
                origin.append(pending_space)
            pending_space = -1
        parts.append(chunk.lower())
        origin.extend(range(start, start + len(chunk)))
        last = chunk[-1]
    return "".join(parts), origin


def _normalize_chars(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    pending_space = -1
    for index, char in enumerate(text):
        if char == "\x00" or char.isspace():
            if pending_space < 0:
                pending_space = index
            continue
        if char in "*`":
            continue
        if pending_space >= 0:
            if chars and not (is_hangul(chars[-1]) and is_hangul(char)):
                chars.append(" ")
                origin.append(pending_space)
            pending_space = -1
        for lowered in char.lower():
            chars.append(lowered)
            origin.append(index)
    return "".join(chars), origin


# --- the glossary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermGroup:
    """What one query word (or glossary entry) finds: a paper has it when its search text has
    one of `tokens` (the concept tokens of the glossary lines the word names: see
    `concept_tokens`) or one of `loose` (forms no token stands for: a word not in the glossary,
    an abbreviation). `forms` (normalized, the typed one first) are what titles are compared
    with and what snippets mark."""

    forms: tuple[str, ...]
    tokens: tuple[str, ...] = ()
    loose: tuple[str, ...] = ()

    @classmethod
    def word(cls, word: str) -> TermGroup:
        return cls(forms=(word,), loose=(word,))


@dataclass(frozen=True)
class Glossary:
    """`concepts`: each line's normalized forms (all of them widen to each other), and
    `tokens`: each line's concept token; `keys`: a typed form → the indexes of the lines it
    names (abbreviations included); `longest_words`: the most words in a key;
    `longest_hangul`: the longest Hangul key, in syllables."""

    concepts: tuple[tuple[str, ...], ...]
    tokens: tuple[str, ...]
    keys: Mapping[str, tuple[int, ...]]
    longest_words: int
    longest_hangul: int

    def forms(self, key: str) -> tuple[str, ...]:
        """`key` and every form of the lines it names, `key` first, at most `MAX_FORMS`."""
        forms = [key]
        for index in self.keys.get(key, ()):
            forms += [form for form in self.concepts[index] if form not in forms]
        return tuple(forms[:MAX_FORMS])

    def group(self, key: str) -> TermGroup:
        """What searching for `key` finds (a word of itself when it is not in the glossary)."""
        lines = self.keys.get(key, ())
        if not lines:
            return TermGroup.word(key)
        covered = {form for index in lines for form in self.concepts[index]}
        return TermGroup(
            forms=self.forms(key),
            tokens=tuple(self.tokens[index] for index in lines),
            loose=() if key in covered else (key,),
        )


def concept_token(forms: Iterable[str]) -> str:
    """The token that stands for a glossary line in a search text: from the line's forms
    alone (editing one line changes no other line's token), letters and digits alternating.

    A search text has its letters and digits doubled (`papers.search`), so every trigram of
    it repeats a character; a token's trigrams never do: the trigram index finds exactly the
    papers that have the token, and no search for a typed word can match inside a token.
    """
    digest = hashlib.sha256("|".join(sorted(forms)).encode("utf-8")).digest()
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[digest[i] % 26] + str(digest[i + 1] % 10) for i in range(0, 12, 2))


def parse_glossary(text: str) -> Glossary:
    """Read the glossary format (see `glossary.txt`): one concept a line, forms separated by
    `|`, an abbreviation in [brackets], `#` starts a comment."""
    concepts: list[tuple[str, ...]] = []
    keys: dict[str, list[int]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        widened: list[str] = []
        typed: list[str] = []
        for raw in line.split("|"):
            raw = raw.strip()
            abbreviation = raw.startswith("[") and raw.endswith("]")
            form = normalize(raw[1:-1] if abbreviation else raw)
            if not form:
                continue
            typed.append(form)
            if not abbreviation and form not in widened:
                widened.append(form)
        if len(typed) < 2 or not widened:
            continue
        index = len(concepts)
        concepts.append(tuple(widened))
        for form in typed:
            if index not in keys.setdefault(form, []):
                keys[form].append(index)
    return Glossary(
        concepts=tuple(concepts),
        tokens=tuple(concept_token(forms) for forms in concepts),
        keys={key: tuple(lines) for key, lines in keys.items()},
        longest_words=max((key.count(" ") + 1 for key in keys), default=1),
        longest_hangul=max((len(key) for key in keys if _HANGUL_WORD_RE.fullmatch(key)), default=0),
    )


@cache
def glossary() -> Glossary:
    """The glossary of this deployment (`glossary.txt`), read once."""
    return parse_glossary(GLOSSARY_PATH.read_text(encoding="utf-8"))


def concept_tokens(normalized: str, terms: Glossary | None = None) -> list[str]:
    """The tokens of the glossary lines one of whose forms `normalized` text has.

    Written into a paper's search text, they let a search for a glossary term look for one
    token instead of every form of it (one selective index lookup instead of several weak
    ones). A search text written with another glossary has other tokens: after editing the
    glossary, rebuild the search texts (`manage.py refresh_search_text`).
    """
    terms = glossary() if terms is None else terms
    return [
        token
        for forms, token in zip(terms.concepts, terms.tokens, strict=True)
        if any(form in normalized for form in forms)
    ]


def expand(words: list[str], terms: Glossary | None = None) -> list[TermGroup]:
    """Normalized query words → groups: a paper must have every group (see `TermGroup`).

    The longest run of words that names a glossary entry ("reinforcement learning") is one
    group with all its forms. A Hangul word that is not an entry but is made of entries
    or entries and runs of two or more other syllables ("멀티모달에이전트", "강화학습기반로봇",
    however it was spaced) is one group per entry and one per run; one with a single other
    syllable ("강화학습의") stays one word, as written. Every other word is a group of itself.
    """
    terms = glossary() if terms is None else terms
    groups: list[TermGroup] = []
    position = 0
    while position < len(words):
        for end in range(min(len(words), position + terms.longest_words), position, -1):
            key = " ".join(words[position:end])
            if key in terms.keys:
                groups.append(terms.group(key))
                position = end
                break
        else:
            word = words[position]
            pieces = _segment(word, terms) if _HANGUL_WORD_RE.fullmatch(word) else None
            if pieces is None:
                groups.append(TermGroup.word(word))
            else:
                groups += [
                    terms.group(piece) if key else TermGroup.word(piece) for piece, key in pieces
                ]
            position += 1
    return groups


def _segment(word: str, terms: Glossary) -> list[tuple[str, bool]] | None:
    """`word` cut into glossary keys (longest first, from the left) and the runs between them,
    each with whether it is a key; None if it has no key, or a run of one syllable (a
    particle or a prefix: 강화학습의, 재정렬), which makes the word one word as typed.
    Linear in `len(word)` times the longest key."""
    pieces: list[tuple[str, bool]] = []
    start = run = 0
    while start < len(word):
        for end in range(min(len(word), start + terms.longest_hangul), start, -1):
            if word[start:end] in terms.keys:
                if run < start:
                    pieces.append((word[run:start], False))
                pieces.append((word[start:end], True))
                start = run = end
                break
        else:
            start += 1
    if run < len(word):
        pieces.append((word[run:], False))
    if not any(is_key for _, is_key in pieces) or any(
        len(piece) == 1 and not is_key for piece, is_key in pieces
    ):
        return None
    return pieces


# --- snippets -------------------------------------------------------------------------------

SNIPPET_CHARS = 200
# Text read per paper when looking for a sentence (summaries run to 1,500 to 4,000 characters).
SNIPPET_SCAN_CHARS = 20_000

# Linear on any input: a bracket or parenthesis ends the attempt that met it.
_LINK_RE = re.compile(r"!?\[([^\[\]\n]{0,500})\]\([^()\s]{0,2000}\)")
_LINE_START_RE = re.compile(r"^[ \t]{0,12}(?:[#>]{1,6}|[-+*]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
_PLAIN_DROP_RE = re.compile(r"[*`]+")
_PLAIN_SPACE_RE = re.compile(r"\|+|<br\s{0,3}/?>")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。])[ \t]+|\n+")


@dataclass(frozen=True)
class SnippetPart:
    text: str
    mark: bool = False


def plain_text(markdown: str) -> str:
    """Markdown as the plain text a snippet shows: no list or heading marks, links as their
    text, no emphasis or table bars; line breaks kept (they end sentences)."""
    text = unicodedata.normalize("NFKC", markdown[:SNIPPET_SCAN_CHARS].replace("\x00", " "))
    text = _LINK_RE.sub(r"\1", text)
    text = _LINE_START_RE.sub("", text)
    return _PLAIN_SPACE_RE.sub(" ", _PLAIN_DROP_RE.sub("", text))


def find_snippet(
    sections: object, forms: Iterable[str], *, width: int = SNIPPET_CHARS
) -> list[SnippetPart] | None:
    """The first sentence of `sections` (a summary's [{"heading", "body"}]) in which one of
    `forms` (normalized) occurs, at most `width` characters around the first match, with
    every match marked; None when no sentence has one."""
    wanted = sorted({form for form in forms if form}, key=len, reverse=True)
    if not wanted or not isinstance(sections, list):
        return None
    bodies, budget = [], SNIPPET_SCAN_CHARS
    for section in sections:
        body = section.get("body") if isinstance(section, dict) else None
        if isinstance(body, str) and body.strip() and budget > 0:
            bodies.append(body[:budget])
            budget -= len(body)
    text = plain_text("\n".join(bodies))
    # Without spaces or marks, a text has every form that its normalized form has: a quick
    # test (no regex) that rules out most texts and sentences before normalizing them.
    squashed = [_squash(form) for form in wanted]
    if not _may_have(text, squashed):
        return None
    for sentence in _SENTENCE_END_RE.split(text):
        sentence = " ".join(sentence.split())
        if _may_have(sentence, squashed) and _has_any(sentence, wanted):
            return _cut(sentence, _matches(sentence, wanted), width)
    return None


def _squash(text: str) -> str:
    return text.lower().replace(" ", "").replace("*", "").replace("`", "")


def _may_have(text: str, squashed_forms: list[str]) -> bool:
    squashed = _squash(" ".join(text.split()))
    return any(form in squashed for form in squashed_forms)


def _has_any(text: str, forms: list[str]) -> bool:
    normalized = normalize(text)
    return any(form in normalized for form in forms)


def _matches(sentence: str, forms: list[str]) -> list[tuple[int, int]]:
    """Where `forms` occur in `sentence`, as merged [start, end) spans of `sentence`."""
    normalized, origin = normalize_with_map(sentence)
    spans = []
    for form in forms:
        start = normalized.find(form)
        while start >= 0:
            end = start + len(form)
            spans.append((origin[start], origin[end - 1] + 1))
            start = normalized.find(form, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _cut(sentence: str, spans: list[tuple[int, int]], width: int) -> list[SnippetPart]:
    """`sentence` as parts, cut to about `width` characters around the first span."""
    start, end = 0, len(sentence)
    if end > width:
        start = max(0, spans[0][0] - width // 3)
        space = sentence.rfind(" ", max(0, start - 20), start + 1)
        start = space + 1 if space >= 0 and start > 0 else start
        end = min(len(sentence), start + width)
        space = sentence.find(" ", end - 20, end)
        end = space if space > start and end < len(sentence) else end
    parts: list[SnippetPart] = []
    if start > 0:
        parts.append(SnippetPart("…"))
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_start >= span_end:
            continue
        if span_start > cursor:
            parts.append(SnippetPart(sentence[cursor:span_start]))
        parts.append(SnippetPart(sentence[span_start:span_end], mark=True))
        cursor = span_end
    if cursor < end:
        parts.append(SnippetPart(sentence[cursor:end]))
    if end < len(sentence):
        parts.append(SnippetPart("…"))
    return parts
