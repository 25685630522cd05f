"""The units of a digest's structure, and what one block says, read from markdown-it-py's
inline tokens: its text, its references to papers (links, ids) and the title it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from . import text as t
from .blocks import Draft, is_link_line
from .types import EntryFailure

_PSEUDO_LEVEL = 7  # a bold-only paragraph: a heading below all real ones


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
