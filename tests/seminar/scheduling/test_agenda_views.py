"""The agenda page, the vote buttons and the board's picker (#13): who may do what, what the
pages show, and constant queries as papers and votes grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from papers.models import PaperInterest, PaperVote
from seminar.models import Topic
from tests.factories import CandidatePaperFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]


def coming_week(days: int = 7, **fields):
    starts = timezone.now() + timedelta(days=days)
    return WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20), **fields)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def voted_paper(member, other_member):
    """A paper two members voted for and `member` volunteered to present."""
    paper = CandidatePaperFactory(title="The voted paper")
    for voter in (member, other_member):
        PaperVote.objects.create(member=voter, paper=paper)
    PaperInterest.objects.create(member=member, paper=paper, kind=PaperInterest.Kind.PRESENT)
    return paper


# --- the agenda page ------------------------------------------------------------------------


def test_members_see_the_ranked_agenda_without_the_organizers_button(
    member_client, voted_paper, member
):
    coming_week()
    lesser = CandidatePaperFactory(title="Less voted")
    PaperVote.objects.create(member=UserFactory(), paper=lesser)
    response = member_client.get(reverse("paper_agenda"))
    assert response.status_code == 200
    html = response.content.decode()
    ranked = [row.paper for row in response.context["agenda"].rows]
    assert ranked == [voted_paper, lesser]
    assert f'data-volunteer="{member.pk}"' in html
    assert 'data-vote-count="2"' in html
    assert "data-make-topic" not in html
    assert f'data-unvote="{voted_paper.arxiv_id}"' in html  # the member's own vote
    assert f'data-vote="{lesser.arxiv_id}"' in html


def test_organizers_get_a_week_chooser_with_the_next_week_with_room_selected(
    organizer_client, voted_paper, settings
):
    settings.SEMINAR_TOPICS_PER_WEEK = 1
    full = coming_week(days=2)
    TopicFactory(week=full)
    free = coming_week(days=9)
    response = organizer_client.get(reverse("paper_agenda"))
    html = response.content.decode()
    assert f'data-make-topic="{voted_paper.arxiv_id}"' in html
    assert response.context["agenda"].default_week == free
    assert f'<option value="{free.pk}" selected>' in html
    assert f'<option value="{full.pk}" >' in html


def test_one_click_makes_the_topic_and_lands_on_the_board_at_it(
    organizer_client, voted_paper, member
):
    week = coming_week()
    response = organizer_client.post(
        reverse("agenda_schedule"), {"paper": voted_paper.arxiv_id, "week": week.pk}
    )
    topic = Topic.objects.get(paper=voted_paper)
    assert response.status_code == 302
    assert response["Location"] == reverse("schedule") + f"#topic-{topic.pk}"
    assert (topic.week, topic.presenter) == (week, member)
    assert member.display_name in texts(response)[0]


def test_members_cannot_make_topics(member_client, voted_paper):
    week = coming_week()
    response = member_client.post(
        reverse("agenda_schedule"), {"paper": voted_paper.arxiv_id, "week": week.pk}
    )
    assert response.status_code == 403
    assert not Topic.objects.exists()


def test_a_bad_paper_or_week_is_answered_with_a_message_and_nothing_written(organizer_client):
    week = coming_week()
    response = organizer_client.post(
        reverse("agenda_schedule"), {"paper": "9999.99999", "week": week.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("paper_agenda")
    assert texts(response) == ["No such paper in the pool."]
    paper = CandidatePaperFactory()
    response = organizer_client.post(
        reverse("agenda_schedule"), {"paper": paper.arxiv_id, "week": "0"}
    )
    assert response.status_code == 302
    assert not Topic.objects.exists()


def test_a_second_click_is_told_the_paper_is_already_on_the_programme(
    organizer_client, voted_paper
):
    week = coming_week()
    data = {"paper": voted_paper.arxiv_id, "week": week.pk}
    organizer_client.post(reverse("agenda_schedule"), data)
    response = organizer_client.post(reverse("agenda_schedule"), data)
    assert response["Location"] == reverse("paper_agenda")
    assert "already on the programme" in texts(response)[-1]
    assert Topic.objects.filter(paper=voted_paper).count() == 1


# --- voting on the paper page ---------------------------------------------------------------


def test_the_paper_page_shows_votes_left_and_the_vote_button(member_client, member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 3
    paper = CandidatePaperFactory()
    PaperVote.objects.create(member=member, paper=CandidatePaperFactory())
    html = member_client.get(paper.get_absolute_url()).content.decode()
    assert 'data-votes-left="2"' in html
    assert f'data-vote="{paper.arxiv_id}"' in html


def test_voting_and_withdrawing_from_the_paper_page(member_client, member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 3
    paper = CandidatePaperFactory()
    url = reverse("paper_vote", args=[paper.arxiv_id])
    response = member_client.post(url, {"action": "vote", "next": paper.get_absolute_url()})
    assert response["Location"] == paper.get_absolute_url()
    assert list(PaperVote.objects.values_list("member", "paper")) == [(member.pk, paper.pk)]
    assert texts(response) == ["Your vote was counted. 2 votes left this week."]
    html = member_client.get(paper.get_absolute_url()).content.decode()
    assert f'data-unvote="{paper.arxiv_id}"' in html
    response = member_client.post(url, {"action": "withdraw"})
    assert not PaperVote.objects.exists()
    assert texts(response) == ["Your vote was withdrawn."]


def test_an_exhausted_budget_is_explained(member_client, member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 1
    PaperVote.objects.create(member=member, paper=CandidatePaperFactory())
    paper = CandidatePaperFactory()
    response = member_client.post(reverse("paper_vote", args=[paper.arxiv_id]), {"action": "vote"})
    assert response.status_code == 302
    assert "Votes come back on Monday, March 8" in texts(response)[0]
    assert not paper.member_votes.exists()
    html = member_client.get(paper.get_absolute_url()).content.decode()
    assert 'data-votes-left="0"' in html
    assert "They come back on" in html


def test_a_vote_without_a_valid_action_is_refused(member_client):
    paper = CandidatePaperFactory()
    response = member_client.post(reverse("paper_vote", args=[paper.arxiv_id]), {"action": "x"})
    assert response.status_code == 400
    assert not PaperVote.objects.exists()


# --- the board's topic picker ---------------------------------------------------------------


def test_the_board_picker_shows_votes_and_volunteers_and_adds_with_one_click(
    organizer_client, voted_paper, member
):
    week = coming_week()
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert f'data-agenda-picker="{week.pk}"' in html
    assert f'data-pick-agenda="{voted_paper.arxiv_id}"' in html
    assert member.display_name in html
    response = organizer_client.post(
        reverse("agenda_schedule"),
        {"paper": voted_paper.arxiv_id, "week": week.pk, "next": reverse("schedule")},
    )
    assert Topic.objects.get(paper=voted_paper).presenter == member
    assert response["Location"].startswith(reverse("schedule"))


def test_the_board_suggests_volunteers_first_with_their_reason(organizer_client, member):
    UserFactory()  # a newcomer
    week = coming_week()
    paper = CandidatePaperFactory()
    PaperInterest.objects.create(member=member, paper=paper, kind=PaperInterest.Kind.PRESENT)
    topic = TopicFactory(week=week, presenter=None, paper=paper)
    board = organizer_client.get(reverse("schedule")).context["board"]
    [card] = [c for row in board.weeks for c in row.topics if c.topic.pk == topic.pk]
    assert card.presenter_suggestions[0].member == member
    assert card.presenter_suggestions[0].reason.startswith("Volunteered to present")


# --- constant queries -----------------------------------------------------------------------


def _grow(times: int, week) -> None:
    for _ in range(times):
        paper = CandidatePaperFactory()
        voters = UserFactory.create_batch(2)
        for voter in voters:
            PaperVote.objects.create(member=voter, paper=paper)
        PaperInterest.objects.create(member=voters[0], paper=paper, kind="present")
        PaperInterest.objects.create(member=voters[1], paper=paper, kind="hear")
        scheduled = CandidatePaperFactory()
        PaperInterest.objects.create(member=voters[0], paper=scheduled, kind="present")
        TopicFactory(week=week, presenter=None, paper=scheduled)


def _count(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm-up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("page", ["paper_agenda", "schedule"])
def test_agenda_and_board_queries_do_not_grow_with_papers_and_votes(organizer_client, page):
    week = coming_week()
    _grow(1, week)
    small = _count(organizer_client, reverse(page))
    _grow(5, week)
    large = _count(organizer_client, reverse(page))
    assert small == large
