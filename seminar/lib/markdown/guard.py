"""python-markdown made linear, part one: brackets and links answered from one pass, and the
`_Guard` that installs every replacement on an instance and charges what is left to a budget.

Each replacement here and in `blocks` stands in for one part of python-markdown 3.x whose work
grew with the square of the text (or deeper), found by probing; the HTML stays the same.
"""

from __future__ import annotations

import bisect
import math
import re
import time
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

import markdown as markdown_lib

from seminar.lib.markdown.blocks import (
    _LINE_SEARCHES,
    _BoundedAbbrBlockprocessor,
    _IndexedList,
    _InlinePieces,
    _JoinPieces,
    _LineSearch,
    _OverBudget,
    _ParseBlocks,
    _setext_run,
    _table_test,
)

# Deeper block nesting than this is shown as text. python-markdown recurses once per level
# (and nests a definition list per term when terms follow one another without blank lines), so
# a thousand `1. ` on one line took seconds and then raised RecursionError.
_MAX_NESTING = 48


# Characters python-markdown may scan for link titles that never close (the one part of link
# parsing left as it is), on top of this many per character of text.
_SCAN_BUDGET_BASE = 1_000_000


_SCAN_BUDGET_PER_CHAR = 10


_LINK_FAMILY = (
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
)


# What `LinkInlineProcessor.getLink` returns: href, title, index after the link, handled.
_Link = tuple[str, str | None, int, bool]


class _Pairs:
    """Where each opener (`[` or `(`) of an inline string closes, from one stack pass.

    python-markdown finds the `]` of every `[` (and the `)` after every `](`) by scanning
    forward from it; with many unclosed openers every scan runs to the end of the text, which
    is quadratic (20,000 `[` took 35 s). One pass answers for every opener at once, exactly as
    the scan would.

    Answers are stored by distance from the end of the string: when a link becomes a
    placeholder python-markdown rebuilds the string, but the part after the link is unchanged,
    so its answers stay valid (checked by comparing that suffix) without another pass.
    """

    _SLOTS = 16  # strings in use at once: the paragraph, link texts being processed inside it

    def __init__(self, opener: str, closer: str, *, quotes: bool = False) -> None:
        self._opener, self._closer = opener, closer
        self._quotes = quotes
        self._chars = re.compile("[" + re.escape(opener + closer + ("'\"" if quotes else "")) + "]")
        self._tables: list[_PairTable] = []

    def reset(self) -> None:
        self._tables.clear()

    def table(self, data: str, at: int) -> _PairTable:
        """A table valid for `data` from position `at` (an opener) to its end."""
        tail = len(data) - at
        for table in self._tables:
            if table.source is data and tail <= table.covers:
                return table
        suffix: str | None = None
        for table in self._tables:
            if tail <= table.covers:
                if suffix is None:
                    suffix = data[at:]
                if table.source.endswith(suffix):
                    table.source, table.covers = data, tail
                    return table
        table = self._pass(data, at)
        self._tables.insert(0, table)
        del self._tables[self._SLOTS :]
        return table

    def _pass(self, data: str, at: int) -> _PairTable:
        n = len(data)
        # distance of the character after an opener -> distance of its closer (0: never closes)
        closes: dict[int, int] = {}
        quotes: list[int] = []  # distances of quote characters, decreasing
        # `)` right after a quote (spaces between allowed), where a link title can end:
        # quote character -> distances of the `)`, and of that quote, decreasing
        ends: dict[str, tuple[list[int], list[int]]] = {'"': ([], []), "'": ([], [])}
        stack: list[int] = []
        opener, closer = self._opener, self._closer
        for match in self._chars.finditer(data, at):
            char, pos = match.group(), match.start()
            if char == opener:
                stack.append(pos)
            elif char == closer:
                if stack:
                    closes[n - stack.pop() - 1] = n - pos
                if self._quotes:
                    before = pos - 1
                    while before >= at and data[before] == " ":
                        before -= 1
                    if before >= at and data[before] in ends:
                        parens, marks = ends[data[before]]
                        parens.append(n - pos)
                        marks.append(n - before)
            else:
                quotes.append(n - pos)
        for pos in stack:
            closes[n - pos - 1] = 0
        quotes.reverse()
        for parens, marks in ends.values():
            parens.reverse()
            marks.reverse()
        return _PairTable(data, n - at, closes, quotes, ends)


