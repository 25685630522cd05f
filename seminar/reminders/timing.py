"""When reminders may leave: the recipient's zone and language, quiet hours, the stages before
and after a deadline, and the retry backoff. Pure functions of an explicit `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from seminar.lib.emails import email_language
from seminar.models import (
    ReminderPolicy,
    User,
)

# An after-deadline reminder is news for a day; after that (e.g. the worker was down) it is
# dropped rather than sent stale.
OVERDUE_WINDOW = timedelta(days=1)
# Retry backoff: 5, 10, 20, 40 minutes ... at most 6 hours.
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)


def zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def language_of(user: User) -> str:
    return email_language(user.language)


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def release_time(now: datetime, zone: ZoneInfo, policy: ReminderPolicy) -> datetime:
    """`now` outside quiet hours in `zone`, else the moment they end there."""
    local = now.astimezone(zone)
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def stage_before(anchor: datetime, offsets: Sequence[int], now: datetime) -> int | None:
    """The reminder of `offsets` (days before `anchor`) to send at `now`, if any.

    The latest one whose moment has passed: someone assigned late gets the nearest reminder
    only, never a burst of the earlier ones. Nothing once `anchor` has passed.
    """
    if now >= anchor:
        return None
    passed = [d for d in offsets if anchor - timedelta(days=d) <= now]
    return min(passed) if passed else None


def stage_after(anchor: datetime, offsets: Sequence[int], now: datetime) -> int | None:
    """Like `stage_before` for days after `anchor`, each one news for `OVERDUE_WINDOW`."""
    passed = [d for d in offsets if anchor + timedelta(days=d) <= now]
    if not passed:
        return None
    latest = max(passed)
    if now >= anchor + timedelta(days=latest) + OVERDUE_WINDOW:
        return None
    return latest


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)
