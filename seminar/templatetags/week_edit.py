"""The week page's "edit this week" form (#13): the one a refused POST left bound, or a fresh
one with the week's values (`seminar.scheduling.forms.WeekEditForm`)."""

from __future__ import annotations

from django import template

from seminar.meetings import group_zone
from seminar.models import Week
from seminar.scheduling.forms import WeekEditForm

register = template.Library()


@register.simple_tag
def week_edit_form(week: Week, bound: object = None) -> WeekEditForm:
    # A name missing from the context reaches a tag as "": only a form counts as bound.
    return bound if isinstance(bound, WeekEditForm) else WeekEditForm(week=week)


@register.simple_tag
def group_zone_name() -> str:
    """The zone the form's dates and times are typed in (`seminar.meetings.group_zone`)."""
    return str(group_zone())