class _PairTable:
    __slots__ = ("closes", "covers", "ends", "quotes", "source")

    def __init__(
        self,
        source: str,
        covers: int,
        closes: dict[int, int],
        quotes: list[int],
        ends: dict[str, tuple[list[int], list[int]]],
    ) -> None:
        self.source = source
        self.covers = covers  # valid for positions at most this far from the end
        self.closes = closes
        self.quotes = quotes  # increasing
        self.ends = ends  # increasing

    def close_after(self, data: str, start: int) -> int | None:
        """For the opener just before `start`: where its closer is, -1 if it never closes,
        None if this table does not know the position (then the caller asks python-markdown)."""
        distance = self.closes.get(len(data) - start)
        if distance is None:
            return None
        return len(data) - distance if distance else -1

    def first_quote(self, data: str, start: int) -> int | None:
        """Position of the first `'` or `"` at or after `start`, or None."""
        i = bisect.bisect_right(self.quotes, len(data) - start) - 1
        return len(data) - self.quotes[i] if i >= 0 else None

    def title_end(self, data: str, quote: int) -> int:
        """Where python-markdown's scan of a link title opened at `quote` stops at the latest:
        the first `)` after another quote of the same kind (spaces between), else the end."""
        parens, marks = self.ends[data[quote]]
        n = len(data)
        i = bisect.bisect_right(parens, n - quote - 1) - 1
        while i >= 0:
            if n - marks[i] > quote:
                return n - parens[i] + 1
            i -= 1
        return n


