"""The parser's notes and format names, in the reader's language.

The digest parser (`papers.digest`) is pure Python without Django, so it writes its notes in
English, with the values in them (an arXiv id, a line number); the import stores them as they
are. They are translated here, when a page shows them: each known note is matched by a pattern
and rewritten through gettext with its values, a note made of several ("paper X: a; b") part
by part. A note no pattern knows is shown as it was written, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from papers.digest import FORMAT_DAILY_LIST, FORMAT_HF_SUMMARY, FORMAT_JEKYLL, FORMAT_UNKNOWN

FORMAT_NAMES = {
    FORMAT_HF_SUMMARY: gettext_lazy("Hugging Face summaries"),
    FORMAT_JEKYLL: gettext_lazy("Jekyll daily papers"),
    FORMAT_DAILY_LIST: gettext_lazy("Daily papers list"),
    FORMAT_UNKNOWN: gettext_lazy("Unrecognized layout"),
}


def format_name(code: str) -> str:
    """A digest format's name for people ("hf-summary" → "Hugging Face summaries")."""
    name = FORMAT_NAMES.get(code)
    return str(name) if name is not None else code


Rewrite = Callable[[re.Match[str]], str]

# (pattern of the English note, its translation with the values the pattern took out).
# The patterns are anchored and linear (no nested repetition), notes are short.
_NOTES: list[tuple[re.Pattern[str], Rewrite]] = [
    (re.compile(r"the digest is empty"), lambda m: _("the digest is empty")),
    (
        re.compile(r"the input does not look like text \(binary data\?\); nothing was parsed"),
        lambda m: _("the file does not look like text (binary data?); nothing was read"),
    ),
    (
        re.compile(r"no digest date found \(looked at the lines before the papers\)"),
        lambda m: _("no digest date found (looked at the lines before the papers)"),
    ),
    (
        re.compile(r"no summary text in the digest"),
        lambda m: _("no summary text in the digest"),
    ),
    (re.compile(r"no title in the digest"), lambda m: _("no title in the digest")),
    (
        re.compile(r"summary is truncated: its ```markdown block is never closed"),
        lambda m: _("the summary is cut off: its ```markdown block is never closed"),
    ),
    (
        re.compile(r"summary is truncated: only the title is present(?: \(.*\))?"),
        lambda m: _("the summary is cut off: only the title is present"),
    ),
    (
        re.compile(r"summary is truncated: (?P<reason>.+)"),
        lambda m: _("the summary is cut off: %(reason)s") % {"reason": m["reason"]},
    ),
    (
        re.compile(r"summary opens with an apology from the generator; it may be incomplete"),
        lambda m: _("the summary opens with an apology from its generator; it may be incomplete"),
    ),
    (
        re.compile(r'summary failed \(the generator could not read the paper: "(?P<quote>.*)"\)'),
        lambda m: (
            _('no summary: the generator could not read the paper ("%(quote)s")')
            % {"quote": m["quote"]}
        ),
    ),
    (
        re.compile(r"listed (?P<n>\d+) times in the digest; the entries were merged into one"),
        lambda m: (
            _("listed %(n)s times in the digest; the entries were merged into one") % {"n": m["n"]}
        ),
    ),
    (
        re.compile(r'the repeated entries give different titles; kept "(?P<title>.*)"'),
        lambda m: (
            _("the repeated entries give different titles; kept “%(title)s”")
            % {"title": m["title"]}
        ),
    ),
    (
        re.compile(r"a link in this entry points to another paper \((?P<other>[^)]*)\); ignored"),
        lambda m: (
            _("a link in this entry points to another paper (%(other)s); it was ignored")
            % {"other": m["other"]}
        ),
    ),
    (
        re.compile(r"listed twice; the first entry was kept"),
        lambda m: _("listed twice; the first entry was kept"),
    ),
    (
        re.compile(r"skipped an entry: its id (?P<id>\S+) is not in the text"),
        lambda m: _("an entry was skipped: its id %(id)s is not in the text") % {"id": m["id"]},
    ),
    (
        re.compile(
            r"line (?P<line>\d+): the entry (?P<what>\".*\") looks like a paper but has no "
            r"valid arXiv id(?: \((?P<detail>[^)]*)\))?; it was skipped"
        ),
        lambda m: (
            _(
                "line %(line)s: the entry %(what)s looks like a paper but has no valid arXiv "
                "id; it was skipped"
            )
            % {"line": m["line"], "what": m["what"]}
        ),
    ),
    (
        re.compile(
            r"no papers found: the text does not look like a daily digest "
            r"\(no arXiv ids in headings or links\)"
        ),
        lambda m: _(
            "no papers found: the text does not look like a daily digest "
            "(no arXiv ids in headings or links)"
        ),
    ),
    (
        re.compile(r"no papers found: every entry that looks like a paper failed to be read"),
        lambda m: _("no papers found: every entry that looks like a paper failed to be read"),
    ),
    (
        re.compile(
            r"the digest layout was not recognized; papers were found in the document's "
            r"structure \(headings, lists, tables\)"
        ),
        lambda m: _(
            "the digest layout was not recognized; papers were taken from the document's "
            "structure (headings, lists, tables)"
        ),
    ),
    (
        re.compile(
            r"no paper entries in the expected (?P<fmt>[\w-]+) layout; papers were found in "
            r"the document's structure \(headings, lists, tables\)"
        ),
        lambda m: (
            _(
                "no paper entries in the expected layout (%(format)s); papers were taken from "
                "the document's structure (headings, lists, tables)"
            )
            % {"format": format_name(m["fmt"])}
        ),
    ),
    (
        re.compile(
            r"parsing stopped early at line (?P<line>[\d,]+) of (?P<total>[\d,]+) "
            r"\((?P<reason>.*)\); papers after that line were not read"
        ),
        lambda m: (
            _(
                "reading stopped early at line %(line)s of %(total)s (%(reason)s); papers after "
                "that line were not read"
            )
            % {"line": m["line"], "total": m["total"], "reason": m["reason"]}
        ),
    ),
]

_PAPER_NOTE = re.compile(r"paper (?P<id>[^\s:]+): (?P<rest>.+)", re.DOTALL)
_MAX_NOTE_CHARS = 2_000  # longer notes are shown as written


def _one(note: str) -> str:
    for pattern, rewrite in _NOTES:
        match = pattern.fullmatch(note)
        if match is not None:
            return rewrite(match)
    return note


def _several(text: str) -> str:
    """Notes joined by "; " (a paper's problems), each translated; notes contain "; " too,
    so each known one is matched where it starts and the join looked for after it."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        for pattern, rewrite in _NOTES:
            match = pattern.match(text, position)
            if match is not None and (
                match.end() == len(text) or text.startswith("; ", match.end())
            ):
                parts.append(rewrite(match))
                position = match.end() + 2
                break
        else:
            parts.append(text[position:])
            break
    return "; ".join(parts)


def translate_note(note: object) -> str:
    """One stored parser note, in the active language (as written if no pattern knows it)."""
    text = str(note)
    if len(text) > _MAX_NOTE_CHARS:
        return text
    match = _PAPER_NOTE.fullmatch(text)
    if match is not None:
        return _("paper %(id)s: %(notes)s") % {"id": match["id"], "notes": _several(match["rest"])}
    return _several(text)
