"""Template helpers for review pages: permission checks and numbered sections."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from reviews import permissions
from reviews.models import Review, ReviewSection
from seminar.lib.markdown import render_markdown_cached
from seminar.models import ReviewerSlot

register = template.Library()


@register.filter
def can_claim(user: Any, slot: ReviewerSlot) -> bool:
    return permissions.can_claim_slot(user, slot)


@register.filter
def claim_conflict(user: Any, slot: ReviewerSlot):
    """The same-week conflict taking this slot would make (its `message` says why), or None."""
    return permissions.claim_conflict(user, slot)


@register.filter
def can_release(user: Any, slot: ReviewerSlot) -> bool:
    return permissions.can_release_slot(user, slot)


@register.filter
def can_write(user: Any, slot: ReviewerSlot) -> bool:
    return permissions.can_write_review_for(user, slot)


@register.filter
def markdown(text: str) -> SafeString:
    """Markdown through the one sanitizing renderer (for text that has no stored HTML),
    cached by content: the same summary or draft is not rendered again on every request."""
    return mark_safe(render_markdown_cached(text or ""))  # render_markdown sanitizes


@register.simple_tag
def numbered_sections(review: Review) -> list[tuple[int | None, ReviewSection]]:
    """(number, section) pairs numbered as the group's page numbers them: headed sections
    1..N; text before the first heading has no number."""
    pairs: list[tuple[int | None, ReviewSection]] = []
    number = 0
    for section in review.sections.all():
        if section.heading:
            number += 1
            pairs.append((number, section))
        else:
            pairs.append((None, section))
    return pairs
