"""Parsing of one paper entry (the lines under a paper heading), shared by all formats.

An entry is: optional metadata lines (links, thumbnail, ``Vote:``, ``Authors:``), an optional
``**Summary**:`` marker, then the summary, possibly wrapped in a ```` ```markdown ```` fence.
The summary yields the sections, a title when the heading had none (``# Title`` inside the
fence, or a quoted title in the opening prose), and the failure/truncation flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import text as t
from .budget import MAX_SECTIONS
from .types import Section

_WRAPPER_INFOS = frozenset({"markdown", "md", "mdx"})
_PLAIN_INFOS = frozenset({"", "text", "txt", "plain", "plaintext"})
_LINK_LABEL_RE = re.compile(
    r"(?i:\b(?:links?|urls?|paper|pdf|arxiv|abs|hf|hugging\s*face|code|project|page|github|"
    r"demo|website|source|html)\b)|논문|링크|코드|페이지"
)
_LIST_MARKER_RE = re.compile(r"^(?:[-*+]|[0-9]{1,3}[.)])[ \t]+")


@dataclass(slots=True)
class Summary:
    """What the summary part of an entry holds."""

    title: str | None = None
    sections: tuple[Section, ...] = ()
    failed: bool = False
    failure_excerpt: str = ""
    apology: bool = False
    empty: bool = False
    truncated_reason: str | None = None
    headings_over_cap: int = 0  # headings past MAX_SECTIONS, left inside the last section


@dataclass(slots=True)
class Draft:
    """A paper entry before duplicate merging; ``source`` is the text its id was read from."""

    arxiv_id: str
    source: str
    title: str | None = None
    hf_url: str | None = None
    authors: tuple[str, ...] = ()
    votes: int | None = None
    thumbnail: str | None = None
    sections: tuple[Section, ...] = ()
    summary_ok: bool = False
    truncated: bool = False
    failed: bool = False
    problems: list[str] = field(default_factory=list)


# Not frozen: a frozen dataclass is several times slower to create, and these are made per
# line of a summary (never changed after creation all the same).
@dataclass(slots=True)
class _Head:
    idx: int
    kind: str  # "atx" or "bold"
    level: int
    text: str


def is_link_line(stripped: str) -> bool:
    """True for a line that only holds links (``🔗 https://…``, ``[arXiv](…) | [PDF](…)``)."""
    if "http" not in stripped and "](" not in stripped:
        return False
    rest = t.LINK_RE.sub(" ", stripped)
    rest = t.URL_RE.sub(" ", rest)
    rest = _LINK_LABEL_RE.sub(" ", rest)
    return not any(ch.isalnum() for ch in rest)


def _headings(lines: list[str]) -> list[_Head]:
    """ATX and bold-line headings outside code blocks."""
    heads: list[_Head] = []
    fence: str | None = None
    cap = t.MAX_LINE_CHARS
    for i, line in enumerate(lines):
        if not line:
            continue
        if len(line) > cap:  # the patterns below see the line's head only
            line = line[:cap]
        first = line[0]
        if first == " ":
            first = line.lstrip(" ")[:1]
        if first in ("`", "~"):
            m = t.FENCE_RE.match(line)
            if m:
                mark = m.group(1)
                if fence is None:
                    fence = mark
                elif mark[0] == fence[0] and len(mark) >= len(fence) and not m.group(2):
                    fence = None
                continue
        if fence is not None:
            continue
        if first == "#":
            h = t.atx_heading(line)
            if h:
                heads.append(_Head(i, "atx", h[0], h[1]))
                continue
        # Bold headings are not indented and hold ** or __ (tested here: this loop is hot).
        if (line[:2] != "  ") and ("**" in line or "__" in line):
            label = t.bold_heading(line)
            if label:
                heads.append(_Head(i, "bold", 0, label))
    return heads


def _unwrap(lines: list[str], k: int, opener: str) -> tuple[list[str], bool]:
    """Remove the wrapper fence opened at ``lines[k]``; returns (lines, closed)."""
    inner: str | None = None  # an inner code block opened inside the wrapper
    for i in range(k + 1, len(lines)):
        line = t.line_head(lines[i])
        if line.lstrip(" ")[:1] not in ("`", "~"):
            continue
        m = t.FENCE_RE.match(line)
        if not m:
            continue
        mark, info = m.group(1), m.group(2)
        if inner is None:
            if info:
                inner = mark
            elif mark[0] == opener[0] and len(mark) >= len(opener):
                return lines[:k] + lines[k + 1 : i] + lines[i + 1 :], True
        elif mark[0] == inner[0] and len(mark) >= len(inner) and not info:
            inner = None
    return lines[:k] + lines[k + 1 :], False


def _split_sections(lines: list[str], heads: list[_Head], summary: Summary) -> list[Section]:
    atx = [h for h in heads if h.kind == "atx"]
    if atx:
        top = min(h.level for h in atx)
        cuts = [(h.idx, h.text) for h in atx if h.level == top]
    else:
        cuts = [(h.idx, h.text) for h in heads if h.kind == "bold"]
    if len(cuts) > MAX_SECTIONS:
        # The last section runs to the end: the headings past the cap stay in its body.
        summary.headings_over_cap = len(cuts) - MAX_SECTIONS
        cuts = cuts[:MAX_SECTIONS]
    if not cuts:
        bullets = _label_bullets(lines, summary)
        if bullets:
            return bullets
    sections: list[Section] = []
    first = cuts[0][0] if cuts else len(lines)
    intro = t.join_body(lines[:first])
    if intro:
        sections.append(Section("", intro))
    for n, (idx, heading) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        sections.append(Section(t.clean_heading(heading), t.join_body(lines[idx + 1 : end])))
    return sections


def _label_bullets(lines: list[str], summary: Summary) -> list[Section]:
    """``- ***What's New***: text`` bullets as sections, when every top-level line from the
    first such bullet on is one (otherwise they are an ordinary list)."""
    starts: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        if not line or line[0] in " \t":
            continue
        m = t.BULLET_LABEL_RE.match(t.line_head(line)) if line[0] in "-*+" else None
        if m:
            # The pattern saw the line's head; the text after the label is the whole rest.
            starts.append((i, m.group("label"), line[m.start("rest") :]))
        elif starts:
            return []
    if not starts:
        return []
    if len(starts) > MAX_SECTIONS:  # as in _split_sections
        summary.headings_over_cap = len(starts) - MAX_SECTIONS
        starts = starts[:MAX_SECTIONS]
    sections: list[Section] = []
    intro = t.join_body(lines[: starts[0][0]])
    if intro:
        sections.append(Section("", intro))
    for n, (idx, label, rest) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        # Continuation lines are indented under the bullet: dedent them on their own.
        more = t.join_body(lines[idx + 1 : end])
        body = "\n".join(part for part in (rest.strip(), more) if part)
        sections.append(Section(t.clean_heading(label), body))
    return sections


def _plain_head(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines[:12]:
        s = line.strip().lstrip("#>*_-+ ").strip()
        if s:
            out.append(s)
    return " ".join(out)


def analyze_summary(lines: list[str]) -> Summary:
    """Unwrap, flag and split the summary lines of one entry."""
    lines = t.trim_blank(lines)
    if not lines:
        return Summary(empty=True)
    unclosed = False
    for k in range(min(len(lines), 6)):
        line = t.line_head(lines[k])
        if line.lstrip(" ")[:1] not in ("`", "~"):
            continue
        m = t.FENCE_RE.match(line)
        if m:
            info = m.group(2).lower()
            if info in _WRAPPER_INFOS or (k == 0 and info in _PLAIN_INFOS):
                lines, closed = _unwrap(lines, k, m.group(1))
                unclosed = not closed
        break
    content = t.trim_blank(lines)
    never_closed = "its ```markdown block is never closed"
    if not content:
        return Summary(empty=True, truncated_reason=never_closed if unclosed else None)

    heads = _headings(content)
    title: str | None = None
    h0 = heads[0] if heads and heads[0].idx == 0 and heads[0].kind == "atx" else None
    if h0 and not t.is_failure_message(h0.text) and not t.is_numbered_heading(h0.text):
        others = [h for h in heads[1:] if h.kind == "atx"]
        is_title = (
            (not others and h0.level == 1)
            or (others and h0.level < min(h.level for h in others))
            or (others and all(t.is_numbered_heading(h.text) for h in others))
        )
        if is_title:
            # The summary's own title line: "<title> 요약" and the like give the title.
            title = t.summary_title(h0.text)
            # Drop the title line (and blank lines after it); shift the heading indexes.
            skip = 1
            while skip < len(content) and not content[skip].strip():
                skip += 1
            content = content[skip:]
            heads = [_Head(h.idx - skip, h.kind, h.level, h.text) for h in heads[1:]]

    summary = Summary(title=title)
    if t.is_failure_message(_plain_head(content)):
        substantive = len(heads) >= 2 or sum(len(line) for line in content) > 2000
        if substantive:
            summary.apology = True
        else:
            summary.failed = True
            summary.failure_excerpt = t.first_sentence(_plain_head(content))
            if unclosed:
                summary.truncated_reason = never_closed
            return summary

    if title is None:
        first_head = heads[0].idx if heads else len(content)
        intro = "\n".join(content[:first_head])[:600]
        summary.title = t.title_from_prose(intro)
        if summary.title is None and heads and t.is_numbered_heading(heads[0].text):
            # No title line, straight to "## 1.": the opening prose of that section may
            # state the title ("해당 논문은 \"…\"으로", "\"…\"라는 제목의 논문").
            end = heads[1].idx if len(heads) > 1 else len(content)
            opening = "\n".join(content[first_head + 1 : end])[:600]
            summary.title = t.title_from_prose(opening)

    sections = _split_sections(content, heads, summary) if content else []
    summary.sections = tuple(sections)
    has_body = any(s.body.strip() for s in sections)
    if not has_body:
        if summary.title or title:
            summary.truncated_reason = "only the title is present" + (
                f" ({never_closed})" if unclosed else ""
            )
        else:
            summary.empty = True
            if unclosed:
                summary.truncated_reason = never_closed
    elif unclosed:
        summary.truncated_reason = never_closed
    return summary


def parse_entry(
    arxiv_id: str,
    source: str,
    title_text: str | None,
    heading_text: str,
    body: list[str],
) -> Draft:
    """Build a :class:`Draft` from a paper heading and the lines under it."""
    draft = Draft(arxiv_id, source)
    other_link: str | None = None

    def take_refs(s: str) -> None:
        nonlocal other_link
        for ref in t.refs_in(s):
            if ref.arxiv_id == arxiv_id:
                if ref.kind == "hf" and draft.hf_url is None:
                    draft.hf_url = t.hf_url(arxiv_id)
            elif ref.kind in ("hf", "arxiv") and other_link is None:
                other_link = ref.arxiv_id

    if "huggingface" in heading_text:
        take_refs(heading_text)

    content_start = len(body)
    marker_rest: str | None = None
    for i, line in enumerate(body):
        s = line.strip()
        if len(s) > t.MAX_LINE_CHARS:
            # Metadata lines are short: a line this long is summary text (and the patterns
            # below would see only its head).
            content_start = i
            break
        if not s or t.HR_RE.match(line):
            continue
        m = t.SUMMARY_MARKER_RE.match(t.line_head(line))
        if m:
            rest = m.group("rest") and line[m.start("rest") :]
            marker_rest = rest if rest and rest.strip() else None
            content_start = i + 1
            break
        bare = _LIST_MARKER_RE.sub("", s)
        if bare.startswith("![") and draft.thumbnail is None:
            im = t.IMAGE_RE.match(bare)
            if im and not t.IMAGE_RE.sub("", bare).strip():
                draft.thumbnail = im.group("url")
                continue
        if is_link_line(bare):
            take_refs(bare)
            continue
        vm = t.VOTE_RE.match(bare)
        if vm:
            draft.votes = t.parse_votes(vm.group("n"))
            continue
        am = t.AUTHORS_RE.match(bare)
        if am:
            draft.authors = t.split_authors(am.group("names"))
            continue
        content_start = i
        break

    content = body[content_start:]
    if marker_rest is not None:
        content = [marker_rest, *content]
    summary = analyze_summary(content)

    draft.title = t.usable_title(title_text) if title_text else None
    if draft.title is None:
        draft.title = summary.title
    draft.sections = summary.sections
    draft.failed = summary.failed
    draft.truncated = summary.truncated_reason is not None
    draft.summary_ok = not summary.failed and any(s.body.strip() for s in summary.sections)

    problems = draft.problems
    if summary.failed:
        problems.append(
            f'summary failed (the generator could not read the paper: "{summary.failure_excerpt}")'
        )
    elif summary.empty and not draft.truncated:
        problems.append("no summary text in the digest")
    if summary.truncated_reason:
        problems.append(f"summary is truncated: {summary.truncated_reason}")
    if summary.apology:
        problems.append("summary opens with an apology from the generator; it may be incomplete")
    if summary.headings_over_cap:
        problems.append(
            f"the summary has more than {MAX_SECTIONS} headings; the last "
            f"{summary.headings_over_cap:,} were left in the text of section {MAX_SECTIONS}"
        )
    if draft.title is None:
        problems.append("no title in the digest")
    if other_link:
        problems.append(f"a link in this entry points to another paper ({other_link}); ignored")
    return draft
