"""Reads of the seminar domain that pages share, with their prefetching in one place."""

from __future__ import annotations

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
    topics = Topic.objects.select_related("presenter", "paper").prefetch_related(
        Prefetch("slots", queryset=slots.order_by("number"))
    )
    return Week.objects.select_related("term").prefetch_related(
        Prefetch("topics", queryset=topics.order_by("order"))
    )


def next_week(now: datetime | None = None) -> Week | None:
    """The coming week: the first one that has not ended (a week lasts its day)."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return weeks_with_content().filter(starts_at__gte=start_of_today).order_by("starts_at").first()


def latest_week() -> Week | None:
    return weeks_with_content().order_by("-starts_at").first()


def visible_review(slot: ReviewerSlot, user) -> Review | None:
    """The slot's review if this user may read it: submitted, or their own draft."""
    review = getattr(slot, "review", None) if hasattr(slot, "review") else None
    if review is None:
        return None
    if review.is_submitted or review.author_id == getattr(user, "pk", None):
        return review
    return None


def weeks_for_archive() -> QuerySet[Week]:
    """Weeks newest first, with their topics and presenters and how many reviews are in, in
    a constant number of queries (the archive page)."""
    topics = Topic.objects.select_related("presenter").order_by("order")
    return (
        Week.objects.select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .annotate(
            slots_total=Count("topics__slots", distinct=True),
            slots_open=Count(
                "topics__slots", filter=Q(topics__slots__reviewer__isnull=True), distinct=True
            ),
            reviews_submitted=Count(
                "topics__slots__review",
                filter=Q(topics__slots__review__status=Review.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("-starts_at")
    )
