"""Participation: counts per member, arrival buckets, the SVG chart, and who sees what."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from seminar.reports import stats
from seminar.reports.stats import Bucket
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SVG = "{http://www.w3.org/2000/svg}"


def week(term, days_from_now: int):
    starts = timezone.now() + timedelta(days=days_from_now)
    return WeekFactory(term=term, starts_at=starts, review_deadline=starts - timedelta(hours=20))


def submitted(slot, *, after_deadline: timedelta, late: bool | None = None):
    deadline = slot.topic.week.review_deadline
    return ReviewFactory(
        slot=slot,
        author=slot.reviewer,
        status="submitted",
        submitted_at=deadline + after_deadline,
        is_late=after_deadline > timedelta(0) if late is None else late,
    )


@pytest.fixture
def record(member, other_member):
    """This term: `member` presented once (and will again), reviewed on time and late, and
    missed one; `other_member` reviewed once. An older term: `member` reviewed once."""
    old = TermFactory(name="old", starts_on=date(2020, 1, 1))
    term = TermFactory(name="now", starts_on=timezone.localdate() - timedelta(days=100))
    past = week(term, -14)
    TopicFactory(week=past, presenter=member)
    TopicFactory(week=week(term, 7), presenter=member)  # not given yet
    topic = TopicFactory(week=past, presenter=other_member)
    submitted(ReviewerSlotFactory(topic=topic, reviewer=member), after_deadline=-timedelta(days=2))
    other = TopicFactory(week=week(term, -7), presenter=None)
    submitted(ReviewerSlotFactory(topic=other, reviewer=member), after_deadline=timedelta(hours=3))
    submitted(
        ReviewerSlotFactory(topic=other, reviewer=other_member), after_deadline=-timedelta(hours=1)
    )
    ReviewerSlotFactory(topic=TopicFactory(week=past, presenter=None), reviewer=member)  # missing
    ReviewerSlotFactory(topic=TopicFactory(week=week(term, 14), presenter=None), reviewer=member)
    archived = TopicFactory(week=week(old, -1000), presenter=None)
    submitted(
        ReviewerSlotFactory(topic=archived, reviewer=member), after_deadline=timedelta(days=3)
    )
    return term


def test_participation_counts_this_term_and_overall(record, member, other_member):
    table = stats.participation_table(term=record)
    lines = {line.member.pk: line for line in table.lines}
    mine = lines[member.pk]
    assert (mine.term.presentations, mine.term.reviews, mine.term.on_time, mine.term.late) == (
        1,
        2,
        1,
        1,
    )
    assert mine.term.missing == 1
    assert (mine.overall.reviews, mine.overall.late) == (3, 2)
    theirs = lines[other_member.pk]
    assert (theirs.term.presentations, theirs.term.reviews, theirs.term.on_time) == (1, 1, 1)
    assert table.term_total.reviews == 3
    assert table.overall_total.reviews == 4
    assert table.term_total.presentations == 2


def test_inactive_members_appear_only_with_a_record(record):
    silent = UserFactory(is_active=False)
    table = stats.participation_table(term=record)
    assert silent.pk not in {line.member.pk for line in table.lines}


@pytest.mark.parametrize(
    ("offset", "index"),
    [
        (-timedelta(days=4), 0),
        (-timedelta(hours=72), 1),
        (-timedelta(hours=24), 2),
        (-timedelta(hours=6), 3),
        (timedelta(0), 3),
        (timedelta(seconds=1), 4),
        (timedelta(hours=24), 4),
        (timedelta(hours=25), 5),
    ],
)
def test_bucket_boundaries(offset, index):
    assert stats.bucket_index(offset) == index


def test_arrival_buckets_count_the_group_and_the_viewer(record, member):
    buckets = stats.arrival_buckets(term=record, viewer=member)
    assert [b.group for b in buckets] == [0, 1, 0, 1, 1, 0]
    assert [b.mine for b in buckets] == [0, 1, 0, 0, 1, 0]
    overall = stats.arrival_buckets(term=None, viewer=member)
    assert overall[5].group == 1  # the old term's review, three days late


def test_chart_is_valid_svg_with_one_bar_per_bucket_and_escaped_text():
    buckets = [
        Bucket(label="<early>", late=False, group=4, mine=1),
        Bucket(label="late & later", late=True, group=2, mine=0),
    ]
    svg = stats.arrival_chart_svg(buckets, title="A <b> title", mine_label="you")
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "A <b> title"
    rows = root.findall(f"{SVG}g")
    assert [(r.get("data-group"), r.get("data-mine")) for r in rows] == [("4", "1"), ("2", "0")]
    widths = [float(r.find(f"{SVG}rect").get("width")) for r in rows]
    assert widths[0] == 2 * widths[1] > 0
    assert [r.find(f"{SVG}text").text for r in rows] == ["<early>", "late & later"]
    assert "chart-late" in rows[1].get("class")


def test_organizers_see_every_member(organizer_client, record, member, other_member):
    html = organizer_client.get(reverse("stats")).content.decode()
    for person in (member, other_member):
        assert f'data-member="{person.pk}"' in html
        assert person.display_name in html
    assert "<svg" in html


def test_a_member_sees_the_totals_and_their_own_line_only(
    member_client, record, member, other_member
):
    response = member_client.get(reverse("stats"))
    html = response.content.decode()
    assert f'data-member="{member.pk}"' in html
    assert f'data-member="{other_member.pk}"' not in html
    assert other_member.display_name not in html
    assert html.count("data-totals") == 2  # this term and overall
    assert [
        len(rows) for rows in (response.context["term_rows"], response.context["overall_rows"])
    ] == [1, 1]
    totals = response.context["table"].term_total
    assert totals.reviews == 3


def test_the_term_can_be_chosen(member_client, record, member):
    old = record.__class__.objects.get(name="old")
    response = member_client.get(reverse("stats"), {"term": old.pk})
    assert response.context["term"] == old
    [(who, counts)] = response.context["term_rows"]
    assert (who, counts.reviews, counts.late) == (member, 1, 1)


def test_stats_queries_do_not_grow_with_members(member_client, record, django_assert_num_queries):
    member_client.get(reverse("stats"))
    cache.clear()  # the page is cached: count its uncached path, the one that could grow
    with django_assert_num_queries(11) as few:
        member_client.get(reverse("stats"))
    for _ in range(5):
        reviewer = UserFactory()
        topic = TopicFactory(week=week(record, -3), presenter=UserFactory())
        submitted(ReviewerSlotFactory(topic=topic, reviewer=reviewer), after_deadline=-timedelta(1))
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        member_client.get(reverse("stats"))
