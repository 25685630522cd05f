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

from seminar.conflicts import REVIEWER, SameWeekConflict, same_week_verdict
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
    "claim_conflict",
    "hidden_until_own_submitted",
    "is_member",
    "is_organizer",
]


def can_read_review(user: Any, review: Review) -> bool:
    """Submitted reviews are read by every member; a draft only by its author. A reviewer of
    the same topic reads the others' once they submitted their own, when the week says so
    (`hidden_until_own_submitted`)."""
    if not is_member(user):
        return False
    if review.author_id == user.pk:
        return True
    return review.is_submitted and not hidden_until_own_submitted(user, review)


def hidden_until_own_submitted(user: Any, review: Review, now: datetime | None = None) -> bool:
    """Whether the week's visibility rule (#15, `Week.hide_reviews_until_submitted`, as
    pretalx does) keeps this review from this member: they review the same topic (another
    slot of it) and have not submitted their own yet, and the meeting has not begun (after
    it, nothing is left to anchor on). Organizers always read; members who do not review the
    topic (its presenter, everyone else) read submitted reviews as before.

    Reads `review.slot.topic.slots.all()` and each slot's review: prefetch them on pages.
    """
    slot = review.slot
    topic = slot.topic
    week = topic.week
    if not week.hide_reviews_until_submitted or not is_member(user) or is_organizer(user):
        return False
    if (now or timezone.now()) >= week.starts_at:
        return False
    mine = [s for s in topic.slots.all() if s.reviewer_id == user.pk and s.pk != slot.pk]
    if not mine:
        return False
    return not any((own := s.current_review) is not None and own.is_submitted for s in mine)


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
    already review it, or present in its week and the week refuses that
    (`claim_conflict`). Uses `slot.topic.slots.all()` and `slot.topic.week.topics.all()`, so
    prefetch them on list pages."""
    if not is_member(user) or slot.reviewer_id is not None or _has_review(slot):
        return False
    topic = slot.topic
    if topic.presenter_id == user.pk or not _before_deadline(topic.week, now):
        return False
    if any(other.reviewer_id == user.pk for other in topic.slots.all()):
        return False
    conflict = claim_conflict(user, slot)
    return conflict is None or not conflict.refused


def claim_conflict(user: Any, slot: ReviewerSlot) -> SameWeekConflict | None:
    """The same-week conflict taking this open slot would make: the member presents another
    topic of its week (`seminar.conflicts`; refused or only warned per the week's policy).
    None for a slot that is not open or a topic the member presents (a rule of its own)."""
    if not is_member(user) or slot.reviewer_id is not None:
        return None
    topic = slot.topic
    if topic.presenter_id == user.pk or not _before_deadline(topic.week, None):
        return None
    week = topic.week
    presents = any(other.presenter_id == user.pk for other in week.topics.all())
    return same_week_verdict(
        role=REVIEWER, presents=presents, reviews=False, policy=week.same_week_policy
    )


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
