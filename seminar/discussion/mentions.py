"""@mentions: finding them in a comment and showing them, after the one sanitizer ran.

Two ways to write one:

- `@[김민수]` or `@[Kim Min-su]`: what the autocomplete inserts; any display name, spaces
  included;
- `@김민수` (or `@minsu`): a plain word, when it names exactly one member. A Korean particle
  or honorific of at most three syllables may follow the name (`@김민수님`, `@김민수의`).

A name that matches nobody, or more than one member, stays plain text. Mentions are found in
the text nodes of the sanitized HTML only, outside links, code and math, so a mention can never
land inside an attribute or a `<code>` block, and the span around it is made here with the
name escaped: the markup of a mention is never taken from the comment.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from seminar.lib.markdown import render_markdown

# `@[name]`: anything but brackets and line breaks, as display names are stored.
_BRACKETED = r"@\[(?P<bracketed>[^\[\]\r\n]{1,100})\]"
# `@word`: not after a letter or digit (an email address is not a mention).
_PLAIN = r"(?<![\w@])@(?P<plain>\w[\w.\-]{0,99})"
MENTION = re.compile(f"{_BRACKETED}|{_PLAIN}")
_HANGUL_TAIL = re.compile(r"[\uac00-\ud7a3]{1,3}")

_VOID = {"br", "hr", "img", "wbr"}
_SKIP = {"a", "code", "pre"}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Directory:
    """Active members by display name (case-folded), for resolving mentions."""

    by_name: Mapping[str, tuple[tuple[int, str], ...]]

    @classmethod
    def of(cls, members: Iterable[tuple[int, str]]) -> Directory:
        by_name: dict[str, list[tuple[int, str]]] = {}
        for pk, name in members:
            if name and name.strip():
                by_name.setdefault(_key(name), []).append((pk, name))
        return cls({key: tuple(found) for key, found in by_name.items()})

    def unique(self, name: str) -> tuple[int, str] | None:
        found = self.by_name.get(_key(name), ())
        return found[0] if len(found) == 1 else None

    def resolve_plain(self, word: str) -> tuple[tuple[int, str], int] | None:
        """The member a plain `@word` names, and how many characters of it the name takes."""
        word = word.rstrip(".-")
        member = self.unique(word)
        if member is not None:
            return member, len(word)
        # A particle or honorific after the name: 김민수님, 김민수에게.
        for cut in range(len(word) - 1, 0, -1):
            if len(word) - cut > 3:
                break
            if not _HANGUL_TAIL.fullmatch(word[cut:]):
                continue
            member = self.unique(word[:cut])
            if member is not None:
                return member, cut
        return None


def find_mentions(text: str, directory: Directory) -> list[tuple[int, int, int, str]]:
    """(start, end, member id, member name) of each mention in a plain text."""
    found = []
    for match in MENTION.finditer(text):
        if match["bracketed"] is not None:
            member = directory.unique(match["bracketed"])
            if member is not None:
                found.append((match.start(), match.end(), *member))
            continue
        resolved = directory.resolve_plain(match["plain"])
        if resolved is not None:
            member, length = resolved
            found.append((match.start(), match.start() + 1 + length, *member))
    return found


def _mention_span(pk: int, name: str) -> str:
    return f'<span class="mention" data-member="{pk}">@{html.escape(name)}</span>'


class _Rewriter(HTMLParser):
    """Copies sanitized HTML, turning mentions in its text into spans.

    The input is nh3's output (well formed, attributes quoted), so start tags are copied as
    they came and text is escaped again after being read.
    """

    def __init__(self, directory: Directory) -> None:
        super().__init__(convert_charrefs=True)
        self.directory = directory
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []
        self.mentioned: dict[int, str] = {}

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or f"<{tag}>"
        classes = next((value or "" for name, value in attrs if name == "class"), "").split()
        if tag == "span" and "mention" in classes:
            # A comment cannot dress its own text as a mention.
            kept = " ".join(c for c in classes if c != "mention")
            text = f'<span class="{html.escape(kept)}">' if kept else "<span>"
        self.out.append(text)
        if tag not in _VOID:
            self.open.append((tag, tag in _SKIP or (tag == "span" and "math" in classes)))

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if self._skipping():
            self.out.append(html.escape(data, quote=False))
            return
        position = 0
        for start, end, pk, name in find_mentions(data, self.directory):
            self.out.append(html.escape(data[position:start], quote=False))
            self.out.append(_mention_span(pk, name))
            self.mentioned[pk] = name
            position = end
        self.out.append(html.escape(data[position:], quote=False))


def mark_mentions(sanitized_html: str, directory: Directory) -> tuple[str, dict[int, str]]:
    """The HTML with its mentions as spans, and the members mentioned (id: name)."""
    rewriter = _Rewriter(directory)
    rewriter.feed(sanitized_html)
    rewriter.close()
    return "".join(rewriter.out), rewriter.mentioned


def render_comment(body: str, directory: Directory) -> tuple[str, dict[int, str]]:
    """A comment's HTML (markdown through the one sanitizer, then mentions) and who it
    mentions."""
    return mark_mentions(render_markdown(body), directory)
