"""Topics of a week: added from the pool or by title, linked to papers, moved, removed, and
their reviewer slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from papers.models import CandidatePaper
from reviews.models import Review
from seminar.models import (
    FormSubmission,
    ReviewerSlot,
    Topic,
    User,
    Week,
)
from seminar.scheduling.people import PRESENTER, REVIEWER, assign_presenter
from seminar.services import claim_form_token, record_assignment_change

DEFAULT_SLOT_COUNT = 2
MAX_SLOT_COUNT = 8


def _mark_scheduled(paper_id: int) -> None:
    CandidatePaper.objects.filter(
        pk=paper_id,
        status__in=[CandidatePaper.Status.CANDIDATE, CandidatePaper.Status.DISMISSED],
    ).update(status=CandidatePaper.Status.SCHEDULED, updated_at=timezone.now())


def _unmark_scheduled(paper_id: int | None) -> None:
    """Back to the pool, unless another topic still has it (or it was presented)."""
    if paper_id is None or Topic.objects.filter(paper_id=paper_id).exists():
        return
    CandidatePaper.objects.filter(pk=paper_id, status=CandidatePaper.Status.SCHEDULED).update(
        status=CandidatePaper.Status.CANDIDATE, updated_at=timezone.now()
    )


def _renumber(rows: Sequence[Topic] | Sequence[ReviewerSlot], attribute: str) -> None:
    """Number the rows 1..N in their current order. Going up the list, each row's new number
    is at most its old one and its holder has already moved, so the unique constraint holds
    after every single UPDATE."""
    for position, row in enumerate(rows, start=1):
        if getattr(row, attribute) != position:
            setattr(row, attribute, position)
            row.save(update_fields=[attribute])


@transaction.atomic
def add_topic(
    *,
    week: Week,
    title: str = "",
    paper: CandidatePaper | None = None,
    slot_count: int = DEFAULT_SLOT_COUNT,
    presenter: User | None = None,
    actor: User | None,
    form_token: UUID | None = None,
    confirmed: bool = True,
) -> Topic:
    """A topic at the end of the week, with `slot_count` open reviewer slots. A linked
    paper gives the title when none is typed, and is marked scheduled.

    A paper already on the programme (a topic of any week) is added again only when
    `confirmed`; otherwise a ValidationError (code "already_scheduled") names its weeks, and
    the board asks the organizer to confirm (#13).

    With the form's one-time token, sending the same form again (a double click, parallel
    requests) adds nothing and returns the topic the first sending added.
    """
    week = Week.objects.select_for_update().get(pk=week.pk)
    claim = None
    if form_token is not None:
        claim = claim_form_token(token=form_token, kind=FormSubmission.Kind.ADD_TOPIC, user=actor)
        if not claim.first:
            return _topic_added_by(claim.submission, actor=actor)
    if paper is not None and not confirmed:
        _check_not_scheduled(paper)
    title = " ".join(title.split())
    if not title and paper is not None:
        title = paper.title or paper.arxiv_id
    if not title:
        raise ValidationError(_("Give a title or choose a paper."), code="title")
    if len(title) > Topic._meta.get_field("title").max_length:
        raise ValidationError(_("The title is too long."), code="title")
    _check_slot_count(slot_count)
    order = (week.topics.aggregate(n=Max("order"))["n"] or 0) + 1
    topic = Topic.objects.create(week=week, order=order, title=title, paper=paper)
    ReviewerSlot.objects.bulk_create(
        [ReviewerSlot(topic=topic, number=n) for n in range(1, slot_count + 1)]
    )
    if paper is not None:
        _mark_scheduled(paper.pk)
    if presenter is not None:
        topic = assign_presenter(topic=topic, member=presenter, actor=actor)
    if claim is not None:
        claim.submission.object_id = topic.pk
        claim.submission.save(update_fields=["object_id"])
    return topic


def week_label(week: Week) -> str:
    """A week named for a sentence: "2025 가을 · 3주차", "2025 Fall · week 3"."""
    return _("%(term)s · week %(number)d") % {"term": week.term.name, "number": week.number}


def _check_not_scheduled(paper: CandidatePaper) -> None:
    """Refuse, naming the weeks, a paper that is already a topic somewhere."""
    weeks = [
        topic.week
        for topic in Topic.objects.filter(paper=paper)
        .select_related("week__term")
        .order_by("week__starts_at", "pk")
    ]
    if weeks:
        raise ValidationError(
            _("“%(title)s” is already scheduled in %(weeks)s. Add it again anyway?")
            % {
                "title": paper.title or paper.arxiv_id,
                "weeks": ", ".join(dict.fromkeys(week_label(week) for week in weeks)),
            },
            code="already_scheduled",
        )


def _topic_added_by(submission: FormSubmission, *, actor: User | None) -> Topic:
    """The topic an earlier sending of the same add-topic form added."""
    same_form = submission.kind == FormSubmission.Kind.ADD_TOPIC and submission.user_id == (
        actor.pk if actor else None
    )
    topic = Topic.objects.filter(pk=submission.object_id).first() if same_form else None
    if topic is None:  # another form's token, or the topic was removed since
        raise ValidationError(
            _("This form was already sent; reload the page to add another topic."),
            code="repeated",
        )
    return topic


@transaction.atomic
def link_paper(*, topic: Topic, paper: CandidatePaper | None) -> Topic:
    """Link the topic to a candidate paper (marked scheduled), or unlink it (back to the
    pool when no other topic has it)."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    previous = topic.paper_id
    if previous == (paper.pk if paper else None):
        return topic
    topic.paper = paper
    topic.save(update_fields=["paper"])
    if paper is not None:
        _mark_scheduled(paper.pk)
    _unmark_scheduled(previous)
    return topic


