"""Weeks: created one by one or in bulk, numbered within their term, each with a deadline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.meetings import (
    DEFAULT_DEADLINE,
    MEETING_TIME,
    DeadlineRule,
    group_zone,
    local_date,
    session_dates,
)
from seminar.models import (
    Term,
    Week,
)

MAX_WEEKS_AT_ONCE = 52


def _create_weeks(
    *,
    term: Term,
    starts: Sequence[datetime],
    rule: DeadlineRule,
    place: str,
    online_url: str,
) -> list[Week]:
    if not starts:
        raise ValidationError(_("No week to create."), code="empty")
    if len(starts) > MAX_WEEKS_AT_ONCE:
        raise ValidationError(
            _("At most %(count)d weeks can be created at once.") % {"count": MAX_WEEKS_AT_ONCE},
            code="too_many",
        )
    # The term's row is the lock that keeps two organizers from taking the same numbers.
    term = Term.objects.select_for_update().get(pk=term.pk)
    starts = sorted(starts)
    days = [local_date(start) for start in starts]
    outside = [
        d for d in days if d < term.starts_on or (term.ends_on is not None and d > term.ends_on)
    ]
    if outside:
        raise ValidationError(
            _("%(dates)s is outside the term %(term)s.")
            % {"dates": ", ".join(d.isoformat() for d in outside), "term": term.name},
            code="outside_term",
        )
    if len(set(days)) != len(days):
        raise ValidationError(_("Two weeks on the same day."), code="same_day")
    taken = {local_date(s) for s in term.weeks.values_list("starts_at", flat=True)}
    clashes = sorted(taken.intersection(days))
    if clashes:
        raise ValidationError(
            _("The term already has a week on %(dates)s; skip those dates.")
            % {"dates": ", ".join(d.isoformat() for d in clashes)},
            code="exists",
        )
    number = (term.weeks.aggregate(n=Max("number"))["n"] or 0) + 1
    weeks = []
    for start in starts:
        deadline = rule.deadline_for(start)
        if deadline > start:
            raise ValidationError(
                _("The review deadline must come before the week starts."),
                code="deadline_after_start",
            )
        weeks.append(
            Week.objects.create(
                term=term,
                number=number,
                starts_at=start,
                review_deadline=deadline,
                place=place,
                online_url=online_url,
            )
        )
        number += 1
    return weeks


@transaction.atomic
def create_week(
    *,
    term: Term,
    starts_at: datetime,
    rule: DeadlineRule = DEFAULT_DEADLINE,
    place: str = "",
    online_url: str = "",
) -> Week:
    """One week, numbered after the term's last, its deadline set by `rule`."""
    return _create_weeks(
        term=term, starts=[starts_at], rule=rule, place=place, online_url=online_url
    )[0]


@transaction.atomic
def create_weeks_in_bulk(
    *,
    term: Term,
    first_date: date,
    at: time,
    count: int,
    skip_dates: Iterable[date] = (),
    rule: DeadlineRule = DEFAULT_DEADLINE,
    place: str = "",
    online_url: str = "",
) -> list[Week]:
    """`count` weeks, one every 7 days from `first_date` at `at` (the group's zone), passing
    over `skip_dates`; numbered on from the term's last week. All or nothing: a date outside
    the term or already taken refuses the whole run."""
    zone = group_zone()
    if count < 1:
        raise ValidationError(_("Create at least one week."), code="empty")
    dates = session_dates(first=first_date, count=count, skip=skip_dates)
    starts = [datetime.combine(day, at, tzinfo=zone) for day in dates]
    return _create_weeks(term=term, starts=starts, rule=rule, place=place, online_url=online_url)


def next_week_defaults(today: date | None = None) -> dict[str, object]:
    """What the create-weeks form starts with: a week after the last one, at its time."""
    today = today or timezone.localdate()
    last = Week.objects.order_by("-starts_at").only("starts_at", "review_deadline", "place").first()
    if last is None or local_date(last.starts_at) < today:
        return {"first_date": today + timedelta(days=7), "time": MEETING_TIME}
    local = timezone.localtime(last.starts_at, group_zone())
    deadline = timezone.localtime(last.review_deadline, group_zone())
    return {
        "first_date": local.date() + timedelta(days=7),
        "time": local.time().replace(second=0, microsecond=0),
        "deadline_days_before": max((local.date() - deadline.date()).days, 0),
        "deadline_time": deadline.time().replace(second=0, microsecond=0),
        "place": last.place,
    }
