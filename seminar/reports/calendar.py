"""iCalendar feeds: the group's weeks, and a member's own review deadlines.

Privacy: the feeds name members (presenters, reviewers), so none is public. Both are reached
through a member's secret `calendar_token` (calendar apps cannot sign in):

- `/calendar/<token>.ics`: the member's feed: every week with its topics and presenters
  (marked where the member presents or reviews) and the member's own review deadlines;
- `/calendar/<token>/group.ics`: the group's feed: the weeks alone.

A token is revoked by regenerating it (or turning it off) on the settings page; an inactive
member's token stops working. Events keep the same UID whatever the token, so a new link
re-subscribed shows the same events, not copies. Times are written in the group's zone with
its VTIMEZONE, which Google Calendar and Apple Calendar both read.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from seminar.models import ReviewerSlot, Topic, User, Week, normalize_display_name

# How long a week's event lasts on the calendar.
WEEK_LENGTH = timedelta(hours=2)
# Past weeks kept in a feed; future weeks are all there.
FEED_HISTORY = timedelta(days=180)
PRODID = "-//Seminar//Seminar calendar//EN"


# --- tokens -------------------------------------------------------------------------------


def regenerate_calendar_token(*, member: User) -> str:
    """A new secret for the member's feeds; links with the old one stop working."""
    member.calendar_token = secrets.token_urlsafe(32)
    member.save(update_fields=["calendar_token"])
    return member.calendar_token


def revoke_calendar_token(*, member: User) -> None:
    member.calendar_token = None
    member.save(update_fields=["calendar_token"])


def member_for_token(token: str) -> User | None:
    if not token:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()


# --- feeds --------------------------------------------------------------------------------


def feed_weeks(now: datetime | None = None) -> QuerySet[Week]:
    """Weeks from half a year ago on, with topics, presenters and reviewers."""
    now = now or timezone.now()
    slots = ReviewerSlot.objects.select_related("reviewer").order_by("number")
    topics = (
        Topic.objects.select_related("presenter")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .order_by("order")
    )
    return (
        Week.objects.filter(starts_at__gte=now - FEED_HISTORY)
        .select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("starts_at")
    )


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "seminar.invalid"


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _one_line(text: str) -> str:
    """Text from the database as one line without control characters. Names are stored that
    way now, but rows saved before, titles and places edited in the admin may carry CR, NUL
    and the like: icalendar refuses a bare CR (the feed answered 500) and RFC 5545 allows no
    control characters in text."""
    return normalize_display_name(text)


def _name(member: User) -> str:
    return _one_line(member.display_name)


def _week_event(week: Week, *, stamp: datetime, member: User | None) -> Event:
    topics = list(week.topics.all())
    lines = []
    roles = []
    for topic in topics:
        presenter = _name(topic.presenter) if topic.presenter else _("to be decided")
        reviewers = [_name(s.reviewer) for s in topic.slots.all() if s.reviewer]
        presenter_label = _("presenter")
        line = f"{topic.order}. {_one_line(topic.title)} — {presenter_label}: {presenter}"
        if reviewers:
            reviewers_label = _("reviewers")
            line += f"; {reviewers_label}: {', '.join(reviewers)}"
        lines.append(line)
        lines += _topic_materials(topic)
        if member is not None and topic.presenter_id == member.pk:
            roles.append(_("you present"))
        elif member is not None and any(s.reviewer_id == member.pk for s in topic.slots.all()):
            roles.append(_("you review"))
    summary = _("Seminar week %(number)d") % {"number": week.number}
    if len(topics) == 1:
        summary += f": {_one_line(topics[0].title)}"
    elif topics:
        summary += ": " + " / ".join(_one_line(t.title) for t in topics)
    if roles:
        summary = f"★ {summary} ({', '.join(dict.fromkeys(roles))})"
    event = Event()
    event.add("uid", f"week-{week.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _local(week.starts_at))
    event.add("dtend", _local(week.starts_at + WEEK_LENGTH))
    event.add("summary", summary)
    description = "\n".join(lines) if lines else _("No topics scheduled yet.")
    description += "".join(f"\n{line}" for line in _week_links(week))
    event.add("description", f"{description}\n\n{_url(week.get_absolute_url())}")
    event.add("url", _url(week.get_absolute_url()))
    if week.place:
        event.add("location", _one_line(week.place))
    elif week.online_url:
        event.add("location", week.online_url)
    event.add("categories", ["Seminar"])
    return event


def _topic_materials(topic: Topic) -> list[str]:
    """A topic's materials as description lines (#13): slides and code links."""
    lines = []
    if link := topic.slides_link:
        lines.append(f"   {_('Slides')}: {_one_line(link)}")
    if topic.code_url:
        lines.append(f"   {_('Code')}: {_one_line(topic.code_url)}")
    return lines


def _week_links(week: Week) -> list[str]:
    """The week's meeting and recording links as description lines (#13)."""
    lines = []
    if week.online_url:
        lines.append(f"{_('Online link')}: {_one_line(week.online_url)}")
    if week.recording_url:
        lines.append(f"{_('Recording')}: {_one_line(week.recording_url)}")
    return lines


def _deadline_event(slot: ReviewerSlot, week: Week, *, stamp: datetime, member: User) -> Event:
    topic = slot.topic
    event = Event()
    # Per member and slot: a slot handed to someone else is another person's deadline.
    event.add("uid", f"review-{slot.pk}-member-{member.pk}@{_host()}")
    event.add("dtstamp", stamp)
    # A point in time: no DTEND (RFC 5545 3.6.1), and it does not make the member busy.
    event.add("dtstart", _local(week.review_deadline))
    event.add("transp", "TRANSPARENT")
    event.add(
        "summary",
        _("Review due: %(title)s (week %(number)d)")
        % {"title": _one_line(topic.title), "number": week.number},
    )
    event.add("description", _url(reverse("review_edit", args=[slot.pk])))
    event.add("url", _url(reverse("review_edit", args=[slot.pk])))
    event.add("categories", ["Seminar"])
    return event


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _finish(calendar: Calendar, moments: Iterable[datetime]) -> bytes:
    years = [moment.year for moment in moments] or [timezone.localdate().year]
    calendar.add_missing_timezones(
        first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
    )
    return calendar.to_ical()


def group_feed(*, weeks: Iterable[Week], viewer: User, now: datetime | None = None) -> bytes:
    """Every week with its topics and people, in `viewer`'s language."""
    stamp = _utc(now or timezone.now())
    weeks = list(weeks)
    with translation.override(viewer.language or settings.LANGUAGE_CODE):
        calendar = _calendar("Seminar")
        for week in weeks:
            calendar.add_component(_week_event(week, stamp=stamp, member=None))
        return _finish(calendar, [w.starts_at for w in weeks])


def member_feed(*, weeks: Iterable[Week], member: User, now: datetime | None = None) -> bytes:
    """The weeks, marked where `member` has a role, and their review deadlines."""
    stamp = _utc(now or timezone.now())
    weeks = list(weeks)
    with translation.override(member.language or settings.LANGUAGE_CODE):
        calendar = _calendar(f"Seminar · {_name(member)}")
        for week in weeks:
            calendar.add_component(_week_event(week, stamp=stamp, member=member))
            for topic in week.topics.all():
                for slot in topic.slots.all():
                    if slot.reviewer_id == member.pk:
                        slot.topic = topic
                        calendar.add_component(
                            _deadline_event(slot, week, stamp=stamp, member=member)
                        )
        return _finish(calendar, [w.starts_at for w in weeks])
