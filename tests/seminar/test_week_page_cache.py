"""The week page and the archive from the cache (#17): never stale after a write or as time
passes, a constant number of queries, and each viewer's part their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import services as review_services
from reviews.weekpage import ReviewSection
from seminar.discussion import services as discussion_services
from seminar.models import ReviewerSlot, Topic, Week
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.support import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def _page(client, week) -> str:
    response = client.get(reverse("week_detail", args=[week.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _archive(client, query: str = "") -> str:
    response = client.get(reverse("week_list") + query)
    assert response.status_code == 200
    return response.content.decode()


def _coming_week(now, **fields) -> Week:
    return WeekFactory(
        starts_at=now + timedelta(days=5), review_deadline=now + timedelta(days=4), **fields
    )


def _submit(slot, text: str):
    return review_services.submit_review(
        slot=slot, sections=[ReviewSection("리뷰", text)], actor=slot.reviewer
    )


# --- a write shows at once ---------------------------------------------------------------------


def test_the_week_page_shows_a_write_made_just_before(fixed_clock, member):
    week = _coming_week(fixed_clock)
    topic = TopicFactory(week=week, title="Before the rename")
    slot = ReviewerSlotFactory(topic=topic, reviewer=UserFactory())
    client = signed_in(member)
    assert "Before the rename" in _page(client, week)
    Topic.objects.filter(pk=topic.pk).update(title="After the rename")
    html = _page(client, week)
    assert "After the rename" in html and "Before the rename" not in html
    # A review submitted, a comment posted, a slot opened: each shows on the next view.
    _submit(slot, "새로 제출한 리뷰")
    assert "새로 제출한 리뷰" in _page(client, week)
    discussion_services.post_comment(author=member, topic=topic, body="방금 쓴 댓글")
    assert "방금 쓴 댓글" in _page(client, week)
    open_slot = ReviewerSlotFactory(topic=topic, reviewer=None)
    assert f'data-claim="{open_slot.pk}"' in _page(client, week)
    ReviewerSlot.objects.filter(pk=open_slot.pk).update(reviewer=UserFactory())
    assert f'data-claim="{open_slot.pk}"' not in _page(client, week)


def test_a_week_removed_is_not_found_after_it_was_cached(fixed_clock, member):
    week = _coming_week(fixed_clock)
    client = signed_in(member)
    _page(client, week)
    Week.objects.filter(pk=week.pk).delete()
    assert client.get(reverse("week_detail", args=[week.pk])).status_code == 404


def test_the_archive_shows_a_write_made_just_before(fixed_clock, member):
    week = _coming_week(fixed_clock)
    topic = TopicFactory(week=week, title="Archived before")
    client = signed_in(member)
    assert "Archived before" in _archive(client)
    Topic.objects.filter(pk=topic.pk).update(title="Archived after")
    html = _archive(client)
    assert "Archived after" in html and "Archived before" not in html
    ReviewerSlotFactory(topic=topic, reviewer=None)
    assert "1 open slot" in _archive(client)


def test_the_archive_pages_are_cached_apart(fixed_clock, member):
    for n in range(25):
        WeekFactory(
            starts_at=fixed_clock - timedelta(days=7 * (n + 1)),
            review_deadline=fixed_clock - timedelta(days=7 * (n + 1) + 1),
        )
    client = signed_in(member)
    first, second = _archive(client), _archive(client, "?page=2")
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    # Junk reads as the paginator reads it: page 1, or the last page past the end.
    assert "Page 1 of 2" in _archive(client, "?page=junk")
    assert "Page 2 of 2" in _archive(client, "?page=9")
    assert "Page 2 of 2" in _archive(client, "?page=2")


# --- the viewer's own parts --------------------------------------------------------------------


def test_a_members_buttons_never_reach_another_member(fixed_clock):
    week = _coming_week(fixed_clock)
    topic = TopicFactory(week=week)
    alice, bob = UserFactory(name="앨리스"), UserFactory(name="밥")
    slot = ReviewerSlotFactory(topic=topic, reviewer=alice)
    release = reverse("slot_release", args=[slot.pk])
    write = f'data-edit="{slot.pk}"'
    # Both signed in first: a sign-in writes the user's row, a new data version.
    as_alice, as_bob = signed_in(alice), signed_in(bob)
    alice_html = _page(as_alice, week)
    assert release in alice_html and write in alice_html
    bob_html = _page(as_bob, week)
    assert release not in bob_html and write not in bob_html
    # And the other way round, Bob first.
    cache.clear()
    assert release not in _page(as_bob, week)
    assert release in _page(as_alice, week)


def test_organizer_controls_never_reach_a_member(fixed_clock, organizer, member):
    week = _coming_week(fixed_clock)
    TopicFactory(week=week)
    as_organizer, as_member = signed_in(organizer), signed_in(member)
    organizer_html = _page(as_organizer, week)
    assert "data-save-week" in organizer_html and "data-save-swap-rules" in organizer_html
    member_html = _page(as_member, week)
    for control in ("data-save-week", "data-remove-week", "data-save-swap-rules", "Edit materials"):
        assert control not in member_html


def test_reviews_hidden_until_submitted_stay_hidden_from_the_other_reviewer(fixed_clock):
    """The visibility rule (#15) depends on the viewer: a reader fills the cache with the
    review, the topic's other reviewer (not submitted yet) must still not read it."""
    week = _coming_week(fixed_clock, hide_reviews_until_submitted=True)
    topic = TopicFactory(week=week)
    first, second, reader = UserFactory(), UserFactory(), UserFactory()
    first_slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=first)
    second_slot = ReviewerSlotFactory(topic=topic, number=2, reviewer=second)
    _submit(first_slot, "첫 리뷰어의 글")
    as_reader, as_first, as_second = signed_in(reader), signed_in(first), signed_in(second)
    assert "첫 리뷰어의 글" in _page(as_reader, week)
    assert "첫 리뷰어의 글" in _page(as_first, week)
    hidden = _page(as_second, week)
    assert "첫 리뷰어의 글" not in hidden
    assert f'data-review-hidden="{first_slot.pk}"' in hidden
    # Once they submit their own, they read it.
    _submit(second_slot, "둘째 리뷰어의 글")
    assert "첫 리뷰어의 글" in _page(as_second, week)


