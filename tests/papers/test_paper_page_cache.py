"""The paper page from the cache (#17): never stale after a write or as time passes, a
constant number of queries, and each viewer's vote, marks and controls their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers import services, voting
from papers.models import CandidatePaper
from papers.voting import vote_week
from seminar.discussion import services as discussion_services
from tests.factories import (
    CandidatePaperFactory,
    PaperSummaryFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.support import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def _page(client, paper) -> str:
    response = client.get(reverse("paper_detail", args=[paper.arxiv_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_paper_page_shows_a_write_made_just_before(fixed_clock, member, other_member):
    paper = CandidatePaperFactory(title="Before the fix")
    client = signed_in(member)
    assert "Before the fix" in _page(client, paper)
    CandidatePaper.objects.filter(pk=paper.pk).update(title="After the fix")
    html = _page(client, paper)
    assert "After the fix" in html and "Before the fix" not in html
    voting.cast_vote(member=other_member, paper=paper)
    assert "data-vote-count>1<" in _page(client, paper)
    services.set_interest(paper=paper, member=other_member, kind="hear", marked=True)
    assert other_member.display_name in _page(client, paper)
    discussion_services.post_comment(author=other_member, paper=paper, body="읽어 봐요")
    assert "읽어 봐요" in _page(client, paper)


def test_a_paper_merged_away_is_not_found_after_it_was_cached(fixed_clock, member):
    paper = CandidatePaperFactory()
    client = signed_in(member)
    _page(client, paper)
    CandidatePaper.objects.filter(pk=paper.pk).delete()
    assert client.get(reverse("paper_detail", args=[paper.arxiv_id])).status_code == 404


def test_a_members_vote_and_marks_are_theirs_alone(fixed_clock, member, other_member):
    paper = CandidatePaperFactory()
    voting.cast_vote(member=member, paper=paper)
    services.set_interest(paper=paper, member=member, kind="present", marked=True)
    # Both signed in first: a sign-in writes the user's row, a new data version.
    as_member, as_other = signed_in(member), signed_in(other_member)
    mine = _page(as_member, paper)
    assert f'data-unvote="{paper.arxiv_id}"' in mine
    assert 'data-interest-kind="present"' in mine and 'aria-pressed="true"' in mine
    theirs = _page(as_other, paper)
    assert f'data-unvote="{paper.arxiv_id}"' not in theirs
    assert f'data-vote="{paper.arxiv_id}"' in theirs and 'aria-pressed="true"' not in theirs


def test_organizer_controls_never_reach_a_member(fixed_clock, organizer, member):
    paper = CandidatePaperFactory()
    as_organizer, as_member = signed_in(organizer), signed_in(member)
    organizer_html = _page(as_organizer, paper)
    assert 'data-paper-action="dismiss"' in organizer_html
    assert reverse("paper_edit", args=[paper.arxiv_id]) in organizer_html
    member_html = _page(as_member, paper)
    assert 'data-paper-action="dismiss"' not in member_html
    assert reverse("paper_edit", args=[paper.arxiv_id]) not in member_html
    assert reverse("paper_merge", args=[paper.arxiv_id]) not in member_html


def test_a_comments_buttons_are_its_authors_alone(fixed_clock, member, other_member):
    paper = CandidatePaperFactory()
    comment = discussion_services.post_comment(author=member, paper=paper, body="내 댓글")
    as_member, as_other = signed_in(member), signed_in(other_member)
    assert f'data-edit-comment="{comment.pk}"' in _page(as_member, paper)
    assert f'data-edit-comment="{comment.pk}"' not in _page(as_other, paper)


def test_scheduled_becomes_presented_when_the_week_starts(fixed_clock, member):
    paper = CandidatePaperFactory()
    week = WeekFactory(
        starts_at=fixed_clock + timedelta(minutes=5),
        review_deadline=fixed_clock - timedelta(hours=1),
    )
    TopicFactory(week=week, paper=paper)
    client = signed_in(member)
    with time_machine.travel(fixed_clock, tick=False):
        assert 'data-topic-state="scheduled"' in _page(client, paper)
    with time_machine.travel(week.starts_at, tick=False):
        assert 'data-topic-state="presented"' in _page(client, paper)


def test_the_vote_budget_comes_back_in_the_next_voting_week(fixed_clock, member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 1
    voted, other = CandidatePaperFactory(), CandidatePaperFactory()
    voting.cast_vote(member=member, paper=voted)
    client = signed_in(member)
    resets = vote_week(fixed_clock)[1]
    with time_machine.travel(resets - timedelta(minutes=1), tick=False):
        assert 'data-votes-left="0"' in _page(client, other)
    with time_machine.travel(resets, tick=False):
        assert 'data-votes-left="1"' in _page(client, other)


def _count(client, url: str) -> tuple[int, int]:
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def _grow(paper, n: int) -> None:
    for _ in range(n):
        PaperSummaryFactory(paper=paper)
        TopicFactory(paper=paper)
        voter = UserFactory()
        voting.cast_vote(member=voter, paper=paper)
        services.set_interest(paper=paper, member=voter, kind="hear", marked=True)
        comment = discussion_services.post_comment(author=voter, paper=paper, body="댓글")
        discussion_services.post_comment(
            author=UserFactory(), paper=paper, body="답글", parent=comment
        )


@pytest.mark.parametrize("persona", ["member", "organizer"])
def test_the_paper_page_costs_the_same_queries_for_more_content(fixed_clock, persona, request):
    paper = CandidatePaperFactory()
    _grow(paper, 1)
    client = signed_in(request.getfixturevalue(persona))
    url = reverse("paper_detail", args=[paper.arxiv_id])
    small = _count(client, url)
    _grow(paper, 3)
    assert _count(client, url) == small
    assert small[1] < small[0]
