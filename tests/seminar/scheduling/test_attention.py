"""The organizer's "this week" card: `needs_attention` as a plain function at a given
instant, its query count, and the home page that shows it to organizers only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from papers.models import Digest
from reviews.models import Review
from seminar.models import SentReminder, Unavailability, Week
from seminar.scheduling import AttentionKind, needs_attention
from tests.factories import (
    DigestFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2027, 3, 3, 10, 0, tzinfo=SEOUL)  # a Wednesday morning
BOARD = "/schedule/"


def week_in(days: float, *, term=None, deadline_hours_before: float = 20) -> Week:
    starts = NOW.replace(hour=19) + timedelta(days=days)
    return WeekFactory(
        term=term or TermFactory(),
        starts_at=starts,
        review_deadline=starts - timedelta(hours=deadline_hours_before),
    )


def kinds(items) -> list[tuple[str, int | None]]:
    return [(item.kind, item.week.pk if item.week else None) for item in items]


def test_nothing_to_do_is_an_empty_list():
    week = week_in(7)
    topic = TopicFactory(week=week, presenter=UserFactory())
    ReviewerSlotFactory(topic=topic, reviewer=UserFactory())
    assert needs_attention(now=NOW) == []


def test_open_slots_and_topics_without_presenter_link_to_the_board_at_them():
    week = week_in(7)
    topic = TopicFactory(week=week, order=1, presenter=None, title="발표자 없는 논문")
    ReviewerSlotFactory(topic=topic, number=1, reviewer=UserFactory())
    first_open = ReviewerSlotFactory(topic=topic, number=2)
    ReviewerSlotFactory(topic=topic, number=3)
    items = needs_attention(now=NOW)
    assert kinds(items) == [
        (AttentionKind.NO_PRESENTER, week.pk),
        (AttentionKind.OPEN_SLOTS, week.pk),
    ]
    assert items[0].url == f"{BOARD}#topic-{topic.pk}"
    assert items[1].url == f"{BOARD}#slot-{first_open.pk}"
    assert "2 open reviewer slots" in items[1].message


def test_only_the_next_two_meetings_of_open_terms_are_looked_at():
    first, second, third = week_in(1), week_in(8), week_in(15)
    closed = TermFactory(closed_at=NOW - timedelta(days=1))
    hidden = week_in(2, term=closed)
    for week in (first, second, third, hidden):
        TopicFactory(week=week, presenter=None)
    assert kinds(needs_attention(now=NOW)) == [
        (AttentionKind.NO_PRESENTER, first.pk),
        (AttentionKind.NO_PRESENTER, second.pk),
    ]
    assert len(needs_attention(now=NOW, meetings=3)) == 3


def test_reviews_missing_near_the_deadline_name_the_reviewers():
    near = week_in(1, deadline_hours_before=20)  # due tomorrow 23:00: within 48 hours
    far = week_in(8)
    late, drafting, done = UserFactory(name="가영"), UserFactory(name="나영"), UserFactory()
    for week in (near, far):
        topic = TopicFactory(week=week, presenter=UserFactory())
        ReviewerSlotFactory(topic=topic, number=1, reviewer=late)
        ReviewFactory(slot=ReviewerSlotFactory(topic=topic, number=2, reviewer=drafting))
        ReviewFactory(
            slot=ReviewerSlotFactory(topic=topic, number=3, reviewer=done),
            status=Review.Status.SUBMITTED,
            submitted_at=NOW,
        )
    items = needs_attention(now=NOW)
    assert kinds(items) == [(AttentionKind.REVIEWS_MISSING, near.pk)]
    assert items[0].urgent
    assert "2 reviews are not in yet" in items[0].message
    assert "가영, 나영" in items[0].message
    assert items[0].url == f"{BOARD}#week-{near.pk}"


def test_overdue_reviews_of_last_week_link_to_its_page_and_older_weeks_are_left_alone():
    recent, old = week_in(-3), week_in(-10)
    for week in (recent, old):
        topic = TopicFactory(week=week, presenter=None)  # past: no presenter is no longer news
        ReviewerSlotFactory(topic=topic, number=1, reviewer=UserFactory())
        ReviewerSlotFactory(topic=topic, number=2)
    items = needs_attention(now=NOW)
    assert kinds(items) == [(AttentionKind.REVIEWS_MISSING, recent.pk)]
    assert "past their deadline" in items[0].message or "past its deadline" in items[0].message
    assert items[0].url == recent.get_absolute_url()


def test_conflicts_come_from_the_boards_rules():
    week = week_in(7)
    member = UserFactory()
    topic = TopicFactory(week=week, presenter=member)
    ReviewerSlotFactory(topic=topic, reviewer=member)
    away = UserFactory()
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=UserFactory()), reviewer=away)
    Unavailability.objects.create(member=away, date=week.starts_at.astimezone(SEOUL).date())
    items = [i for i in needs_attention(now=NOW) if i.kind == AttentionKind.CONFLICT]
    urls = sorted(i.url for i in items)
    assert len(items) == 3  # own topic, two roles (the same member), unavailable
    assert f"{BOARD}#topic-{topic.pk}" in urls
    assert f"{BOARD}#week-{week.pk}" in urls
    assert any(i.urgent for i in items)


def test_failed_and_held_emails_link_to_the_reminders_page():
    someone = UserFactory()

    def reminder(status, *, created, send_after=NOW, key):
        SentReminder.objects.create(
            recipient=someone,
            kind=SentReminder.Kind.REVIEWER_DEADLINE,
            key=key,
            status=status,
            send_after=send_after,
            created_at=created,
        )

    reminder(SentReminder.Status.FAILED, created=NOW - timedelta(hours=2), key="a")
    reminder(SentReminder.Status.GAVE_UP, created=NOW - timedelta(days=3), key="b")
    reminder(SentReminder.Status.GAVE_UP, created=NOW - timedelta(days=20), key="c")  # old news
    reminder(SentReminder.Status.SENT, created=NOW, key="d")
    reminder(
        SentReminder.Status.QUEUED,
        created=NOW,
        send_after=NOW.replace(hour=8) + timedelta(days=1),
        key="e",
    )
    reminder(SentReminder.Status.QUEUED, created=NOW, send_after=NOW, key="f")  # due: not held
    items = needs_attention(now=NOW)
    assert [i.kind for i in items] == [AttentionKind.EMAILS_FAILED, AttentionKind.EMAILS_HELD]
    assert items[0].message.startswith("2 reminder emails failed")
    assert "held until 03-04 08:00" in items[1].message
    assert {i.url for i in items} == {reverse("reminder_status")}


def test_imports_with_errors_of_the_last_two_weeks_link_to_their_page():
    failed = DigestFactory(status=Digest.Status.FAILED, origin="bad.md")
    Digest.objects.filter(pk=failed.pk).update(created_at=NOW - timedelta(days=1))
    partial = DigestFactory(status=Digest.Status.PARTIAL, origin="half.md", papers_failed=3)
    Digest.objects.filter(pk=partial.pk).update(created_at=NOW - timedelta(days=2))
    old = DigestFactory(status=Digest.Status.FAILED, origin="old.md")
    Digest.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=20))
    DigestFactory(status=Digest.Status.DONE)
    items = needs_attention(now=NOW)
    assert [(i.kind, i.url) for i in items] == [
        (AttentionKind.IMPORT_ERRORS, failed.get_absolute_url()),
        (AttentionKind.IMPORT_ERRORS, partial.get_absolute_url()),
    ]
    assert "bad.md failed" in items[0].message
    assert "half.md finished with 3 failed papers" in items[1].message


def _busy_week(days: int, term) -> None:
    week = week_in(days, term=term, deadline_hours_before=20)
    member = UserFactory()
    for order in (1, 2):
        topic = TopicFactory(week=week, order=order, presenter=None if order == 1 else member)
        ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
        ReviewerSlotFactory(topic=topic, number=2)
        ReviewFactory(slot=ReviewerSlotFactory(topic=topic, number=3, reviewer=UserFactory()))
    Unavailability.objects.create(member=member, date=week.starts_at.astimezone(SEOUL).date())
    SentReminder.objects.create(
        recipient=member,
        kind=SentReminder.Kind.ASSIGNMENT,
        key=f"change:{week.pk}",
        status=SentReminder.Status.FAILED,
        send_after=NOW,
        created_at=NOW,
    )
    digest = DigestFactory(status=Digest.Status.PARTIAL, papers_failed=1)
    Digest.objects.filter(pk=digest.pk).update(created_at=NOW - timedelta(days=1))


def test_the_card_costs_seven_queries_whatever_the_weeks_hold(django_assert_num_queries):
    term = TermFactory()
    _busy_week(1, term)
    _busy_week(-2, term)
    with django_assert_num_queries(7):
        small = needs_attention(now=NOW)
    _busy_week(8, term)
    _busy_week(-4, term)
    _busy_week(15, term)
    with django_assert_num_queries(7):
        large = needs_attention(now=NOW)
    assert len(large) > len(small)


@pytest.mark.usefixtures("fixed_clock")
def test_organizers_see_the_card_on_their_home_and_members_do_not(client, organizer, member):
    week = week_in(7)
    open_slot = ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=member), number=1)
    client.force_login(organizer)
    html = client.get(reverse("home")).content.decode()
    assert "data-attention" in html
    assert f'href="{BOARD}#slot-{open_slot.pk}"' in html
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert "data-attention" not in html
    assert f"#slot-{open_slot.pk}" not in html
