"""Reads for the member's pages: the dashboard and the review editor's side panel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models import Review, ReviewSection
from reviews.permissions import can_read_review
from seminar import selectors as seminar_selectors
from seminar.models import ReviewerSlot, Topic, Week

if TYPE_CHECKING:
    from papers.models import PaperSummary
    from seminar.models import User

# How long a past week's slots stay on the dashboard (to see them marked submitted or late).
RECENT = timedelta(days=7)


class SlotState:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LATE = "late"

    LABELS = {
        NOT_STARTED: _("Not started"),
        DRAFT: _("Draft"),
        SUBMITTED: _("Submitted"),
        LATE: _("Late"),
    }


def slot_state(slot: ReviewerSlot, now: datetime | None = None) -> str:
    """Not started, draft, submitted; late when submitted late or still missing after the
    deadline."""
    now = now or timezone.now()
    review = slot.current_review
    if review is not None and review.is_submitted:
        return SlotState.LATE if review.is_late else SlotState.SUBMITTED
    if now > slot.topic.week.review_deadline:
        return SlotState.LATE
    return SlotState.DRAFT if review is not None else SlotState.NOT_STARTED


@dataclass(frozen=True)
class MySlot:
    slot: ReviewerSlot
    state: str
    deadline: datetime
    deadline_passed: bool

    @property
    def review(self) -> Review | None:
        return getattr(self.slot, "review", None) if hasattr(self.slot, "review") else None

    @property
    def state_label(self) -> str:
        return str(SlotState.LABELS[self.state])


@dataclass(frozen=True)
class OpenTopic:
    """A topic with open slots the member could take; the button takes the first one."""

    topic: Topic
    slots: list[ReviewerSlot] = field(default_factory=list)

    @property
    def first_slot(self) -> ReviewerSlot:
        return self.slots[0]


@dataclass(frozen=True)
class Dashboard:
    week: Week | None
    my_slots: list[MySlot]
    my_presentations: list[Topic]
    open_topics: list[OpenTopic]


def dashboard_for(user: User, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows, in a constant number of queries."""
    now = now or timezone.now()
    outline = seminar_selectors.weeks_with_outline()
    week = seminar_selectors.next_week(now, outline) or seminar_selectors.latest_week(outline)
    since = now - RECENT

    slots = (
        ReviewerSlot.objects.filter(reviewer=user, topic__week__starts_at__gte=since)
        .select_related("topic__week__term", "topic__presenter", "review")
        .order_by("topic__week__review_deadline", "topic__order", "number")
    )
    my_slots = [
        MySlot(
            slot=slot,
            state=slot_state(slot, now),
            deadline=slot.topic.week.review_deadline,
            deadline_passed=now > slot.topic.week.review_deadline,
        )
        for slot in slots
    ]

    presentations = list(
        Topic.objects.filter(presenter=user, week__starts_at__gte=since)
        .select_related("week__term", "paper")
        .defer("paper__search_text")
        .order_by("week__starts_at", "order")
    )

    mine_on_topic = ReviewerSlot.objects.filter(topic=OuterRef("topic"), reviewer=user)
    presents_that_week = Topic.objects.filter(week=OuterRef("topic__week"), presenter=user)
    open_slots = (
        ReviewerSlot.objects.filter(
            reviewer__isnull=True, review__isnull=True, topic__week__review_deadline__gte=now
        )
        .filter(~Exists(mine_on_topic))
        .exclude(topic__presenter=user)
        # Not in a week the member presents in, when that week refuses it (seminar.conflicts).
        .exclude(
            Exists(presents_that_week), topic__week__same_week_policy=Week.SameWeekPolicy.REFUSE
        )
        .select_related("topic__week__term", "topic__presenter")
        .order_by("topic__week__starts_at", "topic__order", "number")
    )
    by_topic: dict[int, OpenTopic] = {}
    for slot in open_slots:
        by_topic.setdefault(slot.topic_id, OpenTopic(topic=slot.topic)).slots.append(slot)

    return Dashboard(
        week=week,
        my_slots=my_slots,
        my_presentations=presentations,
        open_topics=list(by_topic.values()),
    )


def latest_summary(topic: Topic) -> PaperSummary | None:
    """The newest imported summary of the topic's paper, if it has one."""
    if topic.paper_id is None:
        return None
    return (
        topic.paper.summaries.select_related("digest")
        # A digest's text is megabytes; the panel shows its date.
        .defer("digest__content", "digest__errors", "digest__warnings")
        .order_by("-digest__date", "-pk")
        .first()
    )


def weeks_with_content() -> QuerySet[Week]:
    """Weeks with everything a week page shows, in a constant number of queries."""
    sections = ReviewSection.objects.order_by("order")
    slots = ReviewerSlot.objects.select_related(
        "reviewer", "review", "review__author"
    ).prefetch_related(Prefetch("review__sections", queryset=sections))
    # A paper's search text is kilobytes that no page shows.
    topics = (
        Topic.objects.select_related("presenter", "paper")
        .defer("paper__search_text")
        .prefetch_related(Prefetch("slots", queryset=slots.order_by("number")))
    )
    return Week.objects.select_related("term").prefetch_related(
        Prefetch("topics", queryset=topics.order_by("order"))
    )


def has_own_draft(*, week_id: int, user) -> bool:
    """Whether `user` wrote a draft in this week: the week page shows a draft to its author
    alone, and its autosaved text changes without a new data version."""
    return Review.objects.filter(
        slot__topic__week_id=week_id, author_id=user.pk, status=Review.Status.DRAFT
    ).exists()


def visible_review(slot: ReviewerSlot, user) -> Review | None:
    """The slot's review if this user may read it (the rule is `can_read_review`'s)."""
    review = slot.current_review
    return review if review is not None and can_read_review(user, review) else None


def add_review_counts(weeks: Iterable[Week]) -> list[Week]:
    """Set `slots_total`, `slots_open` and `reviews_submitted` on each week, in one query
    over these weeks' slots only (counting in the weeks' own query would aggregate every
    week before the page is cut out)."""
    weeks = list(weeks)
    counts = {
        row["topic__week_id"]: row
        for row in ReviewerSlot.objects.filter(topic__week__in=[w.pk for w in weeks])
        .values("topic__week_id")
        .annotate(
            slots_total=Count("pk"),
            slots_open=Count("pk", filter=Q(reviewer__isnull=True)),
            reviews_submitted=Count("review", filter=Q(review__status=Review.Status.SUBMITTED)),
        )
        .order_by()
    }
    for week in weeks:
        row = counts.get(week.pk, {})
        week.slots_total = row.get("slots_total", 0)
        week.slots_open = row.get("slots_open", 0)
        week.reviews_submitted = row.get("reviews_submitted", 0)
    return weeks
