"""Read and write the group's weekly markdown page, both ways, without losing text.

Pure Python: this module must not import Django (a test checks it).

The page, as the group keeps it (seminar/demo/seeds/000_fc51c2f87046c2e4.txt)::

    # 📚 - 3주차                      <- the blank template reads "# 📚 - 주차"

    ### 주제 1: <paper title>
    - **발표자**: <presenter>

    ### 리뷰 1
    - **리뷰어**: <reviewer>         <- "- **리뷰어**: " (trailing space) when blank
    (내용)                           <- an empty slot

    ---

    ### 리뷰 2
    - **리뷰어**: <reviewer>

    1. 문제의식

    <paragraphs>

    2. 리뷰

    <paragraphs>

    ---

    <br>

    ### 주제 2: <paper title>
    ...

Slots end with ``---``; topics are separated by ``<br>`` (the last topic has none).

Materials (#13) are list lines the page carries only when there are some, so a page without
them is written exactly as before: ``- **녹화**: <link>`` under the week header (the
recording), ``- **발표 자료**: <link>`` and ``- **코드**: <link>`` under a topic's presenter
line. The reader takes them back from the same places.

Reading is tolerant: BOM, CRLF, trailing spaces, extra blank lines, missing ``---`` or
``<br>``, ``# 📚 3 - 주차`` / ``# 📚 12주차`` / ``# 📚 - 12 주차`` headers, headings without
numbers. It never raises on content; text it cannot place goes to ``WeekPage.problems``.
A slot's body is kept verbatim in ``raw_body`` (only the blank lines around it are
dropped), and the writer writes ``raw_body`` when it is set, so text is never lost.

Section heading rule (``parse_review_body``). A body line is a section heading when
all of these hold:

1. it reads ``N. text``: one or two ASCII digits at column 0, a dot, spaces, text;
2. the text is short, like a title: at most 40 characters, not ending in "." or "。";
3. it starts a paragraph: it is the first line of the body or follows a blank line;
4. it is not the first item of a list: the next line is blank, absent, or an unindented
   line that is not itself a list item (``2. ...``, ``- ...``, ``* ...``);
5. N is greater than the number of the previous heading (numbers go up), so a loose
   ``1.``/``2.`` list written inside section 2 stays body text;
6. it is not inside a fenced code block.

Text before the first heading becomes a section with heading ``""``; a body with no
heading at all is one such section. When a slot has no ``raw_body`` the writer writes
its ``sections`` (``render_review_body``), numbering the headed ones 1..N; body text
that itself looks like a heading by this rule would read back as one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

__all__ = [
    "DEFAULT_HEADINGS",
    "EMPTY_BODY",
    "ReviewSection",
    "ReviewSlotPage",
    "TopicPage",
    "WeekPage",
    "headings_for_new_review",
    "parse_review_body",
    "parse_week_page",
    "render_review_body",
    "render_week_page",
]

EMPTY_BODY = "(내용)"
DEFAULT_HEADINGS: tuple[str, ...] = ("문제 정의", "해결 방법", "리뷰")
MAX_HEADING_CHARS = 40


@dataclass(frozen=True)
class ReviewSection:
    heading: str  # without its number: "문제의식"; "" for text before the first heading
    body: str  # markdown up to the next heading, blank lines around it dropped


@dataclass(frozen=True)
class ReviewSlotPage:
    number: int
    reviewer: str | None  # None when blank
    sections: tuple[ReviewSection, ...] = ()  # () for an empty "(내용)" slot
    raw_body: str | None = None  # the body verbatim; None for an empty slot

    @classmethod
    def from_body(cls, number: int, reviewer: str | None, body: str | None) -> ReviewSlotPage:
        """A slot from a markdown body (e.g. one stored in the database)."""
        raw = _clean_body(_split_lines(body or ""))
        return cls(number, reviewer, parse_review_body(raw) if raw else (), raw)


@dataclass(frozen=True)
class TopicPage:
    number: int
    title: str
    presenter: str | None  # None when blank
    slots: tuple[ReviewSlotPage, ...] = ()
    slides: str | None = None  # the slides' link ("- **발표 자료**: "), None when none
    code: str | None = None  # the code's link ("- **코드**: ")


@dataclass(frozen=True)
class WeekPage:
    number: int | None  # None for the blank template "# 📚 - 주차"
    topics: tuple[TopicPage, ...] = ()
    problems: tuple[str, ...] = ()  # what the reader could not place; () when written
    recording: str | None = None  # the recording's link ("- **녹화**: ")


# --- reading -------------------------------------------------------------------------

_NUM = r"(?:([0-9]{1,6})(?![0-9]))"
_HEADER = re.compile(rf"#(?!#)\s*(?:📚\ufe0f?\s*)?{_NUM}?\s*[-–—]?\s*{_NUM}?\s*주\s*차(.*)")
_TOPIC = re.compile(rf"#{{2,4}}\s*주제\s*(?:{_NUM}\s*[:：\-–—.]?|[:：])\s*(.*?)")
_SLOT = re.compile(rf"#{{2,4}}\s*리뷰\s*{_NUM}?")
_PERSON = r"(?:[-*+]\s*)?(?:\*\*)?{}\s*(?:[:：]\s*\*\*|\*\*\s*[:：]|[:：])\s*(.*?)"
_PRESENTER = re.compile(_PERSON.format("발표자"))
_REVIEWER = re.compile(_PERSON.format("리뷰어"))
# Materials: the labels as written, and the same loose markup the person lines accept.
SLIDES_LABEL, CODE_LABEL, RECORDING_LABEL = "발표 자료", "코드", "녹화"
_SLIDES = re.compile(_PERSON.format(r"발표\s*자료"))
_CODE = re.compile(_PERSON.format("코드"))
_RECORDING = re.compile(_PERSON.format("녹화"))
_RULE = re.compile(r"-{3,}|\*{3,}|_{3,}")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HEADING = re.compile(r"([0-9]{1,2})\.[ \t]+(\S.*?)\s*")
_LIST_ITEM = re.compile(r"\s*(?:[0-9]+[.)]|[-*+])(?:\s|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _split_lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _is_blank(line: str) -> bool:
    return not line.strip()


def _trim(lines: list[str]) -> list[str]:
    """Drop blank lines at both ends."""
    start, end = 0, len(lines)
    while start < end and _is_blank(lines[start]):
        start += 1
    while end > start and _is_blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _clean_body(lines: list[str]) -> str | None:
    body = "\n".join(_trim(lines))
    return None if body.strip() in ("", EMPTY_BODY) else body


def _name(value: str) -> str | None:
    return value.strip() or None


def _snippet(line: str) -> str:
    line = line.strip()
    return line if len(line) <= 60 else line[:57] + "..."


def parse_review_body(body: str) -> tuple[ReviewSection, ...]:
    """Split a review body into numbered sections (rule in the module docstring)."""
    lines = _trim(_split_lines(body))
    starts: list[tuple[int, str]] = []
    last_number = -1
    fence: str | None = None
    for i, line in enumerate(lines):
        if m := _FENCE.match(line):
            if fence is None:
                fence = m[1][0]
            elif m[1][0] == fence:
                fence = None
            continue
        if fence is not None or not (m := _HEADING.fullmatch(line)):
            continue
        number, text = int(m[1]), m[2]
        if number <= last_number or len(text) > MAX_HEADING_CHARS or text[-1] in ".。":
            continue
        if i > 0 and not _is_blank(lines[i - 1]):
            continue
        if i + 1 < len(lines):
            after = lines[i + 1]
            if not _is_blank(after) and (after[0].isspace() or _LIST_ITEM.match(after)):
                continue
        starts.append((i, text))
        last_number = number

    sections: list[ReviewSection] = []
    preamble = _trim(lines[: starts[0][0] if starts else len(lines)])
    if preamble:
        sections.append(ReviewSection("", "\n".join(preamble)))
    for k, (i, heading) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        sections.append(ReviewSection(heading, "\n".join(_trim(lines[i + 1 : end]))))
    return tuple(sections)


def _is_separator(line: str) -> bool:
    line = line.strip()
    return bool(_RULE.fullmatch(line) or _BR.fullmatch(line))


def _parse_slot(number: int, lines: list[str]) -> ReviewSlotPage:
    lines = _trim(lines)
    # The slot ends with "---"; the last slot of a topic is followed by "<br>".
    while lines and _BR.fullmatch(lines[-1].strip()):
        lines = _trim(lines[:-1])
    if lines and _RULE.fullmatch(lines[-1].strip()):
        lines = _trim(lines[:-1])
    reviewer = None
    if lines and (m := _REVIEWER.fullmatch(lines[0].strip())):
        reviewer, lines = _name(m[1]), lines[1:]
    raw = _clean_body(lines)
    return ReviewSlotPage(number, reviewer, parse_review_body(raw) if raw else (), raw)


def _unplaced(lines: list[str], first_line: int, where: str, problems: list[str]) -> None:
    for offset, line in enumerate(lines):
        if not _is_blank(line) and not _is_separator(line):
            problems.append(f"line {first_line + offset}: text {where}: {_snippet(line)!r}")


def _parse_topic(
    index: int, lines: list[str], start: int, end: int, problems: list[str]
) -> TopicPage:
    """Read the topic whose heading is lines[start]; it runs up to lines[end]."""
    m = _TOPIC.fullmatch(lines[start].strip())
    assert m is not None
    number = int(m[1]) if m[1] else index
    slot_starts = [i for i in range(start + 1, end) if _SLOT.fullmatch(lines[i].strip())]
    head_end = slot_starts[0] if slot_starts else end
    presenter = None
    first = next((i for i in range(start + 1, head_end) if not _is_blank(lines[i])), head_end)
    if first < head_end and (p := _PRESENTER.fullmatch(lines[first].strip())):
        presenter = _name(p[1])
        first += 1
    materials: dict[str, str | None] = {}
    rest = []
    for i in range(first, head_end):
        line = lines[i].strip()
        kind = _material_kind(line, (("slides", _SLIDES), ("code", _CODE)), materials)
        if kind is None:
            rest.append((i, lines[i]))
    where = f"in topic {number} outside any review slot"
    for i, line in rest:
        _unplaced([line], i + 1, where, problems)
    slots = []
    for k, i in enumerate(slot_starts):
        slot_end = slot_starts[k + 1] if k + 1 < len(slot_starts) else end
        s = _SLOT.fullmatch(lines[i].strip())
        assert s is not None
        slots.append(_parse_slot(int(s[1]) if s[1] else k + 1, lines[i + 1 : slot_end]))
    return TopicPage(
        number,
        m[2].strip(),
        presenter,
        tuple(slots),
        slides=materials.get("slides"),
        code=materials.get("code"),
    )


def _material_kind(
    line: str, kinds: tuple[tuple[str, re.Pattern[str]], ...], found: dict[str, str | None]
) -> str | None:
    """Record `line` in `found` if it is the first materials line of one of `kinds`."""
    for kind, pattern in kinds:
        if kind not in found and (m := pattern.fullmatch(line)):
            found[kind] = _name(m[1])
            return kind
    return None


def parse_week_page(text: str) -> WeekPage:
    """Read a week page. Never raises on content; see WeekPage.problems."""
    lines = _split_lines(text)
    problems: list[str] = []
    topic_starts = [i for i, line in enumerate(lines) if _TOPIC.fullmatch(line.strip())]
    number: int | None = None
    header_seen = False
    materials: dict[str, str | None] = {}
    for i in range(topic_starts[0] if topic_starts else len(lines)):
        m = _HEADER.fullmatch(lines[i].strip())
        if m and not header_seen:
            header_seen = True
            digits = m[2] or m[1]
            number = int(digits) if digits else None
            if m[3].strip():
                problems.append(f"line {i + 1}: text after the week header: {_snippet(m[3])!r}")
        elif not (
            header_seen
            and _material_kind(lines[i].strip(), (("recording", _RECORDING),), materials)
        ):
            _unplaced(lines[i : i + 1], i + 1, "before the first topic", problems)
    ends = [*topic_starts[1:], len(lines)]  # one too many when there are no topics
    topics = [
        _parse_topic(k + 1, lines, start, end, problems)
        for k, (start, end) in enumerate(zip(topic_starts, ends, strict=False))
    ]
    return WeekPage(number, tuple(topics), tuple(problems), recording=materials.get("recording"))


# --- writing -------------------------------------------------------------------------

# What must not reach a heading or a person line: line breaks and other control characters
# would start a new line of the page (a forged topic or reviewer), format characters hide.
_OFF_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _one_line(text: str) -> str:
    """A name or title as one line: text with none of those characters is written as it is
    (so pages read and written back stay the same); otherwise control characters and
    separators become spaces, format characters go and whitespace runs become one space
    (the rule names are stored under: ``seminar.models.normalize_display_name``)."""
    if not any(unicodedata.category(char) in _OFF_LINE for char in text):
        return text
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category != "Cf":
            kept.append(" " if category in _OFF_LINE else char)
    return " ".join("".join(kept).split())


def render_review_body(sections: Sequence[ReviewSection]) -> str:
    """Write sections as ``N. heading``, a blank line, the body; numbered 1..N.

    A section with heading "" is written as its body alone, so it only reads back as
    its own section when it comes first.
    """
    parts = []
    number = 0
    for section in sections:
        if section.heading:
            number += 1
            head = f"{number}. {section.heading}"
            parts.append(f"{head}\n\n{section.body}" if section.body else head)
        elif section.body:
            parts.append(section.body)
    return "\n\n".join(parts)


def _render_slot(slot: ReviewSlotPage) -> str:
    body = slot.raw_body if slot.raw_body is not None else render_review_body(slot.sections)
    head = f"### 리뷰 {slot.number}\n- **리뷰어**: {_one_line(slot.reviewer or '')}"
    if body.strip() in ("", EMPTY_BODY):
        return f"{head}\n{EMPTY_BODY}\n\n---"
    return f"{head}\n\n{body}\n\n---"


def _material_line(label: str, link: str | None) -> str:
    """ "\n- **label**: link", or "" when there is no link (the page is then as before)."""
    link = " ".join(_one_line(link or "").split())
    return f"\n- **{label}**: {link}" if link else ""


def _render_topic(topic: TopicPage) -> str:
    title, presenter = _one_line(topic.title), _one_line(topic.presenter or "")
    head = f"### 주제 {topic.number}: {title}\n- **발표자**: {presenter}"
    head += _material_line(SLIDES_LABEL, topic.slides) + _material_line(CODE_LABEL, topic.code)
    return "\n\n".join([head, *(_render_slot(slot) for slot in topic.slots)])


def render_week_page(page: WeekPage) -> str:
    """Write the page in the group's format (problems are not written)."""
    number = "" if page.number is None else str(page.number)
    parts = [f"# 📚 - {number}주차"]
    if recording := _material_line(RECORDING_LABEL, page.recording):
        parts.append(recording.lstrip("\n"))
    if page.topics:
        parts.append("\n\n<br>\n\n".join(_render_topic(topic) for topic in page.topics))
    return "\n\n".join(parts) + "\n"