def test_a_draft_is_its_authors_alone_and_never_stale(fixed_clock):
    """Autosave changes a draft's text without a new data version: its author's page shows
    the text of now, and nobody else ever sees it."""
    week = _coming_week(fixed_clock)
    author, other = UserFactory(), UserFactory()
    slot = ReviewerSlotFactory(topic=TopicFactory(week=week), reviewer=author)
    review_services.save_draft(slot=slot, sections=[ReviewSection("초안", "첫 초안")], actor=author)
    client, as_other = signed_in(author), signed_in(other)
    assert "첫 초안" in _page(client, week)
    review_services.save_draft(
        slot=slot, sections=[ReviewSection("초안", "고친 초안")], actor=author
    )
    html = _page(client, week)
    assert "고친 초안" in html and "첫 초안" not in html
    assert "초안" not in _page(as_other, week).split("week-toc")[1]


def test_each_visitor_gets_their_own_csrf_token(fixed_clock):
    week = _coming_week(fixed_clock)
    ReviewerSlotFactory(topic=TopicFactory(week=week), reviewer=None)
    tokens = []
    for client in [signed_in(UserFactory()), signed_in(UserFactory())]:
        html = _page(client, week)
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert found
        secret = client.cookies["csrftoken"].value
        assert {_unmask_cipher_token(token) for token in found} == {secret}
        tokens.append(secret)
    assert tokens[0] != tokens[1]


# --- time passing, with no write -----------------------------------------------------------


def test_the_deadline_passing_changes_the_page_without_a_write(fixed_clock, member):
    # Minutes apart, well within a cached fragment's life: only the key can tell them apart.
    week = _coming_week(fixed_clock)
    week.review_deadline = fixed_clock + timedelta(minutes=10)
    week.save()
    open_slot = ReviewerSlotFactory(topic=TopicFactory(week=week), reviewer=None)
    client = signed_in(member)
    with time_machine.travel(fixed_clock, tick=False):
        html = _page(client, week)
        assert f'data-claim="{open_slot.pk}"' in html and "10\xa0minutes left" in html
    with time_machine.travel(fixed_clock + timedelta(minutes=5), tick=False):
        html = _page(client, week)
        assert "5\xa0minutes left" in html and "10\xa0minutes left" not in html
    with time_machine.travel(week.review_deadline, tick=False):
        # At the deadline itself the rules still let one claim (<=) but no time is left.
        html = _page(client, week)
        assert f'data-claim="{open_slot.pk}"' in html
    with time_machine.travel(fixed_clock + timedelta(minutes=11), tick=False):
        html = _page(client, week)
        assert f'data-claim="{open_slot.pk}"' not in html
        assert "(passed)" in html and "left)" not in html


