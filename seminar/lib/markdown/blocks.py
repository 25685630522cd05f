"""python-markdown made linear, part two: block searches that remember where they found
nothing, setext headers and tables that read only their lines, long paragraphs handed over in
pieces, and bounded abbreviations.
"""

from __future__ import annotations

import bisect
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

# Each abbreviation costs one pass over the text, and more than a handful is never written.
_MAX_ABBREVIATIONS = 32


# python-markdown rebuilds an inline string (a paragraph's text) after every match, so one
# string costs about (matches x length): 50,000 line breaks in one paragraph took 10 s. Text
# whose (characters that can start a match) x (length) is above this is handed over in
# pieces, cut at line breaks where possible; about 40 ms of rebuilding per piece.
_INLINE_COST = 20_000_000


_INLINE_STARTS = re.compile(r"[\\`*_\[!<&\n]")


_ParseBlocks = Callable[[etree.Element, list[str]], None]


class _OverBudget(Exception):
    """The render went over its time or scan budget."""


# Block processors whose test searches the whole block for a line that starts their kind of
# block (a header, a rule, a quote, a definition, ...), as (processor, attribute of its regex).
_LINE_SEARCHES = (
    ("hashheader", "RE"),
    ("hr", "SEARCH_RE"),
    ("quote", "RE"),
    ("deflist", "RE"),
    ("footnote", "RE"),
    ("abbr", "RE"),
    ("reference", "RE"),
)


class _LineSearch:
    """A block processor's regex that remembers where it found nothing.

    When a processor takes the first lines off a block, python-markdown hands the rest back to
    every processor, and each of these searches all of it again: a block of 6,000 setext
    headers took 8 s. Their patterns only match from the start of a line and look forward, so
    a block that is the tail of one they searched in vain (cut at a line start) has no match
    either; comparing the tail is a memcmp.
    """

    _REMEMBERED = 4  # the block being taken apart, and lines parsed on their own meanwhile

    def __init__(self, regex: re.Pattern[str]) -> None:
        self._regex = regex
        self._misses: list[str] = []

    def search(self, block: str, *args: Any) -> re.Match[str] | None:
        if args:
            return self._regex.search(block, *args)
        for missed in self._misses:
            cut = len(missed) - len(block)
            if cut >= 0 and (cut == 0 or missed[cut - 1] == "\n") and missed.endswith(block):
                return None
        match = self._regex.search(block)
        if match is None:
            self._misses.insert(0, block)
            del self._misses[self._REMEMBERED :]
        return match

    def reset(self) -> None:
        self._misses.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._regex, name)


def _setext_run(parent: etree.Element, blocks: list[str]) -> None:
    """`SetextHeaderProcessor.run`, splitting off only the two lines it uses: the stock one
    splits the whole block into lines and joins the rest again for every header."""
    lines = blocks.pop(0).split("\n", 2)
    level = 1 if lines[1].startswith("=") else 2
    heading = etree.SubElement(parent, f"h{level}")
    heading.text = lines[0].strip()
    if len(lines) > 2:
        blocks.insert(0, lines[2])


class _IndexedList(list):  # type: ignore[type-arg]
    """A list of distinct strings with constant-time `in` and `index` (the footnote extension
    only appends to its list of referenced ids, tests membership and asks for positions)."""

    def __init__(self) -> None:
        super().__init__()
        self._positions: dict[Any, int] = {}

    def append(self, item: Any) -> None:
        self._positions.setdefault(item, len(self))
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._positions

    def index(self, item: Any, *args: Any) -> int:
        if args or item not in self._positions:
            return super().index(item, *args)
        return self._positions[item]


def _table_test(table: Any) -> Callable[[etree.Element, str], bool]:
    """`TableProcessor.test` on only the rows it decides on.

    The stock test splits and strips every line of the block, and runs again on what is left
    each time another processor takes a line off the block (a header per line: 6 s for 25 KB).
    Its answer depends on the first two rows, and for a one-column table with borders on the
    rows up to the first without a pipe at either end, so the block is cut after that row.
    """
    original = table.test
    end_border = table.RE_END_BORDER

    def test(parent: etree.Element, block: str) -> bool:
        start, row = 0, 0
        while True:
            newline = block.find("\n", start)
            line = (block[start:] if newline < 0 else block[start:newline]).strip(" ")
            if row >= 1 and not (line.startswith("|") or end_border.search(line)):
                return original(parent, block if newline < 0 else block[:newline])
            if newline < 0:
                return original(parent, block)
            start, row = newline + 1, row + 1

    return test


# The element that carries one piece through inline processing; removed again before output.
_PIECE = "seminar-piece"


