"""One weekly brief, many channels: the coming week's topics, presenters, open slots, missing
reviews, materials and links, as one data structure (`Brief`, made by `brief_for` from a week
as `reviews.selectors.weeks_with_content()` gives it), written for email, Slack (mrkdwn),
Discord (markdown), plain text (KakaoTalk, which has no webhook: members copy it) and the
repository's index.

Every chat message of the app is a `Doc` (lines of tokens: text, bold, link) so each format
escapes what members typed in exactly one place: a title cannot ping @everyone, forge a Slack
link (``<http://x|click>``) or break the index's table. No database here: functions of their
arguments only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

# --- the document model -------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Token = Text | Bold | Link
Line = tuple[Token, ...]


@dataclass(frozen=True)
class Doc:
    title: str
    lines: tuple[Line, ...]
    url: str = ""


def _one_line(text: str) -> str:
    """One line: inner whitespace (line breaks too) made one space; the spaces around the
    text kept, so tokens keep their separators and indentation."""
    text = str(text)
    core = " ".join(text.split())
    if not core:
        return ""
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")) :]
    return lead + core + trail


def _safe_url(url: str) -> str:
    url = url.strip()
    return (
        url
        if url.startswith(("https://", "http://")) and not any(c in url for c in " <>|\n")
        else ""
    )


# --- formats --------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_~|>#[]()<!-+.="})


def escape_markdown(text: str) -> str:
    return _one_line(text).translate(_MARKDOWN_SPECIAL)


def escape_slack(text: str) -> str:
    # Slack's mrkdwn: only &, < and > are control characters (links, mentions).
    return _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_plain(doc: Doc) -> str:
    """Plain text, for KakaoTalk and email: links written out after their text."""
    out = [doc.title]
    for line in doc.lines:
        parts = []
        for token in line:
            if isinstance(token, Link):
                url = _safe_url(token.url)
                parts.append(f"{_one_line(token.text)} {url}".strip() if url else token.text)
            else:
                parts.append(_one_line(token.text) if token.text.strip() else token.text)
        out.append("".join(parts))
    if doc.url:
        out.append(doc.url)
    return "\n".join(out).strip() + "\n"


def render_slack(doc: Doc) -> str:
    out = [f"*{escape_slack(doc.title)}*"]
    for line in doc.lines:
        parts = []
        for token in line:
            if isinstance(token, Bold):
                parts.append(f"*{escape_slack(token.text)}*")
            elif isinstance(token, Link) and (url := _safe_url(token.url)):
                parts.append(f"<{url}|{escape_slack(token.text)}>")
            else:
                parts.append(escape_slack(token.text) if token.text.strip() else token.text)
        out.append("".join(parts))
    if doc.url and (url := _safe_url(doc.url)):
        out.append(f"<{url}>")
    return "\n".join(out)


def render_discord(doc: Doc, *, limit: int = 2000) -> str:
    out = [f"**{escape_markdown(doc.title)}**"]
    for line in doc.lines:
        parts = []
        for token in line:
            if isinstance(token, Bold):
                parts.append(f"**{escape_markdown(token.text)}**")
            elif isinstance(token, Link) and (url := _safe_url(token.url)):
                parts.append(f"[{escape_markdown(token.text)}](<{url}>)")
            else:
                parts.append(escape_markdown(token.text) if token.text.strip() else token.text)
        out.append("".join(parts))
    if doc.url and (url := _safe_url(doc.url)):
        out.append(f"<{url}>")
    text = "\n".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_email(doc: Doc) -> tuple[str, str]:
    """(subject, plain text body)."""
    return _one_line(doc.title), render_plain(doc)


# --- the brief ------------------------------------------------------------------------------


class SlotState:
    OPEN = "open"  # nobody took it
    MISSING = "missing"  # taken, no submitted review yet
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class BriefSlot:
    number: int
    reviewer: str | None
    state: str


@dataclass(frozen=True)
class BriefTopic:
    order: int
    title: str
    presenter: str | None
    paper_url: str
    slides: str
    code: str
    slots: tuple[BriefSlot, ...]


@dataclass(frozen=True)
class Brief:
    term: str
    number: int
    starts_at: datetime
    review_deadline: datetime
    place: str
    online_url: str
    recording: str
    url: str
    topics: tuple[BriefTopic, ...]

    @property
    def open_slots(self) -> int:
        return sum(1 for t in self.topics for s in t.slots if s.state == SlotState.OPEN)

    @property
    def missing_reviews(self) -> tuple[str, ...]:
        names = (s.reviewer for t in self.topics for s in t.slots if s.state == SlotState.MISSING)
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def reviews_submitted(self) -> int:
        return sum(1 for t in self.topics for s in t.slots if s.state == SlotState.SUBMITTED)

    @property
    def slots_total(self) -> int:
        return sum(len(t.slots) for t in self.topics)


def brief_for(week: Any, *, url: str) -> Brief:
    """The brief of a week read through `weeks_with_content()` (no further query)."""
    topics = []
    for topic in week.topics.all():
        slots = []
        for slot in topic.slots.all():
            review = slot.current_review
            if slot.reviewer_id is None and review is None:
                state = SlotState.OPEN
            elif review is not None and review.is_submitted:
                state = SlotState.SUBMITTED
            else:
                state = SlotState.MISSING
            slots.append(
                BriefSlot(slot.number, slot.reviewer.display_name if slot.reviewer else None, state)
            )
        paper = topic.paper
        topics.append(
            BriefTopic(
                order=topic.order,
                title=topic.title,
                presenter=topic.presenter.display_name if topic.presenter else None,
                paper_url=(paper.arxiv_url or "") if paper is not None else "",
                slides=topic.slides_link or "",
                code=topic.code_url or "",
                slots=tuple(slots),
            )
        )
    return Brief(
        term=week.term.name,
        number=week.number,
        starts_at=week.starts_at,
        review_deadline=week.review_deadline,
        place=week.place,
        online_url=week.online_url,
        recording=week.recording_url,
        url=url,
        topics=tuple(topics),
    )


def _when(moment: datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def brief_doc(brief: Brief) -> Doc:
    """The brief as a message: the same lines in every format."""
    lines: list[Line] = [
        (
            Text(_("When: %(when)s") % {"when": _when(brief.starts_at)}),
            Text(f" · {brief.place}" if brief.place else ""),
        ),
        (Text(_("Reviews due: %(when)s") % {"when": _when(brief.review_deadline)}),),
    ]
    if brief.online_url:
        lines.append((Link(_("Online link"), brief.online_url),))
    for topic in brief.topics:
        presenter = topic.presenter or _("no presenter yet")
        lines.append(
            (
                Bold(f"{topic.order}. {_one_line(topic.title)}"),
                Text(" — " + _("presenter: %(name)s") % {"name": presenter}),
            )
        )
        reviewers = [
            (s.reviewer or _("open slot")) + (" ✓" if s.state == SlotState.SUBMITTED else "")
            for s in topic.slots
        ]
        if reviewers:
            lines.append(
                (Text("   " + _("reviewers: %(names)s") % {"names": ", ".join(reviewers)}),)
            )
        materials: list[Token] = []
        for label, link in (
            (_("paper"), topic.paper_url),
            (_("slides"), topic.slides),
            (_("code"), topic.code),
        ):
            if link:
                materials += [Text(" · " if materials else "   "), Link(label, link)]
        if materials:
            lines.append(tuple(materials))
    if not brief.topics:
        lines.append((Text(_("No topics yet.")),))
    lines.append((Text(_("Open slots: %(count)d") % {"count": brief.open_slots}),))
    if brief.missing_reviews:
        names = ", ".join(brief.missing_reviews)
        lines.append((Text(_("Reviews still missing: %(names)s") % {"names": names}),))
    if brief.recording:
        lines.append((Link(_("Recording"), brief.recording),))
    title = _("%(term)s · week %(number)d") % {"term": brief.term, "number": brief.number}
    return Doc(title=f"📚 {title}", lines=tuple(lines), url=brief.url)


def brief_text(brief: Brief) -> str:
    """The brief as plain text (the "copy for KakaoTalk" box)."""
    return render_plain(brief_doc(brief))


# --- the repository's index --------------------------------------------------------------


_CELL_SPECIAL = str.maketrans({c: "\\" + c for c in "\\|[]*_`"} | {"<": "&lt;"})


def _cell(text: str) -> str:
    """A table cell: what would end the cell, make a link, emphasis or HTML is escaped."""
    return " ".join(str(text).split()).translate(_CELL_SPECIAL)


def index_table(rows: Iterable[tuple[Brief, str]]) -> str:
    """The table of weeks between the index page's markers: (brief, link to its page)."""
    header = [_("Week"), _("Date"), _("Topics"), _("Presenters"), _("Reviews")]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for brief, link in rows:
        topics = "<br>".join(_cell(t.title) for t in brief.topics) or "—"
        presenters = ", ".join(
            dict.fromkeys(_cell(t.presenter) for t in brief.topics if t.presenter)
        )
        week = _cell(_("%(term)s · week %(number)d") % {"term": brief.term, "number": brief.number})
        out.append(
            f"| [{week}]({link}) | {_when(brief.starts_at)[:10]} | {topics} | "
            f"{presenters or '—'} | {brief.reviews_submitted}/{brief.slots_total} |"
        )
    return "\n".join(out)


def replace_between_markers(text: str, body: str, *, start: str, end: str, title: str) -> str:
    """`text` with what lies between the markers replaced by `body`; the markers are added at
    the end (or a new page is started) when the page has none. Text outside is kept."""
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text.split(start, 1)[1]:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        return before + block + after
    if not text.strip():
        return f"# {title}\n\n{block}\n"
    return text.rstrip("\n") + "\n\n" + block + "\n"


def summarize(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")
