"""Members' votes (#13, papers.voting): the week, the budget and the weight as plain functions,
then casting and withdrawing on the database, and racing votes on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from papers import merging, voting
from papers.models import CandidatePaper, PaperVote
from tests.factories import CandidatePaperFactory, UserFactory
from tests.support import postgres_only

SEOUL = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


# --- pure: the week -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        kst(2027, 3, 1, 0, 0),  # Monday, the first instant of the week
        kst(2027, 3, 3, 10, 0),  # Wednesday
        kst(2027, 3, 7, 23, 59, 59),  # Sunday, the last second
    ],
)
def test_vote_week_runs_monday_to_monday_in_seoul(moment):
    assert voting.vote_week(moment) == (kst(2027, 3, 1), kst(2027, 3, 8))


def test_vote_week_is_seouls_even_for_a_utc_instant():
    # Sunday 15:30 UTC is already Monday 00:30 in Seoul: a new voting week.
    starts, ends = voting.vote_week(datetime(2027, 3, 7, 15, 30, tzinfo=UTC))
    assert (starts, ends) == (kst(2027, 3, 8), kst(2027, 3, 15))
    assert voting.vote_week(datetime(2027, 3, 7, 14, 59, tzinfo=UTC))[0] == kst(2027, 3, 1)


def test_vote_week_crosses_the_year():
    assert voting.vote_week(kst(2027, 12, 31, 23, 59)) == (kst(2027, 12, 27), kst(2028, 1, 3))


# --- pure: the budget -----------------------------------------------------------------------


def test_check_budget_lets_votes_under_the_budget_pass():
    for used in range(3):
        voting.check_budget(used=used, budget=3, resets_at=kst(2027, 3, 8))


def test_check_budget_refuses_when_exhausted_and_says_when_votes_come_back():
    with pytest.raises(ValidationError) as caught:
        voting.check_budget(used=3, budget=3, resets_at=kst(2027, 3, 8))
    assert caught.value.code == "budget"
    assert caught.value.messages == [
        "You have used your 3 votes for this week. Votes come back on Monday, March 8 "
        "(Seoul time); until then you can withdraw a vote of this week to vote for another "
        "paper."
    ]


def test_check_budget_with_a_budget_of_one_reads_singular():
    with pytest.raises(ValidationError) as caught:
        voting.check_budget(used=1, budget=1, resets_at=kst(2027, 3, 8))
    assert caught.value.messages[0].startswith("You have used your 1 vote for this week.")


def test_check_budget_of_zero_means_voting_is_off():
    with pytest.raises(ValidationError) as caught:
        voting.check_budget(used=0, budget=0, resets_at=kst(2027, 3, 8))
    assert caught.value.code == "off"


# --- pure: the weight -----------------------------------------------------------------------


def test_a_vote_weighs_one_fresh_and_halves_every_fourteen_days():
    now = kst(2027, 3, 31, 12)
    assert voting.vote_weight(cast_at=now, now=now) == 1.0
    assert voting.vote_weight(cast_at=now - timedelta(days=14), now=now) == pytest.approx(0.5)
    assert voting.vote_weight(cast_at=now - timedelta(days=28), now=now) == pytest.approx(0.25)


def test_a_vote_from_the_future_counts_one_not_more():
    now = kst(2027, 3, 31, 12)
    assert voting.vote_weight(cast_at=now + timedelta(days=3), now=now) == 1.0


def test_vote_score_sums_weights_so_recent_votes_beat_more_old_ones():
    now = kst(2027, 3, 31, 12)
    fresh = [now - timedelta(days=1)] * 2
    stale = [now - timedelta(days=42)] * 3  # three votes of six weeks ago: 3 × 1/8
    assert voting.vote_score(fresh, now=now) > voting.vote_score(stale, now=now)
    assert voting.vote_score(stale, now=now) == pytest.approx(0.375)
    assert voting.vote_score([], now=now) == 0


# --- services -------------------------------------------------------------------------------

WEDNESDAY = kst(2027, 3, 3, 10)


@pytest.fixture
def budget_of_three(settings):
    settings.SEMINAR_VOTES_PER_WEEK = 3


@pytest.mark.django_db
def test_cast_vote_counts_against_this_weeks_budget(member, budget_of_three):
    papers = CandidatePaperFactory.create_batch(4)
    for paper in papers[:3]:
        vote, created = voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
        assert created and vote.created_at == WEDNESDAY
    status = voting.vote_status(member=member, now=WEDNESDAY)
    assert (status.used, status.left, status.resets_at) == (3, 0, kst(2027, 3, 8))
    with pytest.raises(ValidationError) as caught:
        voting.cast_vote(member=member, paper=papers[3], now=WEDNESDAY)
    assert caught.value.code == "budget"
    assert "Monday, March 8" in caught.value.messages[0]
    assert PaperVote.objects.filter(member=member).count() == 3


@pytest.mark.django_db
def test_votes_come_back_on_monday(member, budget_of_three):
    papers = CandidatePaperFactory.create_batch(4)
    for paper in papers[:3]:
        voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    monday = kst(2027, 3, 8, 0, 0)
    assert voting.vote_status(member=member, now=monday).left == 3
    _vote, created = voting.cast_vote(member=member, paper=papers[3], now=monday)
    assert created


@pytest.mark.django_db
def test_withdrawing_this_weeks_vote_gives_it_back(member, budget_of_three):
    papers = CandidatePaperFactory.create_batch(4)
    for paper in papers[:3]:
        voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    assert voting.withdraw_vote(member=member, paper=papers[0]) is True
    assert voting.vote_status(member=member, now=WEDNESDAY).left == 1
    _vote, created = voting.cast_vote(member=member, paper=papers[3], now=WEDNESDAY)
    assert created
    assert voting.withdraw_vote(member=member, paper=papers[0]) is False  # nothing left there


@pytest.mark.django_db
def test_withdrawing_last_weeks_vote_does_not_add_to_this_week(member, budget_of_three):
    old, *papers = CandidatePaperFactory.create_batch(4)
    voting.cast_vote(member=member, paper=old, now=WEDNESDAY - timedelta(days=7))
    for paper in papers:
        voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    voting.withdraw_vote(member=member, paper=old)
    assert voting.vote_status(member=member, now=WEDNESDAY).left == 0


@pytest.mark.django_db
def test_a_second_vote_for_the_same_paper_changes_nothing_and_costs_nothing(
    member, budget_of_three
):
    paper = CandidatePaperFactory()
    first, created = voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    again, created_again = voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    assert created and not created_again and again.pk == first.pk
    assert voting.vote_status(member=member, now=WEDNESDAY).used == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        CandidatePaper.Status.SCHEDULED,
        CandidatePaper.Status.PRESENTED,
        CandidatePaper.Status.DISMISSED,
    ],
)
def test_only_papers_in_the_pool_take_votes(member, status):
    paper = CandidatePaperFactory(status=status)
    with pytest.raises(ValidationError) as caught:
        voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    assert caught.value.code == "status"
    assert not PaperVote.objects.exists()


@pytest.mark.django_db
def test_an_inactive_member_cannot_vote():
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as caught:
        voting.cast_vote(member=gone, paper=CandidatePaperFactory(), now=WEDNESDAY)
    assert caught.value.code == "inactive"


@pytest.mark.django_db
def test_the_budget_is_a_setting(member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 1
    first, second = CandidatePaperFactory.create_batch(2)
    voting.cast_vote(member=member, paper=first, now=WEDNESDAY)
    with pytest.raises(ValidationError):
        voting.cast_vote(member=member, paper=second, now=WEDNESDAY)


@pytest.mark.django_db
def test_one_members_votes_do_not_spend_anothers_budget(member, other_member, settings):
    settings.SEMINAR_VOTES_PER_WEEK = 1
    paper = CandidatePaperFactory()
    voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
    _vote, created = voting.cast_vote(member=other_member, paper=paper, now=WEDNESDAY)
    assert created
    assert paper.member_votes.count() == 2


@pytest.mark.django_db
def test_merging_papers_moves_votes_and_keeps_one_per_member(member, other_member, organizer):
    duplicate, into = CandidatePaperFactory.create_batch(2)
    voting.cast_vote(member=member, paper=duplicate, now=WEDNESDAY)
    voting.cast_vote(member=other_member, paper=duplicate, now=WEDNESDAY)
    voting.cast_vote(member=member, paper=into, now=WEDNESDAY)
    merging.merge_papers(duplicate=duplicate, into=into, actor=organizer)
    assert sorted(into.member_votes.values_list("member__email", flat=True)) == [
        "member@example.com",
        "other@example.com",
    ]


# --- racing votes (PostgreSQL) --------------------------------------------------------------


def _vote_in_thread(member, paper, results, barrier) -> None:
    try:
        barrier.wait(timeout=10)
        try:
            voting.cast_vote(member=member, paper=paper, now=WEDNESDAY)
            results[paper.pk] = "ok"
        except ValidationError as error:
            results[paper.pk] = error.code
    finally:
        connection.close()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_never_exceed_the_budget(settings):
    settings.SEMINAR_VOTES_PER_WEEK = 3
    for _round in range(3):  # each round is a fresh race
        member = UserFactory()
        papers = CandidatePaperFactory.create_batch(6)
        results: dict = {}
        barrier = threading.Barrier(len(papers))
        threads = [
            threading.Thread(target=_vote_in_thread, args=(member, paper, results, barrier))
            for paper in papers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(results.values()) == ["budget"] * 3 + ["ok"] * 3
        assert PaperVote.objects.filter(member=member).count() == 3


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_vote_waits_for_the_members_uncommitted_vote_and_then_counts_it(settings):
    """The guarantee is the lock's, not luck: a vote sent while another of the same member is
    still uncommitted waits for it, and then sees the budget spent."""
    settings.SEMINAR_VOTES_PER_WEEK = 1
    member = UserFactory()
    first_paper, second_paper = CandidatePaperFactory.create_batch(2)
    voted, finish = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                voting.cast_vote(member=member, paper=first_paper, now=WEDNESDAY)
                voted.set()
                finish.wait(timeout=10)
        finally:
            connection.close()

    results: dict = {}
    holder = threading.Thread(target=first)
    holder.start()
    assert voted.wait(timeout=10)
    go = threading.Barrier(1)
    second = threading.Thread(target=_vote_in_thread, args=(member, second_paper, results, go))
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive()  # blocked on the member's row
    finish.set()
    holder.join(timeout=10)
    second.join(timeout=10)
    assert results == {second_paper.pk: "budget"}
    assert list(PaperVote.objects.values_list("paper_id", flat=True)) == [first_paper.pk]
