"""When the group meets: its time zone, the usual meeting time and the review deadline rule.

Every place that makes weeks (the schedule board, the week-page importer, the demo, the
benchmark's fake data) takes the meeting time and the deadline from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# The group meets in the evening; a new week starts at this time unless the organizer says
# otherwise.
MEETING_TIME = time(19, 0)


def group_zone():
    return timezone.get_default_timezone()


def local_date(moment: datetime) -> date:
    """The group's calendar day of a moment (a week "is on" this date)."""
    return timezone.localtime(moment, group_zone()).date()


@dataclass(frozen=True)
class DeadlineRule:
    """Reviews are due `days_before` the week's day at `at`, in the group's time zone
    (the default: the day before at 23:59)."""

    days_before: int = 1
    at: time = time(23, 59)

    def deadline_for(self, starts_at: datetime) -> datetime:
        zone = group_zone()
        day = local_date(starts_at) - timedelta(days=self.days_before)
        return datetime.combine(day, self.at, tzinfo=zone)


def session_dates(*, first: date, count: int, skip: Iterable[date] = (), every_days: int = 7):
    """`count` dates, `every_days` apart from `first`, passing over the `skip` dates (a
    skipped date does not count: the run goes on until `count` dates are found)."""
    skipped = set(skip)
    dates: list[date] = []
    day = first
    for _step in range(count + len(skipped)):
        if len(dates) == count:
            break
        if day not in skipped:
            dates.append(day)
        day += timedelta(days=every_days)
    return dates


DEFAULT_DEADLINE = DeadlineRule()
