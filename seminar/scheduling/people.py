"""Who presents and reviews: assignments (each recorded in the change history) and the dates
members cannot take part.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.conflicts import check_same_week
from seminar.models import (
    AssignmentChange,
    ReviewerSlot,
    Topic,
    Unavailability,
    User,
)
from seminar.services import record_assignment_change

PRESENTER = AssignmentChange.Role.PRESENTER.value
REVIEWER = AssignmentChange.Role.REVIEWER.value


class _Anyone:
    """`expected=ANYONE`: change the role whoever holds it now."""

    def __repr__(self) -> str:
        return "ANYONE"


ANYONE = _Anyone()


def _check_expected(current: User | None, expected: int | _Anyone | None) -> None:
    """Refuse a change made from a stale page: the role's holder is no longer the one the
    organizer saw (e.g. a member took the slot meanwhile)."""
    if expected is ANYONE or (current.pk if current else None) == expected:
        return
    raise ValidationError(
        _("This was changed meanwhile (now: %(name)s); nothing was changed. Look again.")
        % {"name": current.display_name if current else _("nobody")},
        code="changed",
    )


def _check_member(member: User | None) -> None:
    if member is not None and not member.is_active:
        raise ValidationError(
            _("%(name)s is not an active member.") % {"name": member.display_name},
            code="inactive",
        )


@transaction.atomic
def assign_presenter(
    *,
    topic: Topic,
    member: User | None,
    actor: User | None,
    expected: int | _Anyone | None = ANYONE,
    reason: str = "",
) -> Topic:
    """Make `member` the topic's presenter (None: nobody). The one who loses the role and
    the one who gains it are both recorded. With `expected` (the presenter's id the page
    showed, None for nobody) a change from a stale page is refused."""
    _check_member(member)
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("presenter").get(pk=topic.pk)
    )
    previous = topic.presenter
    if (previous.pk if previous else None) == (member.pk if member else None):
        return topic
    _check_expected(previous, expected)
    topic.presenter = member
    topic.save(update_fields=["presenter"])
    if previous is not None:
        record_assignment_change(
            topic=topic,
            member=previous,
            role=PRESENTER,
            assigned=False,
            actor=actor,
            reason=reason,
        )
    if member is not None:
        record_assignment_change(
            topic=topic, member=member, role=PRESENTER, assigned=True, actor=actor, reason=reason
        )
    return topic


@transaction.atomic
def assign_reviewer(
    *,
    slot: ReviewerSlot,
    member: User | None,
    actor: User | None,
    expected: int | _Anyone | None = ANYONE,
    reason: str = "",
) -> ReviewerSlot:
    """Make `member` the slot's reviewer (None: open the slot).

    A submitted review keeps its slot: that reviewer cannot be replaced. A draft belongs to
    the reviewer being replaced and is discarded, as when they release the slot themselves.
    A member who presents in the slot's week is refused (or allowed, when the week's
    `same_week_policy` says "warn": `seminar.conflicts`).
    With `expected` (the reviewer's id the page showed, None for an open slot) a change from
    a stale page is refused, so accepting a suggestion never replaces a member who has just
    taken the slot themselves.
    """
    _check_member(member)
    slot = (
        ReviewerSlot.objects.select_for_update(of=("self",))
        .select_related("topic__week", "reviewer")
        .get(pk=slot.pk)
    )
    previous = slot.reviewer
    if (previous.pk if previous else None) == (member.pk if member else None):
        return slot
    _check_expected(previous, expected)
    review = slot.current_review
    if review is not None and review.is_submitted:
        raise ValidationError(
            _("%(name)s has submitted a review for this slot; it stays theirs.")
            % {"name": previous.display_name if previous else _("someone")},
            code="submitted",
        )
    if (
        member is not None
        and ReviewerSlot.objects.filter(topic_id=slot.topic_id, reviewer=member)
        .exclude(pk=slot.pk)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s already reviews this topic.") % {"name": member.display_name},
            code="one_per_topic",
        )
    if member is not None:
        check_same_week(member=member, week=slot.topic.week, role=REVIEWER, actor=actor)
    if review is not None:
        review.delete()
    slot.reviewer = member
    try:
        with transaction.atomic():
            slot.save(update_fields=["reviewer"])
    except IntegrityError as error:  # the same member put on another slot of it concurrently
        raise ValidationError(
            _("%(name)s already reviews this topic.") % {"name": member.display_name},
            code="one_per_topic",
        ) from error
    if previous is not None:
        record_assignment_change(
            topic=slot.topic,
            member=previous,
            role=REVIEWER,
            assigned=False,
            actor=actor,
            reason=reason,
        )
    if member is not None:
        record_assignment_change(
            topic=slot.topic,
            member=member,
            role=REVIEWER,
            assigned=True,
            actor=actor,
            reason=reason,
        )
    return slot


# --- unavailable dates ------------------------------------------------------------------------


def mark_unavailable(*, member: User, day: date, note: str = "") -> Unavailability:
    """Add (or re-note) a date the member cannot take part."""
    entry, _created = Unavailability.objects.update_or_create(
        member=member, date=day, defaults={"note": note.strip()}
    )
    return entry


def unmark_unavailable(*, member: User, entry_id: int) -> bool:
    deleted, _rows = Unavailability.objects.filter(member=member, pk=entry_id).delete()
    return bool(deleted)


def upcoming_unavailability(member: User, today: date | None = None) -> QuerySet[Unavailability]:
    today = today or timezone.localdate()
    return Unavailability.objects.filter(member=member, date__gte=today).order_by("date")
