"""`{% load integrations %}`: the week's brief as plain text, for the "copy for KakaoTalk"
box on the week page (registered in TEMPLATES' libraries)."""

from __future__ import annotations

from django import template

from seminar.lib.urls import absolute_url
from seminar.scheduling import brief as briefs

register = template.Library()


@register.simple_tag
def week_brief_text(week) -> str:
    """The brief of a week read through `weeks_with_content()`: no further query."""
    return briefs.brief_text(briefs.brief_for(week, url=absolute_url(week.get_absolute_url())))