class _InlinePieces(Treeprocessor):
    """Hands long, dense inline text to python-markdown in pieces (see `_INLINE_COST`).

    Each piece is the text of its own element until inline processing is done, which also
    bounds the number of children one element gets: python-markdown looks up each child's
    position in a list of all of them, which is quadratic again (50,000 line breaks in one
    paragraph are 50,000 `<br>`; the abbreviation pass does the same). `_JoinPieces` then puts
    the results back in place, so the HTML is what python-markdown makes of the text, except
    for a construct spanning a cut (rare: cuts are at line breaks where there are any).
    """

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            if not isinstance(parent.tag, str):
                continue
            pieces = _pieces(parent.text)
            if pieces:
                parent.text = None
                for i, piece in enumerate(pieces):
                    parent.insert(i, _piece(piece))
            for child in list(parent):
                pieces = _pieces(child.tail)
                if pieces:
                    child.tail = None
                    at = list(parent).index(child) + 1
                    for i, piece in enumerate(pieces):
                        parent.insert(at + i, _piece(piece))


def _piece(text: str) -> etree.Element:
    piece = etree.Element(_PIECE)
    piece.text = text
    return piece


class _JoinPieces(Treeprocessor):
    """Replaces each piece element by its contents (after abbreviations, the last pass that
    looks up children one by one)."""

    def run(self, root: etree.Element) -> None:
        for parent in [element for element in root.iter() if element.find(_PIECE) is not None]:
            children: list[etree.Element] = []
            for child in list(parent):
                if child.tag == _PIECE:
                    parent.text = _add_text(parent.text, children, child.text)
                    children.extend(child)
                    parent.text = _add_text(parent.text, children, child.tail)
                else:
                    children.append(child)
            parent[:] = children


def _add_text(text: str | None, children: list[etree.Element], extra: str | None) -> str | None:
    """Appends `extra` after the last of `children` (or to `text` when there is none yet);
    returns the new `text`."""
    if not extra:
        return text
    if children:
        children[-1].tail = (children[-1].tail or "") + extra
        return text
    return (text or "") + extra


def _pieces(text: str | None) -> list[str] | None:
    """`text` cut into pieces of bounded inline cost, or None when it needs no cutting."""
    if not text or isinstance(text, AtomicString):
        return None
    starts = [match.start() for match in _INLINE_STARTS.finditer(text)]
    if len(starts) * len(text) <= _INLINE_COST:
        return None

    def cost(begin: int, end: int) -> int:
        return (bisect.bisect_left(starts, end) - bisect.bisect_left(starts, begin)) * (end - begin)

    pieces: list[str] = []
    begin = 0
    while cost(begin, len(text)) > _INLINE_COST:
        low, high = begin + 1, len(text)  # the longest piece from `begin` within the budget
        while low < high:
            middle = (low + high + 1) // 2
            if cost(begin, middle) <= _INLINE_COST:
                low = middle
            else:
                high = middle - 1
        cut = _cut_point(text, begin + (low - begin) // 2, low)
        if cut <= begin:
            cut = low
            # never inside one of python-markdown's placeholders (\x02…\x03)
            stx = text.rfind("\x02", begin, cut)
            if stx > begin and text.find("\x03", stx, cut) < 0:
                cut = stx
        pieces.append(text[begin:cut])
        begin = cut
    pieces.append(text[begin:])
    return pieces


def _cut_point(text: str, low: int, high: int) -> int:
    """The last line break in text[low:high], else the last space, preferring one that is not
    inside brackets or parentheses (a link); -1 if there is neither."""
    for separator in ("\n", " "):
        fallback = -1
        at = high
        for _attempt in range(64):
            at = text.rfind(separator, low, at)
            if at < 0:
                break
            fallback = max(fallback, at)
            opened = max(text.rfind("[", low, at), text.rfind("(", low, at))
            closed = max(text.rfind("]", low, at), text.rfind(")", low, at))
            if closed >= opened:
                return at
        if fallback >= 0:
            return fallback
    return -1


class _BoundedAbbrBlockprocessor(AbbrBlockprocessor):
    """Abbreviation definitions, at most `_MAX_ABBREVIATIONS` of them, one line each.

    Every abbreviation adds an alternative to a regex run over all text, and the stock pattern
    lets a name run across lines, so each line starting with `*[` scanned to the end of its
    block. Later definitions stay visible as text.
    """

    RE = re.compile(r"^[*]\[(?P<abbr>[^\\\n]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$", re.MULTILINE)

    def test(self, parent: etree.Element, block: str) -> bool:
        return len(self.abbrs) < _MAX_ABBREVIATIONS


_local = threading.local()
