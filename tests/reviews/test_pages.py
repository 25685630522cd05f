"""The member's pages built on reviews: the dashboard, the week archive and week page, and the
week's markdown download."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reviews import pages, services
from reviews.weekpage import ReviewSection
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.reviews._html import active_content

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

ONE = [ReviewSection("리뷰", "본문")]


def _my_slot_rows(response) -> dict[str, str]:
    return {item.slot.topic.title: item.state for item in response.context["dashboard"].my_slots}


def test_dashboard_shows_my_slots_with_their_state_and_time_left(member_client, member):
    week = WeekFactory()
    not_started = ReviewerSlotFactory(topic__week=week, topic__title="A", reviewer=member)
    draft = ReviewerSlotFactory(topic__week=week, topic__title="B", reviewer=member)
    submitted = ReviewerSlotFactory(topic__week=week, topic__title="C", reviewer=member)
    services.save_draft(slot=draft, sections=ONE, actor=member)
    services.submit_review(slot=submitted, sections=ONE, actor=member)
    response = member_client.get("/")
    assert _my_slot_rows(response) == {"A": "not_started", "B": "draft", "C": "submitted"}
    html = response.content.decode()
    assert reverse("review_edit", args=[not_started.pk]) in html
    assert "Not started" in html and "Draft" in html and "Submitted" in html
    assert " left" in html  # time to the deadline
    assert reverse("slot_release", args=[draft.pk]) in html
    assert reverse("slot_release", args=[submitted.pk]) not in html


def test_dashboard_marks_missing_and_late_reviews_late(member_client, member):
    week = WeekFactory()
    ReviewerSlotFactory(topic__week=week, topic__title="missing", reviewer=member)
    late = ReviewerSlotFactory(topic__week=week, topic__title="late", reviewer=member)
    after = week.review_deadline + timedelta(hours=1)
    services.submit_review(slot=late, sections=ONE, actor=member, now=after)
    with time_machine.travel(after):
        response = member_client.get("/")
    assert _my_slot_rows(response) == {"missing": "late", "late": "late"}
    assert "deadline passed" in response.content.decode()


def test_dashboard_offers_open_slots_i_could_take_one_per_topic(member_client, member):
    # The member presents in this week: a week that only warns still offers its slots
    # (one that refuses does not: tests/seminar/scheduling/test_conflicts.py).
    week = WeekFactory(same_week_policy="warn")
    two_open = TopicFactory(week=week, title="two open")
    first = ReviewerSlotFactory(topic=two_open, number=1)
    ReviewerSlotFactory(topic=two_open, number=2)
    ReviewerSlotFactory(topic__week=week, topic__title="mine to present", topic__presenter=member)
    reviewing = TopicFactory(week=week, title="already reviewing")
    ReviewerSlotFactory(topic=reviewing, number=1, reviewer=member)
    ReviewerSlotFactory(topic=reviewing, number=2)
    past = WeekFactory(starts_at=timezone.now() - timedelta(days=2))
    ReviewerSlotFactory(topic__week=past, topic__title="deadline gone")
    response = member_client.get("/")
    open_topics = response.context["dashboard"].open_topics
    assert [(o.topic.title, len(o.slots)) for o in open_topics] == [("two open", 2)]
    assert reverse("slot_claim", args=[first.pk]) in response.content.decode()


def test_dashboard_lists_my_coming_presentations(member_client, member):
    topic = TopicFactory(presenter=member, title="내 발표")
    TopicFactory(presenter=UserFactory(), title="남의 발표")
    response = member_client.get("/")
    assert response.context["dashboard"].my_presentations == [topic]


def _fill(week, member, n: int) -> None:
    for _ in range(n):
        mine = ReviewerSlotFactory(topic__week=week, reviewer=member)
        services.save_draft(slot=mine, sections=ONE, actor=member)
        ReviewerSlotFactory(topic__week=week)  # an open slot on another topic
        TopicFactory(week=week, presenter=member)
        review = ReviewFactory(
            slot__topic__week=week, status="submitted", submitted_at="2025-01-01T00:00:00Z"
        )
        ReviewSectionFactory(review=review, order=1)


def test_dashboard_queries_do_not_grow_with_content(
    member_client, member, django_assert_max_num_queries
):
    week = WeekFactory()
    _fill(week, member, 1)
    member_client.get("/")
    cache.clear()  # count the dashboard built, not the dashboard from the cache
    with django_assert_max_num_queries(30) as small:
        member_client.get("/")
    _fill(week, member, 3)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = member_client.get("/")
    assert len(response.context["dashboard"].my_slots) == 4


def test_week_list_shows_weeks_topics_and_counts_in_constant_queries(
    member_client, django_assert_max_num_queries
):
    week = WeekFactory(number=7)
    slot = ReviewerSlotFactory(topic__week=week, topic__title="첫 논문")
    ReviewerSlotFactory(topic=slot.topic)
    member_client.get("/weeks/")
    cache.clear()  # count the archive built, not the one from the cache (seminar.versions)
    with django_assert_max_num_queries(20) as small:
        html = member_client.get("/weeks/").content.decode()
    assert "첫 논문" in html
    assert "2 open slots" in html
    for _ in range(3):
        other = WeekFactory()
        review = ReviewFactory(
            slot__topic__week=other, status="submitted", submitted_at="2025-01-01T00:00:00Z"
        )
        ReviewerSlotFactory(topic=review.slot.topic)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = member_client.get("/weeks/").content.decode()
    # Coming weeks count what is in so far out of their slots (the archive, #13).
    assert html.count("1 of 2 reviews in") == 3


def test_week_page_offers_the_right_buttons(client, member, other_member):
    topic = TopicFactory(presenter=UserFactory())
    mine = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    free = ReviewerSlotFactory(topic=topic, number=2)
    url = topic.week.get_absolute_url()

    client.force_login(member)
    html = client.get(url).content.decode()
    assert reverse("review_edit", args=[mine.pk]) in html
    assert reverse("slot_release", args=[mine.pk]) in html
    assert reverse("slot_claim", args=[free.pk]) not in html  # one slot per topic

    client.force_login(other_member)
    html = client.get(url).content.decode()
    assert reverse("slot_claim", args=[free.pk]) in html
    assert reverse("review_edit", args=[mine.pk]) not in html
    assert reverse("slot_release", args=[mine.pk]) not in html

    client.force_login(topic.presenter)
    assert reverse("slot_claim", args=[free.pk]) not in client.get(url).content.decode()


def test_week_page_numbers_sections_like_the_groups_page(member_client):
    review = ReviewFactory(status="submitted", submitted_at="2025-01-01T00:00:00Z")
    ReviewSectionFactory(review=review, order=1, heading="", body="머리말")
    ReviewSectionFactory(review=review, order=2, heading="문제의식", body="a")
    ReviewSectionFactory(review=review, order=3, heading="리뷰", body="b")
    html = member_client.get(review.slot.topic.week.get_absolute_url()).content.decode()
    assert "1. 문제의식" in html
    assert "2. 리뷰" in html
    assert "머리말" in html


def test_week_export_downloads_the_groups_markdown(member_client, member):
    slot = ReviewerSlotFactory(reviewer=member, topic__order=1, number=1)
    services.submit_review(slot=slot, sections=ONE, actor=member)
    week = slot.topic.week
    response = member_client.get(reverse("week_export", args=[week.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="week-{week.number}.md"'
    text = response.content.decode()
    assert text == pages.export_week(week)
    assert text.startswith(f"# 📚 - {week.number}주차\n")
    assert f"- **리뷰어**: {member.name}\n\n1. 리뷰\n\n본문\n\n---" in text
    page = member_client.get(week.get_absolute_url()).content.decode()
    assert f'data-copy-url="{reverse("week_export", args=[week.pk])}"' in page


HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
    '<a href="javascript:alert(4)" onmouseover="alert(5)">y</a> <svg onload=alert(6)>'
)


@pytest.mark.parametrize("page", ["home", "week_list", "week_detail", "review_edit"])
def test_pages_with_hostile_text_carry_no_active_content(member_client, member, page):
    week = WeekFactory(place="<script>alert(7)</script>")
    topic = TopicFactory(week=week, title='<img src=x onerror="alert(8)">', presenter=member)
    submitted = ReviewerSlotFactory(topic=topic, number=1, reviewer=UserFactory(name="<b>x</b>"))
    services.submit_review(
        slot=submitted, sections=[ReviewSection("<i>h</i>", HOSTILE)], actor=submitted.reviewer
    )
    mine = ReviewerSlotFactory(topic__week=week, reviewer=member)
    services.save_draft(slot=mine, sections=[ReviewSection("초안", HOSTILE)], actor=member)
    url = {
        "home": "/",
        "week_list": "/weeks/",
        "week_detail": week.get_absolute_url(),
        "review_edit": reverse("review_edit", args=[mine.pk]),
    }[page]
    html = member_client.get(url).content.decode()
    assert active_content(html) == []
    if page in ("week_detail", "review_edit"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # visible as text
