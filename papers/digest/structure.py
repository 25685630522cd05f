"""Papers found structurally, for digests of layouts the seed-format readers do not know.

The digest is parsed with a CommonMark parser (markdown-it-py, tables enabled, raw HTML kept)
into blocks: heading sections, list items, table rows, ``<details>`` blocks and paragraphs. A
*reference* to a paper is an arXiv abs/pdf/html link, a Hugging Face paper link (absolute or
``/papers/ID``), an alphaxiv link, an ``arXiv:ID`` marker, or a bare id that opens a link's
text. A paper is the block that *owns* a reference:

* a table row owns the references in its cells;
* a ``<details>`` block owns the references inside it;
* a list item whose lead (its first paragraph) gives a title (a bold lead, a link to the
  paper, plain text) owns the references in it and in its sub-items; a sub-item that is only a
  field (``- [HF 페이지](…)``, ``- **URL:** …``) passes them up to its parent item;
* otherwise the heading section at the *paper level* owns them: the shallowest heading level
  whose sections each hold the references of at most one paper (a paragraph that is only bold
  text, ``**1. Title**``, counts as a heading below all others).

References in prose (a paragraph that says more than links and labels) never make a paper of
their own: ids mentioned inside another paper's text are not papers. The title is the text the
owning block gives: an explicit title field (``원문标题：``/``Title:``/``제목:``), the link text
of the paper link, the bold lead, the heading or the ``<summary>``.

Entries that look like papers but carry no readable id (a paper link with an empty or broken
target) are returned as :class:`~papers.digest.types.EntryFailure` s.

Cost: markdown-it-py is linear on ordinary text but not on every adversarial input, so it only
sees digests of at most :data:`MAX_CHARS` characters (larger ones keep the line scan); every
pattern here is linear and sees bounded text (see ``text.py``).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from papers.digest.assign import _assign
from papers.digest.inlines import (
    _PSEUDO_LEVEL,
    _SUMMARY_RE,
    _TITLE_COL_RE,
    _TRAIL_BADGE_RE,
    Found,
    _clean_title,
    _Head,
    _inline_parts,
    _Item,
    _Ref,
    _strong,
    _Unit,
)

from . import text as t

MAX_CHARS = 250_000  # 5 x the largest real digest; markdown-it-py needs up to ~20 µs a character


# markdown-it-py and the walk over its tokens cost about 40 µs per block, so a digest of
# thousands of one-line entries (a few dozen characters each) would be read at a fraction of a
# megabyte a second. Real digests give each paper far more text (the densest of the corpus of
# real digests: about 200 characters a paper), so a text with more than DENSE_AFTER references
# and fewer characters than this per reference is read line by line instead.
MIN_CHARS_PER_REFERENCE = 64
DENSE_AFTER = 100
_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def too_dense(text: str, references: int) -> bool:
    """Whether ``text``, with ``references`` paper entries found by the line scan, lists papers
    so densely that the structural reader would be slow on it (:data:`MIN_CHARS_PER_REFERENCE`)."""
    return references > DENSE_AFTER and len(text) / references < MIN_CHARS_PER_REFERENCE


def find_papers(text: str, *, references: int = 0) -> Found | None:
    """Papers of ``text`` found structurally, or None when the text is too large, or too dense
    for the ``references`` the line scan found, to parse so (the caller then reads it line by
    line and says why)."""
    if len(text) > MAX_CHARS or too_dense(text, references):
        return None
    lines = text.split("\n")
    fm_end = _front_matter_end(lines)
    if fm_end:
        # YAML front matter is not markdown (its "---" would make a setext heading of it).
        text = "\n" * fm_end + "\n".join(lines[fm_end:])
    tokens = _MD.parse(text)
    units, heads, items, details = _collect(tokens, lines)
    return _assign(units, heads, items, details, lines)


def _front_matter_end(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


def _collect(
    tokens: list[Token], lines: list[str]
) -> tuple[list[_Unit], list[_Head], list[_Item], list[tuple[int, int, str | None]]]:
    units: list[_Unit] = []
    heads: list[_Head] = []
    items: list[_Item] = []
    stack: list[_Item] = []
    header_cells: list[str] = []
    row: list[tuple[str, list[_Ref], list[str], bool, str, Token]] | None = None
    row_map: list[int] = [0, 0]
    in_thead = False
    pending_row: _Unit | None = None
    details: list[tuple[int, int, str | None]] = []
    open_details: list[tuple[int, str | None]] = []
    n = len(tokens)
    for i in range(n):
        tok = tokens[i]
        typ = tok.type
        if typ == "heading_open" and i + 1 < n and tok.map:
            inline = tokens[i + 1]
            plain, refs, broken, starts, _bold = _inline_parts(inline)
            unit = _Unit(tok.map[0], tok.map[1], "heading", plain, refs, broken, bool(refs))
            unit.inline = inline
            units.append(unit)
            title = _head_title(plain, refs)
            nxt = tokens[i + 3] if i + 4 < n else None
            if (
                title
                and not refs
                and nxt is not None
                and nxt.type == "paragraph_open"
                and nxt.map
                and nxt.map[0] == tok.map[1]
                and nxt.map[1] == nxt.map[0] + 1
            ):
                # A heading whose text wrapped onto the next line (a generator's line wrap).
                more = tokens[i + 4].content.strip()
                if (
                    more[:1].isalnum()
                    and len(more) < 120
                    and "](" not in more
                    and "http" not in more
                    and not more.endswith((".", "。"))
                ):
                    title = _clean_title(f"{title} {more}") or title
            head = _Head(tok.map[0], int(tok.tag[1]), unit=unit, title=title)
            head.dated = not refs and t.find_date(plain[:300])[0] is not None
            heads.append(head)
        elif typ == "list_item_open" and tok.map:
            item = _Item(tok.map[0], tok.map[1], stack[-1] if stack else None)
            items.append(item)
            stack.append(item)
        elif typ == "list_item_close":
            if stack:
                stack.pop()
        elif typ == "paragraph_open" and i + 1 < n and tok.map:
            inline = tokens[i + 1]
            plain, refs, broken, starts, bold = _inline_parts(inline)
            unit = _Unit(tok.map[0], tok.map[1], "para", plain, refs, broken)
            unit.strong = _strong(plain, refs, starts) or bool(refs and bold and _clean_title(bold))
            unit.inline = inline
            unit.title = bold or None
            if stack:
                unit.item = stack[-1]
                if stack[-1].lead is None and tok.map[0] == stack[-1].start:
                    stack[-1].lead = unit
                    unit.lead_of_item = True
            units.append(unit)
            # A paragraph that is only bold (or italic) text is a heading of its own.
            if not stack and _bold_only(inline):
                heads.append(_Head(tok.map[0], _PSEUDO_LEVEL, unit=unit, title=_clean_title(plain)))
        elif typ == "thead_open":
            in_thead = True
            header_cells = []
        elif typ == "thead_close":
            in_thead = False
        elif typ == "tr_open":
            row = []
            row_map = tok.map or [0, 0]
        elif typ in ("td_open", "th_open") and row is not None and i + 1 < n:
            inline = tokens[i + 1]
            if inline.type == "inline":
                row.append((*_inline_parts(inline), inline))
        elif typ == "tr_close" and row is not None:
            if in_thead:
                header_cells = [c[0].strip() for c in row]
            else:
                unit = _row_unit(row, row_map, header_cells, lines, pending_row)
                pending_row = None
                if unit.refs:
                    units.append(unit)
                elif sum(bool(c[0].strip()) for c in row) <= 1 and not lines[
                    row_map[0]
                ].rstrip().endswith("|"):
                    pending_row = unit  # a title that wraps onto the next line of the table
                elif unit.broken:
                    units.append(unit)
            row = None
        elif typ == "html_block" and tok.map:
            content = tok.content
            low = content.lower()
            if "<details" in low:
                m = _SUMMARY_RE.search(content[:4000])
                open_details.append((tok.map[0], m.group("s") if m else None))
            if "</details" in low and open_details:
                start, summary = open_details.pop()
                details.append((start, tok.map[1], summary))
    for start, summary in open_details:
        details.append((start, len(lines), summary))
    # Section ends.
    # A section ends at the next heading of its level or above (a bold-only paragraph at the
    # next heading of any kind); one pass with a stack of open sections keeps it linear.
    open_heads: list[_Head] = []
    for h in heads:
        while open_heads and (
            open_heads[-1].level >= h.level or open_heads[-1].level == _PSEUDO_LEVEL
        ):
            open_heads.pop().end = h.line
        open_heads.append(h)
    for h in open_heads:
        h.end = len(lines)
    return units, heads, items, details


def _bold_only(inline: Token) -> bool:
    kids = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
    if len(kids) < 3:
        return False
    first, last = kids[0], kids[-1]
    if first.type == "text" and not any(ch.isalnum() for ch in first.content) and len(kids) > 3:
        kids = kids[1:]
        first = kids[0]
    if first.type not in ("strong_open", "em_open"):
        return False
    close = "strong_close" if first.type == "strong_open" else "em_close"
    if last.type != close:
        tail = last.content if last.type == "text" else "x"
        if not _TRAIL_BADGE_RE.fullmatch(" " + tail.strip()) and last.type != close:
            return False
    return not any(c.type == "link_open" for c in kids)


def _head_title(plain: str, refs: list[_Ref]) -> str | None:
    for ref in refs:
        if ref.text:
            title = _clean_title(ref.text)
            if title:
                return title
    return _clean_title(plain)


def _row_unit(
    row: list[tuple[str, list[_Ref], list[str], bool, str, Token]],
    row_map: list[int],
    header: list[str],
    lines: list[str],
    pending: _Unit | None,
) -> _Unit:
    refs = [r for cell in row for r in cell[1]]
    broken = [b for cell in row for b in cell[2]]
    start = pending.line if pending is not None and refs else row_map[0]
    unit = _Unit(start, row_map[1], "row", " | ".join(c[0] for c in row), refs, broken, True)
    # The title column: a header that says title/paper, else the first cell with a bold lead,
    # else the first cell that is text.
    col: int | None = None
    for k, name in enumerate(header):
        if k < len(row) and _TITLE_COL_RE.search(name) and row[k][0].strip():
            col = k
            break
    if col is None:
        col = next((k for k, c in enumerate(row) if c[4]), None)
    title: str | None = None
    if col is not None:
        cell_text, cell_refs, _b, _s, bold, _tok = row[col]
        raw = bold or cell_text
        if pending is not None and not bold:
            raw = pending.text.strip(" |") + " " + raw
        if (
            not bold
            and cell_refs
            and any(r.text and r.text.strip() == raw.strip() for r in cell_refs)
        ):
            raw = cell_refs[0].text or raw
        title = _clean_title(raw)
    unit.title = title
    others = [c[0] for k, c in enumerate(row) if k != col and len(c[0]) > 80]
    unit.summary = "\n\n".join(others)
    return unit
