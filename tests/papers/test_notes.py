"""The parser's English notes and format codes, shown in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from papers import notes
from papers.digest import FORMATS, parse_digest


def test_every_format_has_a_name_for_people():
    for code in FORMATS:
        assert notes.format_name(code) != code


def test_format_names_follow_the_language():
    with translation.override("en"):
        assert notes.format_name("hf-summary") == "Hugging Face summaries"
        assert notes.format_name("unknown") == "Unrecognized layout"
    assert notes.format_name("something-new") == "something-new"


@pytest.mark.parametrize(
    ("note", "shown"),
    [
        ("no title in the digest", "no title in the digest"),
        (
            "paper 2501.00001: no title in the digest; listed 2 times in the digest; the "
            "entries were merged into one",
            "paper 2501.00001: no title in the digest; listed 2 times in the digest; the "
            "entries were merged into one",
        ),
        (
            "summary is truncated: its ```markdown block is never closed",
            "the summary is cut off: its ```markdown block is never closed",
        ),
        (
            "skipped an entry: its id 2501.00002 is not in the text",
            "an entry was skipped: its id 2501.00002 is not in the text",
        ),
        ("a note no pattern knows", "a note no pattern knows"),
    ],
)
def test_notes_are_rewritten_through_gettext(note, shown):
    with translation.override("en"):
        assert notes.translate_note(note) == shown


def _marked(monkeypatch) -> None:
    """gettext replaced by a marker, so what went through it shows."""
    monkeypatch.setattr(notes, "_", lambda message: f"«{message}»")


def test_each_part_of_a_papers_note_goes_through_gettext(monkeypatch):
    _marked(monkeypatch)
    shown = notes.translate_note(
        "paper 2501.00001: no title in the digest; a link in this entry points to another "
        "paper (2501.00009); ignored"
    )
    assert shown == (
        "«paper 2501.00001: «no title in the digest»; «a link in this entry points to "
        "another paper (2501.00009); it was ignored»»"
    )


@pytest.mark.parametrize(
    "text",
    [
        # A summary block never closed, and no title.
        "# 📰 Hugging Face Daily Papers – 2025-05-26\n\n## 2505.00001\n\n"
        "🔗 https://huggingface.co/papers/2505.00001\n\n**Summary**:\n```markdown\n",
        # Nothing that looks like a digest.
        "hello\n",
        # No date.
        "## 2505.00002\n\n🔗 https://huggingface.co/papers/2505.00002\n",
        "",
    ],
)
def test_the_notes_real_digests_produce_are_known(monkeypatch, text):
    parsed = parse_digest(text)
    assert parsed.errors
    _marked(monkeypatch)
    for note in parsed.errors:
        assert notes.translate_note(note).startswith("«"), note
