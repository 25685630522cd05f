"""Reads of weeks that pages share, with their prefetching in one place (reads that include
reviews are `reviews.selectors`')."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from seminar.models import ReviewerSlot, Topic, Week


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

    From `weeks` (default: `weeks_with_outline()`), so a page prefetches what it shows."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = weeks_with_outline() if weeks is None else weeks
    return weeks.filter(starts_at__gte=start_of_today).order_by("starts_at").first()


def latest_week(weeks: QuerySet[Week] | None = None) -> Week | None:
    weeks = weeks_with_outline() if weeks is None else weeks
    return weeks.order_by("-starts_at").first()


def weeks_for_archive() -> QuerySet[Week]:
    """Weeks newest first, with their topics and presenters (the archive page, a page at a
    time; `add_review_counts` then adds what the cards count)."""
    topics = Topic.objects.select_related("presenter").order_by("order")
    return (
        Week.objects.select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("-starts_at", "-pk")
    )
