"""Reads of weeks that pages share, with their prefetching in one place (reads that include
reviews are `reviews.selectors`')."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, F, Prefetch, QuerySet, Value, When
from django.utils import timezone

from seminar.meetings import group_zone
from seminar.models import ReviewerSlot, Term, Topic, Week


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


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now, group_zone()).replace(hour=0, minute=0, second=0, microsecond=0)


def archive_day(now: datetime) -> date:
    """The group's day that cuts the archive into coming and past weeks."""
    return _start_of_day(now).date()


def weeks_for_archive(now: datetime | None = None) -> QuerySet[Week]:
    """Weeks as a calendar reads them: the coming ones first (from today on, soonest first),
    then the past ones newest first; with their terms, topics and presenters (the archive
    page, a page at a time; `add_review_counts` then adds what the cards count)."""
    today = _start_of_day(now or timezone.now())
    topics = Topic.objects.select_related("presenter").order_by("order")
    return (
        Week.objects.select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .annotate(
            is_past=Case(When(starts_at__lt=today, then=Value(1)), default=Value(0)),
            coming_at=Case(When(starts_at__gte=today, then=F("starts_at"))),
            past_at=Case(When(starts_at__lt=today, then=F("starts_at"))),
        )
        .order_by(
            "is_past",
            F("coming_at").asc(nulls_last=True),
            F("past_at").desc(nulls_last=True),
            "pk",
        )
    )


@dataclass
class TermGroup:
    """Consecutive weeks of one term in the archive, coming or past."""

    term: Term
    coming: bool
    weeks: list[Week] = field(default_factory=list)


def group_archive_weeks(
    weeks: Iterable[Week], *, now: datetime | None = None, first_page: bool = True
) -> list[TermGroup]:
    """A page of `weeks_for_archive` cut into runs of one term, coming runs before past ones
    (the order is kept). Each week gets `is_coming`, and the next meeting `is_next`: the
    first coming week of the archive's first page (coming weeks lead, soonest first)."""
    today = _start_of_day(now or timezone.now())
    groups: list[TermGroup] = []
    next_found = not first_page
    for week in weeks:
        week.is_coming = week.starts_at >= today
        week.is_next = week.is_coming and not next_found
        next_found = next_found or week.is_next
        last = groups[-1] if groups else None
        if last is None or last.term.pk != week.term_id or last.coming != week.is_coming:
            last = TermGroup(term=week.term, coming=week.is_coming)
            groups.append(last)
        last.weeks.append(week)
    return groups