# --- new reviews ---------------------------------------------------------------------


def headings_for_new_review(previous: Iterable[Sequence[str]] = ()) -> tuple[str, ...]:
    """The section headings to pre-fill a new review with.

    ``previous`` holds the reviewer's earlier reviews' headings, newest first (e.g.
    ``[s.heading for s in slot.sections]``); the five newest count. A heading found in
    two or more of them is the reviewer's habit ("문제의식", "리뷰"); one found once is
    about that paper ("Absolute Zero"). With at least two habits, return them (newest
    spelling, in their usual order); otherwise DEFAULT_HEADINGS.
    """
    places: dict[str, list[float]] = {}  # casefolded heading -> relative positions
    spelling: dict[str, str] = {}
    for headings in islice(previous, 5):
        named = [" ".join(h.split()) for h in headings if h.strip()]
        done: set[str] = set()
        for position, heading in enumerate(named):
            key = heading.casefold()
            if key in done:
                continue
            done.add(key)
            spelling.setdefault(key, heading)
            places.setdefault(key, []).append(position / max(len(named) - 1, 1))
    habits = [key for key, found in places.items() if len(found) >= 2]
    if len(habits) < 2:
        return DEFAULT_HEADINGS
    habits.sort(key=lambda key: sum(places[key]) / len(places[key]))
    return tuple(spelling[key] for key in habits)