@transaction.atomic
def remove_topic(*, topic: Topic) -> None:
    """Delete a topic nobody is assigned to (unassign first: that is recorded and mailed)."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.presenter_id or topic.slots.filter(reviewer__isnull=False).exists():
        raise ValidationError(
            _("Unassign the presenter and the reviewers before removing the topic."),
            code="assigned",
        )
    if Review.objects.filter(slot__topic=topic).exists():
        raise ValidationError(_("This topic has reviews; it cannot be removed."), code="reviews")
    week_id, paper_id = topic.week_id, topic.paper_id
    topic.delete()
    _unmark_scheduled(paper_id)
    _renumber(list(Topic.objects.filter(week_id=week_id).order_by("order")), "order")


def _holders(topic: Topic) -> list[tuple[User, str]]:
    people: list[tuple[User, str]] = []
    if topic.presenter is not None:
        people.append((topic.presenter, PRESENTER))
    for slot in topic.slots.select_related("reviewer").filter(reviewer__isnull=False):
        people.append((slot.reviewer, REVIEWER))
    return people


@transaction.atomic
def move_topic(
    *, topic: Topic, week: Week, actor: User | None, now: datetime | None = None
) -> Topic:
    """Move a topic, its slots and reviews to the end of another upcoming week.

    Its presenter and reviewers keep their roles; each gets a fresh assignment record (so an
    email tells them the new date).
    """
    now = now or timezone.now()
    # The topic's row alone; its weeks are locked next.
    topic = Topic.objects.select_for_update(of=("self",)).select_related("week").get(pk=topic.pk)
    if topic.week_id == week.pk:
        return topic
    # Both weeks, in pk order, so two moves in opposite directions cannot deadlock.
    locked = {
        w.pk: w
        for w in Week.objects.select_for_update()
        .filter(pk__in=[topic.week_id, week.pk])
        .order_by("pk")
    }
    target = locked[week.pk]
    if target.starts_at <= now:
        raise ValidationError(
            _("Week %(number)d has already taken place.") % {"number": target.number},
            code="past",
        )
    if topic.week.starts_at <= now:
        raise ValidationError(
            _("This topic's week has already taken place; it stays in the archive."),
            code="past",
        )
    source_id = topic.week_id
    topic.week = target
    topic.order = (target.topics.aggregate(n=Max("order"))["n"] or 0) + 1
    topic.save(update_fields=["week", "order"])
    _renumber(list(Topic.objects.filter(week_id=source_id).order_by("order")), "order")
    for member, role in _holders(topic):
        record_assignment_change(topic=topic, member=member, role=role, assigned=True, actor=actor)
    return topic


def _check_slot_count(count: int) -> None:
    if not 0 <= count <= MAX_SLOT_COUNT:
        raise ValidationError(
            _("A topic has between 0 and %(max)d reviewer slots.") % {"max": MAX_SLOT_COUNT},
            code="slot_count",
        )


@transaction.atomic
def set_slot_count(*, topic: Topic, count: int) -> list[ReviewerSlot]:
    """Add open slots, or remove open ones (highest numbers first); slots with a reviewer or
    a review are never removed. The remaining slots are numbered 1..N."""
    _check_slot_count(count)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    slots = list(
        ReviewerSlot.objects.select_for_update(of=("self",)).filter(topic=topic).order_by("number")
    )
    if count > len(slots):
        top = slots[-1].number if slots else 0
        ReviewerSlot.objects.bulk_create(
            [ReviewerSlot(topic=topic, number=top + k) for k in range(1, count - len(slots) + 1)]
        )
    elif count < len(slots):
        reviewed = set(Review.objects.filter(slot__topic=topic).values_list("slot_id", flat=True))
        removable = [s for s in reversed(slots) if s.reviewer_id is None and s.pk not in reviewed]
        excess = len(slots) - count
        if len(removable) < excess:
            raise ValidationError(
                ngettext(
                    "Only %(count)d slot is open; unassign a reviewer first.",
                    "Only %(count)d slots are open; unassign reviewers first.",
                    len(removable),
                )
                % {"count": len(removable)},
                code="taken",
            )
        ReviewerSlot.objects.filter(pk__in=[s.pk for s in removable[:excess]]).delete()
    remaining = list(ReviewerSlot.objects.filter(topic=topic).order_by("number"))
    _renumber(remaining, "number")
    return remaining
