"""Attacks on votes and the agenda (#13): voting as someone else, racing past the budget,
members making topics, forged requests and redirects off the site."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from papers.models import CandidatePaper, PaperVote
from seminar.models import Topic
from tests.factories import CandidatePaperFactory, UserFactory, WeekFactory
from tests.support import postgres_only

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.mark.django_db
def test_a_member_cannot_vote_as_another(member_client, member, other_member):
    """The vote is always the signed-in member's: a member id in the body is ignored."""
    paper = CandidatePaperFactory()
    member_client.post(
        reverse("paper_vote", args=[paper.arxiv_id]),
        {"action": "vote", "member": other_member.pk, "member_id": other_member.pk},
    )
    assert list(PaperVote.objects.values_list("member_id", flat=True)) == [member.pk]


@pytest.mark.django_db
def test_a_member_cannot_withdraw_anothers_vote(member_client, other_member):
    paper = CandidatePaperFactory()
    PaperVote.objects.create(member=other_member, paper=paper)
    member_client.post(
        reverse("paper_vote", args=[paper.arxiv_id]),
        {"action": "withdraw", "member": other_member.pk},
    )
    assert list(PaperVote.objects.values_list("member_id", flat=True)) == [other_member.pk]


@pytest.mark.django_db
def test_voting_needs_a_post_with_a_csrf_token(member):
    paper = CandidatePaperFactory()
    url = reverse("paper_vote", args=[paper.arxiv_id])
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(url, {"action": "vote"}).status_code == 405
    assert client.post(url, {"action": "vote"}).status_code == 403
    assert not PaperVote.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_cannot_vote_or_see_the_agenda(client):
    paper = CandidatePaperFactory()
    response = client.post(reverse("paper_vote", args=[paper.arxiv_id]), {"action": "vote"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("paper_agenda")).status_code == 302
    assert not PaperVote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["dismissed", "scheduled", "presented"])
def test_votes_for_papers_outside_the_pool_are_refused(member_client, status):
    paper = CandidatePaperFactory(status=status)
    member_client.post(reverse("paper_vote", args=[paper.arxiv_id]), {"action": "vote"})
    assert not PaperVote.objects.exists()


@pytest.mark.django_db
def test_members_cannot_create_topics_from_the_agenda(member_client, member):
    week = WeekFactory()
    paper = CandidatePaperFactory()
    response = member_client.post(
        reverse("agenda_schedule"), {"paper": paper.arxiv_id, "week": week.pk}
    )
    assert response.status_code == 403
    assert not Topic.objects.exists()
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.CANDIDATE


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_vote_and_agenda_views_do_not_redirect_off_site(organizer_client, target):
    paper = CandidatePaperFactory()
    response = organizer_client.post(
        reverse("paper_vote", args=[paper.arxiv_id]), {"action": "vote", "next": target}
    )
    assert response["Location"] == paper.get_absolute_url()
    response = organizer_client.post(
        reverse("agenda_schedule"), {"paper": "no-such-paper", "week": "0", "next": target}
    )
    assert response["Location"] == reverse("paper_agenda")


# --- racing past the budget through the view (PostgreSQL) -----------------------------------


def _post_vote(user, arxiv_id: str, barrier: threading.Barrier) -> None:
    try:
        client = Client()
        client.force_login(user)
        barrier.wait(timeout=10)
        client.post(reverse("paper_vote", args=[arxiv_id]), {"action": "vote"})
    finally:
        connection.close()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_member_cannot_exceed_the_budget_by_racing_requests(settings):
    settings.SEMINAR_VOTES_PER_WEEK = 2
    racer = UserFactory()
    papers = CandidatePaperFactory.create_batch(6)
    barrier = threading.Barrier(len(papers))
    threads = [
        threading.Thread(target=_post_vote, args=(racer, paper.arxiv_id, barrier))
        for paper in papers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert PaperVote.objects.filter(member=racer).count() == 2
