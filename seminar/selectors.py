"""Reads of the seminar domain that pages share, with their prefetching in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from reviews.models import Review, ReviewSection
from seminar.models import ReviewerSlot, Topic, Week


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


def weeks_with_outline() -> QuerySet[Week]:
    """Weeks with their topics, presenters, slots and reviewers, but no reviews: what the
    dashboard's week card shows, in a constant number of queries."""
    slots = ReviewerSlot.objects.select_related("reviewer").order_by("number")
    topics = (
        Topic.objects.select_related("presenter")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .order_by("order")
    )
    return Week.objects.select_related("term").prefetch_related(Prefetch("topics", queryset=topics))


def next_week(now: datetime | None = None, weeks: QuerySet[Week] | None = None) -> Week | None:
    """The coming week: the first one that has not ended (a week lasts its day).

    From `weeks` (default: `weeks_with_content()`), so a page prefetches what it shows."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = weeks_with_content() if weeks is None else weeks
    return weeks.filter(starts_at__gte=start_of_today).order_by("starts_at").first()


def latest_week(weeks: QuerySet[Week] | None = None) -> Week | None:
    weeks = weeks_with_content() if weeks is None else weeks
    return weeks.order_by("-starts_at").first()


def visible_review(slot: ReviewerSlot, user) -> Review | None:
    """The slot's review if this user may read it (the rule is `can_read_review`'s)."""
    from reviews.permissions import can_read_review

    review = getattr(slot, "review", None)  # a missing reverse one-to-one reads as None
    return review if review is not None and can_read_review(user, review) else None


def weeks_for_archive() -> QuerySet[Week]:
    """Weeks newest first, with their topics and presenters (the archive page, a page at a
    time; `add_review_counts` then adds what the cards count)."""
    topics = Topic.objects.select_related("presenter").order_by("order")
    return (
        Week.objects.select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("-starts_at", "-pk")
    )


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
