"""The organizers' board's long option lists, built once per page instead of once per select.

The board has a member select for every topic's presenter and every reviewer slot, and a
"move to" select of the other weeks for every topic: thousands of `<option>`s that cost more
than the rest of the page as template loops. Each list is built once per render (in the
template's render context) and the selected option marked by a string replacement.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

register = template.Library()


def _memo(context: template.Context, key: tuple, build) -> object:
    memo = context.render_context
    if key not in memo:
        memo[key] = build()
    return memo[key]


@register.simple_tag(takes_context=True)
def member_options(context: template.Context, members: Sequence, selected: int | None) -> str:
    """`<option>`s of `members` (value: pk, text: display name), `selected` marked."""
    html: str = _memo(
        context,
        ("board-member-options", id(members)),
        lambda: "".join(
            format_html('<option value="{}">{}</option>', m.pk, m.display_name) for m in members
        ),
    )
    if selected:
        opening = f'<option value="{int(selected)}">'
        html = html.replace(opening, f'<option value="{int(selected)}" selected>', 1)
    return mark_safe(html)  # built by format_html above, the names escaped there


@register.simple_tag(takes_context=True)
def other_week_options(context: template.Context, rows: Sequence, current: int) -> SafeString:
    """`<option>`s of the board's weeks but `current`: "Week 5 · 03-10"."""

    def build() -> list[tuple[int, str]]:
        return [
            (
                row.week.pk,
                format_html(
                    '<option value="{}">{} · {}</option>',
                    row.week.pk,
                    gettext("Week %(n)s") % {"n": row.week.number},
                    dateformat.format(timezone.localtime(row.week.starts_at), "m-d"),
                ),
            )
            for row in rows
        ]

    options: list[tuple[int, str]] = _memo(context, ("board-week-options", id(rows)), build)
    return mark_safe("".join(html for pk, html in options if pk != current))


_FLAG_LABELS = {
    "own_topic": gettext_noop("reviews own topic"),
    "two_roles": gettext_noop("two roles this week"),
}
_UNAVAILABLE = gettext_noop("marked unavailable")


@register.simple_tag
def conflict_flags(flags: Sequence[str]) -> SafeString:
    """A badge per conflict kind (`seminar.scheduling.fairness.ConflictKind`)."""
    return mark_safe(  # built by format_html, each part escaped there
        "".join(
            format_html(
                '<span class="badge badge-bad" data-conflict="{}">{}</span> ',
                flag,
                gettext(_FLAG_LABELS.get(flag, _UNAVAILABLE)),
            )
            for flag in flags
        )
    )