def test_the_hiding_rule_lifts_when_the_meeting_starts(fixed_clock):
    week = _coming_week(fixed_clock, hide_reviews_until_submitted=True)
    topic = TopicFactory(week=week)
    first, second = UserFactory(), UserFactory()
    _submit(ReviewerSlotFactory(topic=topic, number=1, reviewer=first), "첫 리뷰어의 글")
    ReviewerSlotFactory(topic=topic, number=2, reviewer=second)
    client = signed_in(second)
    with time_machine.travel(week.starts_at - timedelta(minutes=1), tick=False):
        assert "첫 리뷰어의 글" not in _page(client, week)
    with time_machine.travel(week.starts_at, tick=False):
        assert "첫 리뷰어의 글" in _page(client, week)


def test_the_archive_moves_a_week_to_the_past_when_the_day_changes(fixed_clock, member):
    today = WeekFactory(starts_at=fixed_clock, review_deadline=fixed_clock - timedelta(days=1))
    later = WeekFactory(
        starts_at=fixed_clock + timedelta(days=7), review_deadline=fixed_clock + timedelta(days=6)
    )
    client = signed_in(member)
    midnight = timezone.localtime(fixed_clock).replace(hour=0, minute=0) + timedelta(days=1)

    def next_meeting(html: str) -> str:
        return re.search(r'data-week="(\d+)" aria-current="date"', html)[1]

    # A minute apart, well within a cached fragment's life: only the key tells the days apart.
    with time_machine.travel(midnight - timedelta(minutes=1), tick=False):
        html = _archive(client)
        assert next_meeting(html) == str(today.pk)
        assert 'id="archive-past"' not in html
    with time_machine.travel(midnight, tick=False):
        html = _archive(client)
        assert next_meeting(html) == str(later.pk)
        past = html.split('id="archive-past"')[1]
        assert f'data-week="{today.pk}"' in past


# --- a constant number of queries ------------------------------------------------------------


def _grow(week, n: int) -> None:
    """n topics, each with a submitted review (sections, comments) and an open slot."""
    for _ in range(n):
        topic = TopicFactory(week=week)
        review = ReviewFactory(
            slot__topic=topic, status="submitted", submitted_at="2025-01-01T00:00:00Z"
        )
        ReviewSectionFactory(review=review, order=1)
        ReviewSectionFactory(review=review, order=2)
        ReviewerSlotFactory(topic=topic, reviewer=None)
        comment = discussion_services.post_comment(author=UserFactory(), topic=topic, body="댓글")
        discussion_services.post_comment(
            author=UserFactory(), topic=topic, body="답글", parent=comment
        )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _counts(client, url: str) -> tuple[int, int]:
    cache.clear()
    cold = _count(client, url)
    return cold, _count(client, url)


def test_the_week_page_costs_the_same_queries_for_more_content(fixed_clock, member):
    week = _coming_week(fixed_clock)
    _grow(week, 1)
    client = signed_in(member)
    url = reverse("week_detail", args=[week.pk])
    small = _counts(client, url)
    _grow(week, 3)
    assert _counts(client, url) == small
    assert small[1] < small[0]


def test_the_archive_costs_the_same_queries_for_more_weeks(fixed_clock, member):
    for n in range(2):
        _grow(_coming_week(fixed_clock + timedelta(days=7 * n)), 1)
    client = signed_in(member)
    small = _counts(client, reverse("week_list"))
    for n in range(6):
        _grow(_coming_week(fixed_clock - timedelta(days=7 * (n + 1))), 2)
    assert _counts(client, reverse("week_list")) == small
    assert small[1] < small[0]
