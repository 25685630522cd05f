"""Every email the app sends is rendered one way: per-language files, in the reader's zone.

`templates/emails/<name>.<language>.subject.txt`, `.txt` and `.html` (the HTML extends
`emails/base.<language>.html`): an email is written whole in each language rather than pieced
together from catalogue strings, so each reads naturally in its own language.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

EMAIL_LANGUAGES = ("ko", "en")


def email_language(language: str | None) -> str:
    """`language` if emails are written in it, else the site's default (Korean)."""
    if language in EMAIL_LANGUAGES:
        return language
    default = (settings.LANGUAGE_CODE or "ko").split("-")[0]
    return default if default in EMAIL_LANGUAGES else EMAIL_LANGUAGES[0]


def render_email(
    template: str, context: dict, *, language: str, zone: str | None = None
) -> tuple[str, str, str]:
    """Subject (one line), text and HTML of `emails/<template>.<language>.*`, with dates shown
    in `zone` (default: the site's)."""
    language = email_language(language)
    zone = zone or settings.TIME_ZONE
    with translation.override(language), timezone.override(zone):
        context = context | {"zone": zone, "language": language}
        base = f"emails/{template}.{language}"
        subject = render_to_string(f"{base}.subject.txt", context)
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return " ".join(subject.split()), text, html
