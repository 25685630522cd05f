"""iCalendar feeds, validated by parsing them back with the icalendar library."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from seminar.reports import calendar as ical
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def reader(db):
    """A member with an English interface, a calendar token, and a review to write."""
    user = UserFactory(name="Reader", language="en")
    ical.regenerate_calendar_token(member=user)
    return user


@pytest.fixture
def week(reader, other_member):
    starts = timezone.localtime(timezone.now() + timedelta(days=10), SEOUL).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    week = WeekFactory(number=5, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards", presenter=other_member)
    ReviewerSlotFactory(topic=topic, number=1, reviewer=reader)
    ReviewerSlotFactory(topic=topic, number=2, reviewer=UserFactory(name="Someone Else"))
    TopicFactory(week=week, order=2, title="Absolute Zero", presenter=reader)
    return week


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_member_feed_has_the_weeks_and_the_members_own_deadlines(client, reader, week):
    calendar = _parse(client.get(reverse("member_calendar", args=[reader.calendar_token])))
    assert str(calendar["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    events = _events(calendar)
    slot = week.topics.get(order=1).slots.get(number=1)
    week_uid = f"week-{week.pk}@127.0.0.1"
    deadline_uid = f"review-{slot.pk}-member-{reader.pk}@127.0.0.1"
    assert set(events) == {week_uid, deadline_uid}
    for event in events.values():
        assert event.get("DTSTAMP") is not None
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    session = events[week_uid]
    assert session.decoded("DTSTART") == week.starts_at
    assert session["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert session.decoded("DTEND") - session.decoded("DTSTART") == ical.WEEK_LENGTH
    summary = str(session["SUMMARY"])
    assert "Spurious Rewards" in summary and "Absolute Zero" in summary
    assert summary.startswith("★")  # the reader has roles that week
    description = str(session["DESCRIPTION"])
    assert "조재현" in description  # the presenter
    assert "Someone Else" in description
    due = events[deadline_uid]
    assert due.decoded("DTSTART") == week.review_deadline
    assert "Spurious Rewards" in str(due["SUMMARY"])
    assert str(due["TRANSP"]) == "TRANSPARENT"


def test_group_feed_has_the_weeks_and_nobodys_deadlines(client, reader, week):
    calendar = _parse(client.get(reverse("group_calendar", args=[reader.calendar_token])))
    events = _events(calendar)
    assert list(events) == [f"week-{week.pk}@127.0.0.1"]
    assert not str(events[f"week-{week.pk}@127.0.0.1"]["SUMMARY"]).startswith("★")


def test_uids_stay_the_same_across_fetches_and_new_tokens(client, reader, week):
    first = set(
        _events(_parse(client.get(reverse("member_calendar", args=[reader.calendar_token]))))
    )
    token = ical.regenerate_calendar_token(member=reader)
    second = set(_events(_parse(client.get(reverse("member_calendar", args=[token])))))
    assert first == second


def test_feeds_need_a_live_token(client, reader, week):
    old = reader.calendar_token
    ical.regenerate_calendar_token(member=reader)
    assert client.get(reverse("member_calendar", args=[old])).status_code == 404
    assert client.get(reverse("group_calendar", args=[old])).status_code == 404
    token = reader.calendar_token
    reader.is_active = False
    reader.save()
    assert client.get(reverse("member_calendar", args=[token])).status_code == 404
    ical.revoke_calendar_token(member=reader)
    assert client.get(reverse("group_calendar", args=["nothing"])).status_code == 404


def test_old_weeks_drop_out_of_the_feed(client, reader, week):
    old_start = timezone.now() - ical.FEED_HISTORY - timedelta(days=1)
    old = WeekFactory(starts_at=old_start, review_deadline=old_start - timedelta(hours=1))
    calendar = _parse(client.get(reverse("member_calendar", args=[reader.calendar_token])))
    assert f"week-{old.pk}@127.0.0.1" not in _events(calendar)
    assert f"week-{week.pk}@127.0.0.1" in _events(calendar)


def test_feed_queries_do_not_grow_with_weeks(client, reader, week, django_assert_num_queries):
    url = reverse("member_calendar", args=[reader.calendar_token])
    # The data version, the token's member (found, then loaded to build the feed), then the
    # weeks with topics and slots (three).
    with django_assert_num_queries(6) as few:
        client.get(url)
    for days in (20, 30):
        starts = timezone.now() + timedelta(days=days)
        more = WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=2))
        ReviewerSlotFactory(topic=TopicFactory(week=more), reviewer=reader)
    with django_assert_num_queries(len(few.captured_queries)):
        events = _events(Calendar.from_ical(client.get(url).content))
    assert len(events) == 6
