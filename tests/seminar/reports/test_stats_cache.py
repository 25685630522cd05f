"""The stats page's cache: a write or the clock passing a deadline shows at once, the
queries do not grow with the data, and each member sees their own line only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews.models import Review
from tests.conftest import FIXED_INSTANT
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

STATS = "/stats/"


@pytest.fixture
def clock():
    with time_machine.travel(FIXED_INSTANT, tick=False) as traveller:
        yield traveller


def _week(term, days: int):
    starts = FIXED_INSTANT + timedelta(days=days)
    return WeekFactory(term=term, starts_at=starts, review_deadline=starts - timedelta(hours=20))


def _world(term, members, weeks: int):
    """`weeks` past weeks, each with a talk and a submitted review per member."""
    for n in range(weeks):
        week = _week(term, -7 * (n + 1))
        topic = TopicFactory(week=week, presenter=members[n % len(members)])
        for member in members:
            if member.pk == topic.presenter_id:
                continue
            slot = ReviewerSlotFactory(topic=topic, reviewer=member)
            ReviewFactory(
                slot=slot,
                author=member,
                status="submitted",
                submitted_at=week.review_deadline - timedelta(hours=2),
            )


def _totals(html: str, scope: str) -> list[str]:
    table = html[html.index(f'data-scope="{scope}"') :]
    row = table[table.index("data-totals") : table.index("</tr>", table.index("data-totals"))]
    return re.findall(r'<td class="num">(\d+)</td>', row)


def _mine(html: str) -> list[str]:
    row = html[html.index('class="stats-me"') :]
    return re.findall(r'<td class="num">(\d+)</td>', row[: row.index("</tr>")])


def test_a_write_shows_on_the_next_view(clock, member_client, member, other_member):
    term = TermFactory(starts_on=(FIXED_INSTANT - timedelta(days=100)).date())
    _world(term, [member, other_member], 2)
    before = member_client.get(STATS).content.decode()
    assert _totals(before, "overall")[1] == "2"  # reviews
    Review.objects.filter(author=member).update(is_late=True)
    after = member_client.get(STATS).content.decode()
    assert _totals(after, "overall")[3] == "1"  # late
    assert _mine(after)[3] == "1"


def test_a_deadline_passing_shows_without_any_write(clock, member_client, member):
    term = TermFactory(starts_on=(FIXED_INSTANT - timedelta(days=100)).date())
    coming = _week(term, 2)  # its deadline is in 28 hours
    ReviewerSlotFactory(topic=TopicFactory(week=coming), reviewer=member)
    assert _mine(member_client.get(STATS).content.decode())[4] == "0"  # missing
    clock.shift(timedelta(hours=29))
    assert _mine(member_client.get(STATS).content.decode())[4] == "1"
    clock.shift(timedelta(days=1))  # and the week begins: its talk counts
    html = member_client.get(STATS).content.decode()
    assert _totals(html, "overall")[0] == "1"


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(STATS).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_data(clock, member_client, member, other_member):
    term = TermFactory(starts_on=(FIXED_INSTANT - timedelta(days=400)).date())
    _world(term, [member, other_member], 2)
    cache.clear()
    cold, warm = _queries(member_client), _queries(member_client)
    _world(term, [member, other_member], 6)
    cache.clear()
    assert (_queries(member_client), _queries(member_client)) == (cold, warm)
    assert warm < cold


def _client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_viewer_sees_their_own_line(clock, member, other_member, organizer):
    term = TermFactory(starts_on=(FIXED_INSTANT - timedelta(days=100)).date())
    _world(term, [member, other_member], 2)
    first = _client_of(member)
    mine = first.get(STATS).content.decode()
    theirs = _client_of(other_member).get(STATS).content.decode()
    everyone = _client_of(organizer).get(STATS).content.decode()
    me, them = f'data-member="{member.pk}"', f'data-member="{other_member.pk}"'
    assert me in mine and them not in mine
    assert them in theirs and me not in theirs
    assert member.display_name not in theirs
    assert member.display_name in everyone and other_member.display_name in everyone
    # And the member's page, cached first, still shows them alone afterwards.
    assert them not in first.get(STATS).content.decode()
