"""The dashboard from the cache (#17): never stale after a write or past a deadline, a
constant number of queries, and each member's part their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.urls import reverse

from reviews import services
from reviews.weekpage import ReviewSection
from seminar.models import ReviewerSlot, Topic
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock", "empty_cache")]

ONE = [ReviewSection("리뷰", "본문")]


def _home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _world(week, member, n: int) -> None:
    """n of everything the dashboard lists: the member's slots (with drafts), open slots,
    their presentations, and others' submitted reviews."""
    for _ in range(n):
        mine = ReviewerSlotFactory(topic__week=week, reviewer=member)
        services.save_draft(slot=mine, sections=ONE, actor=member)
        ReviewerSlotFactory(topic__week=week)
        TopicFactory(week=week, presenter=member)
        review = ReviewFactory(
            slot__topic__week=week, status="submitted", submitted_at="2025-01-01T00:00:00Z"
        )
        ReviewSectionFactory(review=review, order=1)


def test_the_cached_dashboard_shows_a_write_made_just_before(member_client, member):
    slot = ReviewerSlotFactory(topic__title="Before the rename")
    assert "Before the rename" in _home(member_client)
    Topic.objects.filter(pk=slot.topic_id).update(title="After the rename")
    html = _home(member_client)
    assert "After the rename" in html and "Before the rename" not in html
    # Someone else takes the slot: it is no longer offered.
    assert f'data-claim="{slot.pk}"' in html
    ReviewerSlot.objects.filter(pk=slot.pk).update(reviewer=UserFactory())
    assert f'data-claim="{slot.pk}"' not in _home(member_client)


def test_starting_and_submitting_a_review_show_at_once(member_client, member):
    slot = ReviewerSlotFactory(reviewer=member)
    assert "Write</a>" in _home(member_client)
    services.save_draft(slot=slot, sections=ONE, actor=member)
    assert "Continue</a>" in _home(member_client)
    services.submit_review(slot=slot, sections=ONE, actor=member)
    html = _home(member_client)
    assert "Edit</a>" in html and "Continue</a>" not in html


def test_a_draft_saved_again_is_not_shown_from_the_cache_with_its_text(member_client, member):
    slot = ReviewerSlotFactory(reviewer=member)
    services.save_draft(slot=slot, sections=[ReviewSection("리뷰", "첫 초안 문장")], actor=member)
    html = _home(member_client)
    services.save_draft(slot=slot, sections=[ReviewSection("리뷰", "둘째 초안 문장")], actor=member)
    again = _home(member_client)
    # The dashboard never shows a draft's text, so the cached part cannot hold a stale one.
    assert "초안 문장" not in html + again


def test_a_deadline_passing_shows_without_any_write(member_client, fixed_clock):
    week = WeekFactory(
        starts_at=fixed_clock + timedelta(hours=20),
        review_deadline=fixed_clock + timedelta(minutes=2),
    )
    slot = ReviewerSlotFactory(topic__week=week)
    assert f'data-claim="{slot.pk}"' in _home(member_client)
    with time_machine.travel(fixed_clock + timedelta(minutes=3), tick=False):
        assert f'data-claim="{slot.pk}"' not in _home(member_client)


def test_dashboard_queries_are_constant_cold_and_two_warm(
    member_client, member, django_assert_num_queries, django_assert_max_num_queries
):
    week = WeekFactory()
    _world(week, member, 1)
    _home(member_client)
    cache.clear()
    with django_assert_max_num_queries(30) as cold:
        _home(member_client)
    with django_assert_num_queries(2):  # the member (session from its cache) and the version
        _home(member_client)
    _world(week, member, 3)
    _world(WeekFactory(), member, 3)
    cache.clear()
    with django_assert_num_queries(len(cold.captured_queries)):
        html = _home(member_client)
    assert html.count("data-my-slot=") == 7
    with django_assert_num_queries(2):
        _home(member_client)


def test_organizer_dashboard_queries_are_constant_cold_and_two_warm(
    organizer_client, organizer, django_assert_num_queries, django_assert_max_num_queries
):
    week = WeekFactory()
    _world(week, organizer, 1)
    _home(organizer_client)
    cache.clear()
    with django_assert_max_num_queries(40) as cold:
        html = _home(organizer_client)
    assert "data-attention" in html
    with django_assert_num_queries(2):
        _home(organizer_client)
    _world(week, organizer, 3)
    _world(WeekFactory(), organizer, 3)
    cache.clear()
    with django_assert_num_queries(len(cold.captured_queries)):
        _home(organizer_client)
    with django_assert_num_queries(2):
        _home(organizer_client)


def test_each_member_sees_only_their_own_part(client, member, other_member, organizer):
    week = WeekFactory()
    mine = ReviewerSlotFactory(topic__week=week, reviewer=member, topic__title="Member's topic")
    services.save_draft(slot=mine, sections=ONE, actor=member)
    talk = TopicFactory(week=week, presenter=member, title="Member's talk")
    open_slot = ReviewerSlotFactory(topic__week=week)

    client.force_login(organizer)
    assert "data-attention" in _home(client)  # the organizers' card is cached now
    client.force_login(member)
    html = _home(client)  # the member's part is cached now
    assert f'data-my-slot="{mine.pk}"' in html
    assert reverse("slot_release", args=[mine.pk]) in html
    assert f"swap_offer_presenter-{talk.pk}" in html
    assert "data-attention" not in html

    client.force_login(other_member)
    html = _home(client)
    assert f'data-my-slot="{mine.pk}"' not in html
    assert reverse("slot_release", args=[mine.pk]) not in html
    assert f"swap_offer_presenter-{talk.pk}" not in html
    assert "data-attention" not in html
    assert f"Hello, {other_member.display_name}" in html
    assert f"Hello, {member.display_name}" not in html
    # What the member could not take (their own slot's topic) is open to the other member.
    assert f'data-claim="{open_slot.pk}"' in html

    client.force_login(organizer)
    html = _home(client)
    assert "data-attention" in html
    assert f'data-my-slot="{mine.pk}"' not in html


def test_each_visitor_gets_their_own_csrf_token_in_the_cached_part(client, member):
    ReviewerSlotFactory()
    client.force_login(member)
    first = _home(client)
    second = _home(client)
    assert "csrf0marker" not in first + second

    def tokens(html: str) -> set[str]:
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return {_unmask_cipher_token(t) for t in found}

    # Every form on the page carries this visitor's secret (one secret, however masked).
    assert len(tokens(second)) == 1
    assert tokens(second) == {client.cookies["csrftoken"].value}
