"""Which block owns which paper: the paper level of the headings, list items that give a
title, `Title:` fields, and the entries that look like papers but hold no id.
"""

from __future__ import annotations

from papers.digest.inlines import (
    _FIELD_RE,
    _PSEUDO_LEVEL,
    _TITLE_FIELD_RE,
    Found,
    _clean_title,
    _Head,
    _Item,
    _Unit,
)

from . import text as t
from .blocks import is_link_line, parse_entry
from .types import EntryFailure


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
