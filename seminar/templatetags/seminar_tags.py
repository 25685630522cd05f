from __future__ import annotations

from django import template

from reviews import selectors as review_selectors
from seminar.permissions import is_organizer as is_organizer_predicate

register = template.Library()


@register.simple_tag
def visible_review(slot, user):
    """The slot's review if `user` may read it (submitted, or their own draft)."""
    return review_selectors.visible_review(slot, user)


@register.filter
def is_organizer(user) -> bool:
    return is_organizer_predicate(user)
