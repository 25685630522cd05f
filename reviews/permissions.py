"""Who may do what with reviews and reviewer slots, as plain predicates.

Views call them before doing anything and templates call them to decide which buttons to show;
the services check the same rules again inside their transactions, because a button shown a
minute ago proves nothing now. Signed-out visitors and inactive accounts are never members, so
every predicate is False for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from seminar.permissions import is_member, is_organizer

if TYPE_CHECKING:
    from reviews.models import Review
    from seminar.models import ReviewerSlot, Week

__all__ = [
    "can_claim_slot",
    "can_edit_review",
    "can_export_week",
    "can_read_review",
    "can_release_slot",
    "can_write_review_for",
    "is_member",
    "is_organizer",
]


def can_read_review(user: Any, review: Review) -> bool:
    """Submitted reviews are read by every member; a draft only by its author."""
    if not is_member(user):
        return False
    return review.is_submitted or review.author_id == user.pk


def can_write_review_for(user: Any, slot: ReviewerSlot) -> bool:
    """The slot's reviewer writes its review; organizers may edit it too. Open slots have none.

    Whether the deadline still allows a change is the services' business (it depends on the
    week's late policy and on whether the review was submitted).
    """
    if not is_member(user) or slot.reviewer_id is None:
        return False
    return slot.reviewer_id == user.pk or is_organizer(user)


def can_edit_review(user: Any, review: Review) -> bool:
    return can_write_review_for(user, review.slot)


def _before_deadline(week: Week, now: datetime | None) -> bool:
    return (now or timezone.now()) <= week.review_deadline


def _has_review(slot: ReviewerSlot) -> bool:
    # `hasattr` on a reverse one-to-one is False when there is none (and uses the cache that
    # select_related filled, so this costs no query on prefetched pages).
    return slot.current_review is not None


def can_claim_slot(user: Any, slot: ReviewerSlot, now: datetime | None = None) -> bool:
    """A member may take an open slot before the deadline, unless they present the topic or
    already review it. Uses `slot.topic.slots.all()`, so prefetch it on list pages."""
    if not is_member(user) or slot.reviewer_id is not None or _has_review(slot):
        return False
    topic = slot.topic
    if topic.presenter_id == user.pk or not _before_deadline(topic.week, now):
        return False
    return all(other.reviewer_id != user.pk for other in topic.slots.all())


def can_release_slot(user: Any, slot: ReviewerSlot, now: datetime | None = None) -> bool:
    """The reviewer may give a slot back before the deadline, unless they submitted already."""
    if not is_member(user) or slot.reviewer_id != user.pk:
        return False
    if not _before_deadline(slot.topic.week, now):
        return False
    return not (_has_review(slot) and slot.review.is_submitted)


def can_export_week(user: Any, week: Week) -> bool:
    """The export holds submitted reviews only, which every member reads anyway."""
    return is_member(user)
