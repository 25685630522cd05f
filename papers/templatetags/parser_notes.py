"""`{{ note|parser_note }}` and `{{ digest.format|digest_format }}`: the parser's English notes
and format codes in the reader's language (papers.notes)."""

from __future__ import annotations

from django import template

from papers import notes

register = template.Library()


@register.filter
def parser_note(note: object) -> str:
    return notes.translate_note(note)


@register.filter
def digest_format(code: str) -> str:
    return notes.format_name(code) if code else ""
