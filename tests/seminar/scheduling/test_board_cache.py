"""The organizers' board from the cache (seminar.versions): the same for every organizer
until the data changes, with each response's own CSRF and one-time form tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from seminar.models import Topic
from seminar.services import make_organizer
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_week(fixed_clock):
    cache.clear()
    starts = FIXED_INSTANT + timedelta(days=6, hours=9)
    week = WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Cached topic")
    ReviewerSlotFactory(topic=topic, number=1)
    return week


def _organizer(*, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    organizer = UserFactory()
    make_organizer(organizer)
    client.force_login(organizer)
    return client


def test_the_board_shows_a_write_made_just_before(board_week):
    client = _organizer()
    assert "Cached topic" in client.get(reverse("schedule")).content.decode()
    Topic.objects.filter(week=board_week).update(title="Renamed with update()")
    html = client.get(reverse("schedule")).content.decode()
    assert "Renamed with update()" in html
    assert "Cached topic" not in html
    member = UserFactory(name="New Reviewer")
    slot = board_week.topics.get().slots.get()
    slot.reviewer = member
    slot.save()
    assert f'data-reviewer="{member.pk}"' in client.get(reverse("schedule")).content.decode()


def test_each_response_has_its_own_form_tokens_and_csrf_token(board_week):
    first, second = _organizer(), _organizer(enforce_csrf_checks=True)
    tokens = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    one = first.get(reverse("schedule")).content.decode()
    two = second.get(reverse("schedule")).content.decode()
    again = first.get(reverse("schedule")).content.decode()
    assert tokens.findall(one) and csrf.findall(one)
    assert not set(tokens.findall(one)) & set(tokens.findall(two))
    assert not set(tokens.findall(one)) & set(tokens.findall(again))
    assert len(set(tokens.findall(one))) == len(tokens.findall(one))  # one per form
    # Each organizer's forms post: the token belongs to their own CSRF cookie.
    page = reverse("schedule")
    topic = board_week.topics.get()
    response = second.post(
        reverse("schedule_set_slot_count", args=[topic.pk]),
        {"count": "2", "csrfmiddlewaretoken": csrf.findall(two)[0]},
        HTTP_REFERER=page,
    )
    assert response.status_code == 302
    assert topic.slots.count() == 2


def test_a_member_never_gets_the_cached_board(board_week, member_client):
    _organizer().get(reverse("schedule"))  # fills the cache
    assert member_client.get(reverse("schedule")).status_code == 403