class _Guard:
    """Makes one Markdown instance linear, or bounded where no exact linear form exists.

    Exact (same HTML): bracket and parenthesis matching for links, block searches that
    remember their misses, the table test and setext headers reading only the lines they use,
    footnote positions by dictionary, long inline text processed in pieces. Bounded: nesting
    depth, abbreviations, footnote ids, unclosed link titles (scan budget). Everything: a time
    budget checked at every inline match and block step.
    """

    def __init__(self, md: markdown_lib.Markdown) -> None:
        self.deadline = math.inf
        self.scan_left = 0
        self.depth = 0
        self.brackets = _Pairs("[", "]")
        self.parens = _Pairs("(", ")", quotes=True)

        # Instance attributes shadow the methods python-markdown calls on its processors.
        for processor in md.inlinePatterns:
            processor.handleMatch = self._timed(processor.handleMatch)  # type: ignore[method-assign]
        for name in _LINK_FAMILY:
            processor = md.inlinePatterns[name]
            processor.getText = self._get_text  # type: ignore[method-assign]
            if name in ("link", "image_link"):
                processor.getLink = self._link_getter(processor)  # type: ignore[method-assign]

        # Footnote markers `[^id]`: the stock pattern scans from every `[^` to the next `]`
        # (quadratic on a run of `[^`); an id no longer runs across another `[`.
        md.inlinePatterns["footnote"].compiled_re = re.compile(r"\[\^([^\]\[]*)\]", re.DOTALL)
        # Footnote definitions `[^id]:` likewise scanned from every line that starts `[^` to
        # the next `]`, across lines; an id no longer runs across a line break.
        footnotes = md.parser.blockprocessors["footnote"]
        footnotes.RE = re.compile(  # type: ignore[attr-defined]
            r"^[ ]{0,3}\[\^([^\]\n]*)\]:[ ]*(.*)$", re.MULTILINE
        )
        table = md.parser.blockprocessors["table"]
        table.test = _table_test(table)  # type: ignore[method-assign]
        md.parser.blockprocessors["setextheader"].run = _setext_run  # type: ignore[method-assign]
        # The footnote extension keeps referenced ids in a list it searches for every reference.
        self._footnotes = md.inlinePatterns["footnote"].footnotes  # type: ignore[attr-defined]
        # Around python-markdown's inline pass (20) and its abbreviations (7).
        md.treeprocessors.register(_InlinePieces(md), "seminar_inline_pieces", 25)
        md.treeprocessors.register(_JoinPieces(md), "seminar_join_pieces", 5)

        abbr = md.parser.blockprocessors["abbr"]
        md.parser.blockprocessors.register(
            _BoundedAbbrBlockprocessor(md.parser, abbr.abbrs),  # type: ignore[attr-defined]
            "abbr",
            16,
        )
        self._line_searches = []
        for name, attribute in _LINE_SEARCHES:
            processor = md.parser.blockprocessors[name]
            search = _LineSearch(getattr(processor, attribute))
            setattr(processor, attribute, search)
            self._line_searches.append(search)
        for processor in md.parser.blockprocessors:
            processor.run = self._timed(processor.run)  # type: ignore[method-assign]
        md.parser.parseBlocks = self._nested(md.parser.parseBlocks)  # type: ignore[method-assign]

    def start(self, *, seconds: float | None, chars: int) -> None:
        """Before each render, after `Markdown.reset()` (which replaces the footnote list)."""
        self._footnotes.footnote_order = _IndexedList()
        self.deadline = time.monotonic() + seconds if seconds else math.inf
        self.scan_left = _SCAN_BUDGET_BASE + _SCAN_BUDGET_PER_CHAR * chars
        self.depth = 0
        self.brackets.reset()
        self.parens.reset()
        for search in self._line_searches:
            search.reset()

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            if time.monotonic() > self.deadline:
                raise _OverBudget
            return method(*args)

        return call

    def _nested(self, parse_blocks: _ParseBlocks) -> _ParseBlocks:
        def call(parent: etree.Element, blocks: list[str]) -> None:
            if self.depth >= _MAX_NESTING:
                # Too deep to nest further: what is left is shown as a paragraph of text.
                paragraph = etree.SubElement(parent, "p")
                paragraph.text = "\n\n".join(blocks)
                blocks.clear()  # parseBlocks consumes its list; callers rely on that
                return
            self.depth += 1
            try:
                parse_blocks(parent, blocks)
            finally:
                self.depth -= 1

        return call

    def _get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """`LinkInlineProcessor.getText`: the text up to the `]` closing the `[` at index - 1."""
        close = self.brackets.table(data, index - 1).close_after(data, index)
        if close is None:  # not an opener we know; python-markdown's own scan (never expected)
            return _scan_brackets(data, index)
        if close < 0:
            # Callers ignore the text when the bracket never closes.
            return "", len(data), False
        return data[index:close], close + 1, True

    def _link_getter(self, processor: Any) -> Callable[[str, int], _Link]:
        original = processor.getLink

        def get_link(data: str, index: int) -> _Link:
            """`LinkInlineProcessor.getLink`, whose loop scans from `(` to the balancing `)`
            (to the end of the text when there is none). Without a quote inside the parentheses
            the loop only counts parentheses, so the pair table gives its answer at once."""
            match = processor.RE_LINK.match(data, pos=index)
            if match is None or match.group(1):
                return original(data, index)  # no `(`, or `(<url>)`: a bounded regex
            table = self.parens.table(data, match.start())
            close = table.close_after(data, match.start() + 1)
            if close is not None:
                quote = table.first_quote(data, match.end())
                if quote is None or (close >= 0 and quote > close):
                    if close < 0:
                        return "", None, len(data), False
                    href = processor.unescape(data[match.end() : close]).strip()
                    return href, None, close + 1, True
                # A title (or a stray quote): python-markdown's own loop, which runs to the end
                # of the text when the title never closes. Charged to the render's scan budget.
                self.scan_left -= table.title_end(data, quote) - match.end()
                if self.scan_left < 0:
                    raise _OverBudget
            return original(data, index)

        return get_link


def _scan_brackets(data: str, index: int) -> tuple[str, int, bool]:
    """python-markdown's `getText`, for the case the pair table cannot answer."""
    depth = 1
    for pos in range(index, len(data)):
        char = data[pos]
        if char == "]":
            depth -= 1
            if depth == 0:
                return data[index:pos], pos + 1, True
        elif char == "[":
            depth += 1
    return data[index:], len(data), False
