"""Calendar feeds and exports answer a repeated fetch with 304 Not Modified (ETag from the
data version), are built once per change, and answer 200 with the new data after a change."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from seminar import versions
from seminar.models import DataVersion, Topic, Week
from seminar.reports import calendar as ical
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TermFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(db, fixed_clock):
    cache.clear()
    user = UserFactory(name="Reader", language="en")
    ical.regenerate_calendar_token(member=user)
    starts = FIXED_INSTANT + timedelta(days=6, hours=9)
    week = WeekFactory(number=3, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards")
    ReviewerSlotFactory(topic=topic, number=1, reviewer=user)
    return user


def _summaries(response) -> list[str]:
    calendar = Calendar.from_ical(response.content)
    return sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))


@pytest.mark.parametrize("route", ["member_calendar", "group_calendar"])
def test_a_repeated_fetch_is_304_and_a_change_is_200_with_the_new_event(client, reader, route):
    url = reverse(route, args=[reader.calendar_token])
    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert first["Cache-Control"] == "private, max-age=900"

    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag

    # A new week, written with a plain update of another week's time to be sure any write counts.
    starts = FIXED_INSTANT + timedelta(days=13, hours=9)
    later = WeekFactory(number=4, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    TopicFactory(week=later, order=1, title="Absolute Zero")
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert any("Absolute Zero" in summary for summary in _summaries(changed))

    Topic.objects.filter(week=later).update(title="Renamed by update()")
    renamed = client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert renamed.status_code == 200
    assert any("Renamed by update()" in summary for summary in _summaries(renamed))


def test_the_feed_is_built_once_per_change(client, reader, django_assert_num_queries):
    url = reverse("member_calendar", args=[reader.calendar_token])
    client.get(url)
    # The data version alone: the token's member and the feed come from the cache.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    Week.objects.update(place="Room 301")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert b"Room 301" in response.content


def test_an_etag_is_per_member_and_per_day(client, reader):
    other = UserFactory(name="Other", language="en")
    ical.regenerate_calendar_token(member=other)
    mine = client.get(reverse("member_calendar", args=[reader.calendar_token]))["ETag"]
    theirs = client.get(reverse("member_calendar", args=[other.calendar_token]))["ETag"]
    assert mine != theirs
    # The feed's window of weeks moves with the date: tomorrow's feed is another one.
    with time_machine.travel(FIXED_INSTANT + timedelta(days=1), tick=False):
        tomorrow = client.get(reverse("member_calendar", args=[reader.calendar_token]))
    assert tomorrow["ETag"] != mine


def test_if_modified_since_alone_is_honoured_once_the_change_has_settled(client, reader):
    url = reverse("member_calendar", args=[reader.calendar_token])
    # The database stamps the change with its own clock; the app's clock is set around it.
    changed_at = versions.current().changed_at
    with time_machine.travel(changed_at + timedelta(seconds=1), tick=False):
        # Just after the change, its second may still see another write: no Last-Modified.
        assert "Last-Modified" not in client.get(url)
    with time_machine.travel(changed_at + timedelta(minutes=1), tick=False):
        first = client.get(url)
        stamp = first["Last-Modified"]
        assert parsedate_to_datetime(stamp) == changed_at.replace(microsecond=0)
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304
    Week.objects.update(place="Moved")
    assert versions.current().changed_at > changed_at  # the write's trigger has run
    # Stamped a minute later than the first change, as a write then would be.
    DataVersion.objects.update(changed_at=changed_at + timedelta(minutes=1))
    with time_machine.travel(changed_at + timedelta(minutes=2), tick=False):
        # Newer than the client's copy: a full answer.
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=stamp)
        assert again.status_code == 200
        assert b"Moved" in again.content


def test_a_revoked_token_gets_404_even_with_a_matching_etag(client, reader):
    url = reverse("member_calendar", args=[reader.calendar_token])
    tag = client.get(url)["ETag"]
    ical.revoke_calendar_token(member=reader)
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 404


@pytest.mark.parametrize("route", ["export_reviews_csv", "export_reviews_json", "export_archive"])
def test_exports_answer_304_until_a_change(reader, organizer_client, route):
    term = TermFactory()
    url = reverse(route) + f"?term={term.pk}"
    first = organizer_client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert organizer_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Topic.objects.update(title="Changed")
    assert organizer_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_member_with_an_organizers_etag_is_still_refused(reader, organizer_client, member):
    term = TermFactory()
    url = reverse("export_reviews_csv") + f"?term={term.pk}"
    tag = organizer_client.get(url)["ETag"]
    stranger = Client()
    stranger.force_login(member)
    assert stranger.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 403
    assert Client().get(url, HTTP_IF_NONE_MATCH=tag).status_code == 302
