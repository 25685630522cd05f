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

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import text as t
from .blocks import Draft, is_link_line, parse_entry
from .types import EntryFailure

MAX_CHARS = 250_000  # 5 x the largest real digest; markdown-it-py needs up to ~20 µs a character
_PSEUDO_LEVEL = 7  # a bold-only paragraph: a heading below all real ones

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")

_REL_HF_RE = re.compile(r"^/?papers/(?P<id>[0-9]{4}\.[0-9]{4,5})(?:v[0-9]{1,3})?(?:[?#/].*)?$")
_PAPER_HOST_RE = re.compile(
    r"(?i:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|alphaxiv\.org)"
)
_LABEL_WORDS_RE = re.compile(
    r"^[\W_]*+(?i:hf|hugging\s*+face|arxiv|pdf|paper|abs|abstract|html|link|url|code|project|"
    r"page|github|demo|website|source|read(?:\s++(?:paper|more))?|alphaxiv|view|details?)?"
    r"[\W_]*+(?:논문|링크|페이지|원문|論文|论文|链接|鏈接|リンク|主页|详情|查看)?[\W_]*+$"
)
# Words that name a link to a paper: an empty link after them is a paper link that lost its target.
_PAPER_LABEL_RE = re.compile(r"(?i:arxiv|paper|hugging\s*+face|\bhf\b|pdf)|论文|論文|논문")
_FIELD_RE = re.compile(r"^[\W_]{0,4}+[^\W_][^:：\n]{0,24}?[:：]")
_TITLE_FIELD_RE = re.compile(
    r"^[*_\s]{0,4}+(?:原文标题|英文标题|論文タイトル|タイトル|(?i:english\s++title|original\s++title|"
    r"paper\s++title|title)|논문\s*+제목|제목)[*_\s]{0,4}+[:：][*_\s]{0,4}+(?P<title>.+)$",
    re.DOTALL,
)
_NUMBER_LEAD_RE = re.compile(
    r"^[\W_]{0,6}?(?:\[[0-9]{1,4}\]|[0-9]{1,4}(?:[.)](?=\s)|[、:：])|#[0-9]{1,4})\s*+"
)
_EMOJI_LEAD_RE = re.compile(r"^[^\w\s\"'“‘(\[【「『<*]{1,3}+\s*+")
_TRAIL_BADGE_RE = re.compile(r"\s*+(?:[-–—|·•]\s*+)?(?:⭐|👍|🔥|❤️?|★|♥)\s*+[0-9,]{0,9}\s*+$")
_TAG_RE = re.compile(r"<[^<>\n]{0,200}+>")
_SUMMARY_RE = re.compile(
    r"<summary\b[^>]{0,200}+>(?P<s>[^<]*+(?:<(?!/summary)[^<]*+)*+)</summary>", re.IGNORECASE
)
_READ_MORE_RE = re.compile(r"\s*+\((?i:read\s++more)[^()]*+(?:\([^()]*+\)[^()]*+)*+\)\s*+$")
_TITLE_COL_RE = re.compile(r"(?i:title|paper|name)|제목|논문|标题|题目|論文|タイトル")
_ID_DASH_RE = re.compile(
    r"^\s*+[`*_]*+(?:arxiv\s*+:\s*+)?[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?[`*_]*+\s*+[-–—:|·]\s*+",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Ref:
    arxiv_id: str
    kind: str  # "hf", "arxiv" or "other"
    text: str | None = None  # link text, when the reference is a link


@dataclass(slots=True)
class _Unit:
    """A paragraph, heading text, table row or HTML block, with the references it holds."""

    line: int
    end: int
    kind: str  # "para", "heading", "row", "html"
    text: str  # plain text (links replaced by their text)
    refs: list[_Ref] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # paper links that hold no valid id
    strong: bool = False  # links/labels only, or starts with the paper reference
    item: _Item | None = None
    lead_of_item: bool = False
    inline: Token | None = None
    title: str | None = None  # the title this unit gives (rows, details)
    summary: str = ""


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    parent: _Item | None
    lead: _Unit | None = None


@dataclass(slots=True)
class _Head:
    line: int
    level: int
    end: int = 0
    title: str | None = None
    unit: _Unit | None = None
    dated: bool = False  # names a date: the digest's own heading, never a paper's


def _inline_parts(inline: Token) -> tuple[str, list[_Ref], list[str], bool, str]:
    """(plain text, refs, broken paper links, starts with a paper ref, bold lead text)."""
    out: list[str] = []
    refs: list[_Ref] = []
    broken: list[str] = []
    starts = False
    bold_lead = ""
    link_href: str | None = None
    link_text: list[str] = []
    in_strong = 0
    strong_buf: list[str] = []
    lead_done = False
    for child in inline.children or ():
        typ = child.type
        if typ == "link_open":
            link_href = str(child.attrs.get("href") or "")
            link_text = []
            continue
        if typ == "link_close":
            text = " ".join("".join(link_text).split())
            ref = _href_ref(link_href or "") or _lead_id_ref(text)
            if ref is not None:
                ref.text = text
                if not refs and _opens(out):
                    starts = True
                refs.append(ref)
            elif _PAPER_HOST_RE.search(link_href or "") or (
                not (link_href or "").strip()
                and _PAPER_LABEL_RE.search(text or "".join(out[-4:])[-40:])
            ):
                broken.append(link_href or f"[{text}]()")
            out.append(text)
            link_href = None
            continue
        if typ in ("text", "code_inline", "html_inline"):
            content = child.content
        elif typ in ("softbreak", "hardbreak"):
            content = " "
        elif typ == "strong_open":
            head = "".join(out) if len(out) <= 8 else None
            if head is not None and (
                (not lead_done and not head.strip(" \t*_")) or _NUM_ONLY(head)
            ):
                in_strong += 1
            continue
        elif typ == "strong_close":
            if in_strong:
                in_strong -= 1
                if not in_strong:
                    bold_lead = " ".join("".join(strong_buf).split())
                    lead_done = True
            continue
        else:
            continue
        if typ == "html_inline":
            continue
        if link_href is not None:
            link_text.append(content)
        else:
            if typ == "text" and (
                "Xiv" in content or "xiv" in content or "XIV" in content or "http" in content
            ):
                opens = not refs and _opens(out)
                for ref in t.refs_in(t.line_head(content)):
                    if opens and not refs and _opens([content[: ref.start]]):
                        starts = True
                    refs.append(_Ref(ref.arxiv_id, ref.kind))
            out.append(content)
        if in_strong:
            strong_buf.append(content)
        elif not lead_done and not strong_buf and content.strip():
            lead_done = True  # text before any bold: no bold lead (numbering excepted above)
    return "".join(out), refs, broken, starts, bold_lead


def _opens(out: list[str]) -> bool:
    """True when the text so far (``out``) is empty or a short label: what follows opens the
    paragraph. Only a few pieces are ever joined, so a paragraph of many pieces stays linear."""
    if len(out) > 8:
        return False
    before = "".join(out)
    return not before.strip(" \t*_-–—|·•:：[(（<") or _LABEL_ONLY(before)


def _LABEL_ONLY(text: str) -> bool:
    """A short label before the reference (``**URL:**``, ``링크：``, ``🔗``)."""
    s = text.strip()
    return len(s) <= 30 and (s.endswith((":", "：", "🔗")) or not any(ch.isalnum() for ch in s))


def _NUM_ONLY(text: str) -> bool:
    s = text.strip()
    return bool(s) and len(s) <= 6 and not any(ch.isalpha() for ch in s)


def _href_ref(href: str) -> _Ref | None:
    if not href:
        return None
    ref = t.first_ref(t.line_head(href))
    if ref is not None:
        return _Ref(ref.arxiv_id, ref.kind)
    m = _REL_HF_RE.match(href[:200])
    if m and t.normalize_arxiv_id(m.group("id")) == m.group("id"):
        return _Ref(m.group("id"), "hf")
    return None


def _lead_id_ref(text: str) -> _Ref | None:
    """A link whose text opens with a bare id (``[2607.05394 — Title](page.md)``)."""
    if not text[:1].isdigit() and text[:1] not in "`*_[":
        return None
    lead = t.leading_id(text[:400])
    if lead is None:
        return None
    return _Ref(lead[0], "other")


def _strong(text: str, refs: list[_Ref], starts: bool) -> bool:
    """True for a unit that presents references rather than mentions them in prose."""
    if not refs:
        return False
    if starts:
        return True
    rest = text
    for ref in refs:
        if ref.text:
            rest = rest.replace(ref.text, " ")
    rest = t.URL_RE.sub(" ", rest)
    rest = t.ID_RE.sub(" ", rest)
    letters = [w for w in re.split(r"[\W_]+", rest) if w]
    return len(letters) <= 4 or is_link_line(text.strip())


def _clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    s = " ".join(raw.split())
    s = _TAG_RE.sub(" ", s) if "<" in s else s
    s = " ".join(s.split())
    s = _ID_DASH_RE.sub("", s, count=1)
    for _ in range(2):
        s = _EMOJI_LEAD_RE.sub("", s, count=1) if s[:1] and not s[:1].isalnum() else s
        s = _NUMBER_LEAD_RE.sub("", s, count=1)
    s = _TRAIL_BADGE_RE.sub("", s)
    s = _READ_MORE_RE.sub("", s)
    # "Title (arXiv:2505.12345)" / "Title — https://…": the reference is not part of the title.
    ref = t.first_ref(s)
    if ref is not None and not s[ref.end :].strip(" )]）】.,"):
        s = s[: ref.start].rstrip(" \t-–—|:(（[【")
    s = s.strip()
    if not s or _LABEL_WORDS_RE.match(s):
        return None
    if t.ID_RE.fullmatch(s.strip("`*_[]() ")):
        return None
    # "[Pool] 2501.12948": a tag and an id are no title.
    bare = t.ID_RE.sub("", re.sub(r"\[[^\]]{0,20}\]", "", s)).strip(" \t-–—|:()[]`*_")
    if not bare:
        return None
    return t.usable_title(s)


@dataclass(slots=True)
class Found:
    """What the structural scan found: drafts in document order, failures, notes."""

    drafts: list[tuple[int, Draft]] = field(default_factory=list)
    failures: list[EntryFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_papers(text: str) -> Found | None:
    """Papers of ``text`` found structurally, or None when the text is too large to parse so."""
    if len(text) > MAX_CHARS:
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


def _item_titled(item: _Item) -> bool:
    """True when the item's lead names a paper (not a field such as ``[HF 페이지](…)``)."""
    lead = item.lead
    if lead is None:
        return False
    text = lead.text.strip()
    if not text:
        return False
    if lead.title:  # a bold lead
        bold = lead.title.strip()
        return not bold.endswith((":", "：")) and _clean_title(bold) is not None
    if lead.refs and lead.refs[0].text and text.startswith(lead.refs[0].text[:20]):
        return _clean_title(lead.refs[0].text) is not None
    if _FIELD_RE.match(text) or is_link_line(text):
        return False
    return (_clean_title(text) is not None and not lead.refs) or bool(lead.refs and not lead.strong)


def _titled_before(item: _Item, items: list[_Item], lines: list[str]) -> _Item | None:
    """The titled top-level item just above a field list that CommonMark did not nest under
    it (``10. **Title**`` is wider than the sub-items' indentation)."""
    if not lines[item.start][:1].isspace():
        return None
    best: _Item | None = None
    for other in items:
        if (
            other.parent is None
            and other.end <= item.start
            and _item_titled(other)
            and (best is None or other.start > best.start)
        ):
            best = other
    # Only blank lines and indented sub-items may lie between them.
    if best is None or any(
        ln.strip() and not ln[:1].isspace() for ln in lines[best.end : item.start]
    ):
        return None
    return best


def _item_title(item: _Item) -> str | None:
    lead = item.lead
    if lead is None:
        return None
    if lead.title:
        return _clean_title(lead.title)
    if lead.refs and lead.refs[0].text:
        title = _clean_title(lead.refs[0].text)
        if title:
            return title
    text = lead.text.strip()
    if lead.refs and lead.refs[0].text is None:
        # "Some Title: https://arxiv.org/abs/…": the title is what precedes the reference.
        ref = t.first_ref(t.line_head(text))
        if ref is not None:
            return _clean_title(text[: ref.start].rstrip(" \t-–—|:：(（<"))
    for sep in (" - ", " — ", " – "):
        if sep in text:
            text = text.split(sep, 1)[0]
            break
    return _clean_title(text)


def _assign(
    units: list[_Unit],
    heads: list[_Head],
    items: list[_Item],
    details: list[tuple[int, int, str | None]],
    lines: list[str],
) -> Found:
    found = Found()
    head_lines = [h.line for h in heads]
    import bisect

    def enclosing(line: int, max_level: int) -> _Head | None:
        k = bisect.bisect_right(head_lines, line) - 1
        while k >= 0:
            h = heads[k]
            if h.level <= max_level and h.line <= line < h.end:
                return None if h.dated else h
            if h.level <= max_level and h.end <= line:
                return None
            k -= 1
        return None

    def in_details(line: int) -> tuple[int, int, str | None] | None:
        best = None
        for d in details:
            if d[0] <= line < d[1] and (best is None or d[0] > best[0]):
                best = d
        return best

    # Owners: ("row"|"details"|"item"|"head"|"para", key) -> (first line, units)
    owners: dict[tuple[str, int], list[_Unit]] = {}
    head_units: list[_Unit] = []
    for u in units:
        if not (u.refs or u.broken):
            continue
        if u.kind == "row":
            owners.setdefault(("row", u.line), []).append(u)
            continue
        d = in_details(u.line) if details else None
        if d is not None:
            owners.setdefault(("details", d[0]), []).append(u)
            continue
        if u.kind == "heading":
            head_units.append(u)
            continue
        if not u.strong and not (u.broken and not u.refs):
            continue
        item = u.item
        while item is not None and not _item_titled(item):
            if item.parent is None:
                item = _titled_before(item, items, lines)
                break
            item = item.parent
        if item is not None:
            owners.setdefault(("item", item.start), []).append(u)
            continue
        head_units.append(u)

    # The paper level: the shallowest level whose sections each hold one paper.
    level = _paper_level(head_units, heads, enclosing)
    for u in head_units:
        if u.kind == "heading":
            owners.setdefault(("head", u.line), []).append(u)
            continue
        h = enclosing(u.line, level)
        if h is not None:
            owners.setdefault(("head", h.line), []).append(u)
        elif u.item is not None:
            # A list item of references with no titled owner: the item is the entry.
            owners.setdefault(("item", u.item.start), []).append(u)
        else:
            owners.setdefault(("para", u.line), []).append(u)

    heads_by_line = {h.line: h for h in heads}
    items_by_start = {it.start: it for it in items}
    details_by_start = {d[0]: d for d in details}
    for (kind, key), group in sorted(owners.items(), key=lambda kv: kv[0][1]):
        refs = [r for u in group for r in u.refs]
        title: str | None = None
        body: list[str] = []
        lead = ""
        start = key
        if kind == "row":
            u = group[0]
            title = u.title
            lead = u.summary
            start = u.line
        elif kind == "details":
            d = details_by_start[key]
            title = _clean_title(d[2]) if d[2] else None
            body = [
                ln for ln in lines[d[0] + 1 : d[1]] if "<summary" not in ln and "details>" not in ln
            ]
        elif kind == "item":
            it = items_by_start[key]
            title = _item_title(it)
            body = lines[it.lead.end if it.lead else it.start + 1 : it.end]
            lead_text = it.lead.text.strip() if it.lead else ""
            first = it.lead.refs[0] if it.lead and it.lead.refs else None
            if first is not None and first.text and lead_text.startswith(first.text):
                # "[Title](link) — a note": the text after the link opens the summary.
                rest = lead_text[len(first.text) :].strip(" \t-–—:|")
                if rest:
                    body = [rest, *body]
        elif kind == "head":
            h = heads_by_line[key]
            title = h.title
            body = lines[h.line + 1 : h.end]
            hu = h.unit
            if hu is not None and hu.refs and hu.refs[0].text is None and not title:
                title = None
        else:
            u = group[0]
            title = _clean_title(u.title) if u.title else None
            if title is None and u.refs and u.refs[0].text:
                title = _clean_title(u.refs[0].text)
            body = lines[u.line + 1 : u.end]
        field_title = _title_field(group, body)
        if field_title:
            title = field_title
        if not refs:
            where = lines[start].strip()[:80] if start < len(lines) else ""
            found.failures.append(
                EntryFailure(
                    line=start + 1,
                    ref=where,
                    reason=EntryFailure.NO_ID,
                    detail=", ".join(dict.fromkeys(group[0].broken))[:200],
                    title=title,
                )
            )
            continue
        pid = refs[0].arxiv_id
        draft = parse_entry(pid, pid, None, "", body)
        if lead:
            draft.summary_ok = draft.summary_ok or len(lead.strip()) > 40
        draft.title = title
        draft.problems = [p for p in draft.problems if p != "no title in the digest"]
        if any(r.kind == "hf" for r in refs if r.arxiv_id == pid):
            draft.hf_url = t.hf_url(pid)
        found.drafts.append((start, draft))
    return found


_TITLE_FIELD_FIRST = frozenset("*_ 原英論タ제논TtEeOoPp")


def _title_field(group: list[_Unit], body: list[str]) -> str | None:
    """An explicit title line in the entry (``**原文标题：** …``, ``제목: …``, ``Title: …``)."""
    k = 0
    while k < len(body) and k < 40:
        line = body[k].strip()
        if (
            line
            and line[0] in _TITLE_FIELD_FIRST
            and (
                "题" in line[:8]
                or "제목" in line[:10]
                or "itle" in line[:20]
                or "タイトル" in line[:12]
            )
        ):
            m = _TITLE_FIELD_RE.match(t.line_head(line))
            if m:
                raw = m.group("title")
                # The title may wrap onto indented lines that follow.
                j = k + 1
                while j < len(body) and body[j].startswith((" ", "\t")) and body[j].strip():
                    raw += " " + body[j].strip()
                    j += 1
                title = _clean_title(raw)
                if title:
                    return title
        k += 1
    return None


def _paper_level(head_units: list[_Unit], heads: list[_Head], enclosing) -> int:
    if not head_units or not heads:
        return _PSEUDO_LEVEL
    levels = sorted({h.level for h in heads})
    for level in levels:
        seen: dict[int, str] = {}
        ok = True
        covered = 0
        for u in head_units:
            if not u.refs:
                continue
            h = enclosing(u.line, level)
            if h is None:
                continue
            covered += 1
            pid = u.refs[0].arxiv_id
            if seen.setdefault(h.line, pid) != pid:
                ok = False
                break
        if ok and covered:
            return level
    return levels[-1]
