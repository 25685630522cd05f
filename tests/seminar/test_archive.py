"""The weeks archive reads like a calendar: coming weeks first, soonest first (the next one
marked), then past weeks newest first, in runs of one term; counts only where they mean
something; a constant number of queries."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from seminar import selectors
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")


def week_in(days: int, term, number: int, hour: int = 19):
    day = timezone.localdate() + timedelta(days=days)
    starts = datetime.combine(day, time(hour), tzinfo=SEOUL)
    return WeekFactory(
        term=term, number=number, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )


def archive_order(html: str) -> list[tuple[str, int]]:
    found = re.findall(
        r'data-archive-term="(\d+)"|<li class="card week-card[^"]*" data-week="(\d+)"', html
    )
    return [("term", int(t)) if t else ("week", int(w)) for t, w in found]


@pytest.fixture
def calendar():
    """Two terms: the last one (closed), the current one with past and coming weeks."""
    autumn = TermFactory(name="2026 가을", closed_at=timezone.now() - timedelta(days=40))
    spring = TermFactory(name="2027 봄")
    weeks = {
        "autumn 1": week_in(-35, autumn, 1),
        "autumn 2": week_in(-28, autumn, 2),
        "spring 1": week_in(-7, spring, 1),
        "spring 2": week_in(7, spring, 2),
        "spring 3": week_in(14, spring, 3),
        "spring 4": week_in(21, spring, 4),
    }
    return autumn, spring, weeks


def test_coming_weeks_lead_soonest_first_then_past_weeks_newest_first_by_term(
    member_client, calendar
):
    autumn, spring, w = calendar
    html = member_client.get(reverse("week_list")).content.decode()
    assert archive_order(html) == [
        ("term", spring.pk),
        ("week", w["spring 2"].pk),
        ("week", w["spring 3"].pk),
        ("week", w["spring 4"].pk),
        ("term", spring.pk),
        ("week", w["spring 1"].pk),
        ("term", autumn.pk),
        ("week", w["autumn 2"].pk),
        ("week", w["autumn 1"].pk),
    ]
    assert html.index('id="archive-coming"') < html.index('id="archive-past"')


def test_the_next_meeting_is_marked_and_only_it(member_client, calendar):
    _autumn, _spring, w = calendar
    html = member_client.get(reverse("week_list")).content.decode()
    marked = re.findall(r'data-week="(\d+)" aria-current="date"', html)
    assert marked == [str(w["spring 2"].pk)]
    assert html.count("data-next-week") == 1


def test_a_week_on_today_is_still_coming_and_next(member_client):
    term = TermFactory()
    past = week_in(-7, term, 1)
    today = week_in(0, term, 2, hour=0)  # started at midnight: the group still meets today
    groups = selectors.group_archive_weeks(selectors.weeks_for_archive())
    assert [(g.coming, [x.pk for x in g.weeks]) for g in groups] == [
        (True, [today.pk]),
        (False, [past.pk]),
    ]
    assert groups[0].weeks[0].is_next


def test_a_later_page_marks_no_week_as_next():
    term = TermFactory()
    week_in(7, term, 1)
    groups = selectors.group_archive_weeks(selectors.weeks_for_archive(), first_page=False)
    assert not groups[0].weeks[0].is_next


def test_counts_only_where_they_mean_something_and_the_empty_state_outside_the_list(
    member_client,
):
    term = TermFactory()
    empty = week_in(7, term, 3)
    no_slots = week_in(14, term, 4)
    TopicFactory(week=no_slots, title="슬롯 없는 주제")
    coming = week_in(21, term, 5)
    topic = TopicFactory(week=coming)
    ReviewerSlotFactory(topic=topic, number=1)
    ReviewerSlotFactory(topic=topic, number=2)
    past = week_in(-7, term, 2)
    old_topic = TopicFactory(week=past)
    ReviewerSlotFactory(topic=old_topic, number=1)
    ReviewFactory(
        slot=ReviewerSlotFactory(topic=old_topic, number=2),
        status=Review.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=8),
    )
    html = member_client.get(reverse("week_list")).content.decode()

    def card(week) -> str:
        return (
            html.split(f'data-week="{week.pk}"')[1]
            .split("</li>\n  \n")[0]
            .split('<li class="card week-card')[0]
        )

    assert "data-no-topics" in card(empty)
    assert "week-card-topics" not in card(empty)  # not "1. No topics scheduled yet."
    assert "review" not in card(empty)
    assert "review" not in card(no_slots) and "슬롯 없는 주제" in card(no_slots)
    assert "2 open slots" in card(coming) and "reviews in" not in card(coming)
    assert "1 of 2 reviews in" in card(past)
    assert "open slot" not in card(past)


def test_the_archive_costs_the_same_queries_for_one_term_or_three(
    member_client, django_assert_num_queries
):
    def term_with_weeks(offset: int) -> None:
        term = TermFactory()
        for n in range(3):
            week = week_in(offset + 7 * n, term, n + 1)
            topic = TopicFactory(week=week)
            ReviewerSlotFactory(topic=topic, number=1)

    term_with_weeks(-70)
    member_client.get(reverse("week_list"))
    cache.clear()  # the uncached page is what must not grow (a cached one is a lookup)
    with django_assert_num_queries(20, exact=False) as one:
        member_client.get(reverse("week_list"))
    term_with_weeks(-35)
    term_with_weeks(7)
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        html = member_client.get(reverse("week_list")).content.decode()
    assert len(re.findall(r"data-archive-term=", html)) == 3


def test_page_two_holds_the_older_past_weeks(member_client):
    term = TermFactory()
    weeks = [week_in(-7 * n, term, 30 - n) for n in range(1, 26)]  # 25 past weeks
    html = member_client.get(reverse("week_list") + "?page=2").content.decode()
    shown = [
        int(pk) for pk in re.findall(r'<li class="card week-card[^"]*" data-week="(\d+)"', html)
    ]
    assert shown == [w.pk for w in weeks[20:]]
    assert 'aria-current="date"' not in html
