"""Next week's agenda (#13, seminar.scheduling.agenda): ranking, volunteers in the presenter
suggestions, and the organizer's one click."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from papers.models import CandidatePaper, PaperInterest, PaperVote
from seminar import scheduling
from seminar.models import AssignmentChange, Topic, Unavailability
from seminar.scheduling import agenda
from seminar.scheduling.agenda import AgendaEntry, rank_entries
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2027, 3, 3, 10, 0, tzinfo=SEOUL)  # a Wednesday morning


def entry(pk: int, score: float = 0.0, volunteers: int = 0, hear: int = 0, newest=None):
    return AgendaEntry(pk, score, volunteers, hear, newest)


# --- pure: the order ------------------------------------------------------------------------


def test_rank_entries_puts_the_highest_score_first():
    ranked = rank_entries([entry(1, score=0.5), entry(2, score=2.0), entry(3, score=1.0)])
    assert [e.paper_id for e in ranked] == [2, 3, 1]


def test_rank_entries_breaks_ties_by_volunteers_then_interest_then_newest_vote():
    older, newer = NOW - timedelta(days=2), NOW - timedelta(days=1)
    ranked = rank_entries(
        [
            entry(1, score=1.0, newest=older),
            entry(2, score=1.0, newest=newer),
            entry(3, score=1.0, hear=2, newest=older),
            entry(4, score=1.0, volunteers=1, newest=older),
        ]
    )
    assert [e.paper_id for e in ranked] == [4, 3, 2, 1]


# --- the ranking on the database ------------------------------------------------------------


def vote(member, paper, *, days_ago: float) -> PaperVote:
    return PaperVote.objects.create(
        member=member, paper=paper, created_at=NOW - timedelta(days=days_ago)
    )


def mark(member, paper, kind: str = PaperInterest.Kind.PRESENT) -> PaperInterest:
    return PaperInterest.objects.create(member=member, paper=paper, kind=kind)


def coming_week(days: int = 8, **fields):
    starts = NOW + timedelta(days=days)
    return WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20), **fields)


@pytest.mark.django_db
def test_recent_votes_outrank_more_old_votes():
    fresh, stale = CandidatePaperFactory.create_batch(2)
    members = UserFactory.create_batch(3)
    for member in members[:2]:
        vote(member, fresh, days_ago=1)
    for member in members:
        vote(member, stale, days_ago=60)
    rows = agenda.ranked_candidates(now=NOW)
    assert [r.paper for r in rows] == [fresh, stale]
    assert [r.vote_count for r in rows] == [2, 3]


@pytest.mark.django_db
def test_the_agenda_leaves_out_papers_on_the_programme_dismissed_or_unmarked(member):
    open_paper = CandidatePaperFactory()
    on_topic = CandidatePaperFactory()
    TopicFactory(paper=on_topic)
    dismissed = CandidatePaperFactory(status=CandidatePaper.Status.DISMISSED)
    presented = CandidatePaperFactory(status=CandidatePaper.Status.PRESENTED)
    CandidatePaperFactory()  # nobody voted or marked it
    for paper in (open_paper, on_topic, dismissed, presented):
        vote(member, paper, days_ago=1)
    assert [r.paper for r in agenda.ranked_candidates(now=NOW)] == [open_paper]


@pytest.mark.django_db
def test_rows_show_volunteers_interest_and_the_members_own_vote(member, other_member):
    paper = CandidatePaperFactory()
    vote(member, paper, days_ago=1)
    mark(other_member, paper)
    mark(member, paper, PaperInterest.Kind.HEAR)
    [row] = agenda.ranked_candidates(member=member, now=NOW)
    assert row.volunteers == [other_member]
    assert (row.hear_count, row.my_vote) == (1, True)
    [theirs] = agenda.ranked_candidates(member=other_member, now=NOW)
    assert theirs.my_vote is False


@pytest.mark.django_db
def test_inactive_members_votes_and_marks_do_not_count():
    gone = UserFactory(is_active=False)
    paper = CandidatePaperFactory()
    vote(gone, paper, days_ago=1)
    mark(gone, paper)
    assert agenda.ranked_candidates(now=NOW) == []


@pytest.mark.django_db
def test_default_week_is_the_first_coming_week_with_room(settings):
    settings.SEMINAR_TOPICS_PER_WEEK = 1
    term = TermFactory()
    past = coming_week(days=-6, term=term)
    full = coming_week(days=1, term=term)
    TopicFactory(week=full)
    free = coming_week(days=8, term=term)
    weeks = agenda.coming_weeks(now=NOW)
    assert [c.week for c in weeks] == [full, free]
    assert past not in [c.week for c in weeks]
    assert agenda.default_week(weeks) == free


@pytest.mark.django_db
def test_default_week_falls_back_to_the_first_when_all_are_full(settings):
    settings.SEMINAR_TOPICS_PER_WEEK = 1
    week = coming_week(days=1)
    TopicFactory(week=week)
    assert agenda.default_week(agenda.coming_weeks(now=NOW)) == week
    assert agenda.default_week([]) is None


# --- suggestions: volunteers first ----------------------------------------------------------


@pytest.mark.django_db
def test_a_volunteer_is_suggested_before_a_newcomer_with_the_reason_volunteered():
    veteran = UserFactory(name="가 veteran")
    UserFactory(name="나 newcomer")  # never presented: "never before" would put them first
    term = TermFactory()
    earlier = coming_week(days=-14, term=term)
    TopicFactory(week=earlier, presenter=veteran)
    week = coming_week(days=8, term=term)
    paper = CandidatePaperFactory()
    mark(veteran, paper)
    topic = TopicFactory(week=week, presenter=None, paper=paper)
    suggestions = scheduling.suggest_presenters(topic=topic)
    assert suggestions[0].member == veteran
    assert suggestions[0].reason.startswith("Volunteered to present · ")
    assert "Volunteered" not in suggestions[1].reason
    assert suggestions[1].reason.endswith("never before")


@pytest.mark.django_db
def test_a_volunteer_with_a_role_that_week_is_not_put_first():
    volunteer, free = UserFactory.create_batch(2)
    week = coming_week()
    TopicFactory(week=week, presenter=volunteer)
    paper = CandidatePaperFactory()
    mark(volunteer, paper)
    topic = TopicFactory(week=week, presenter=None, paper=paper)
    suggestions = scheduling.suggest_presenters(topic=topic)
    assert suggestions[0].member == free
    assert suggestions[1].member == volunteer and suggestions[1].busy_this_week


# --- the one click --------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_click_makes_a_topic_with_the_only_free_volunteer_presenting(organizer, member):
    week = coming_week()
    paper = CandidatePaperFactory(title="Agenda paper")
    mark(member, paper)
    done = agenda.schedule_from_agenda(paper=paper, week=week, actor=organizer, now=NOW)
    topic = Topic.objects.get(pk=done.topic.pk)
    assert (topic.week, topic.paper, topic.title, topic.presenter) == (
        week,
        paper,
        "Agenda paper",
        member,
    )
    assert topic.slots.count() == scheduling.DEFAULT_SLOT_COUNT
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.SCHEDULED
    assert AssignmentChange.objects.filter(topic=topic, member=member, assigned=True).exists()


@pytest.mark.django_db
def test_one_click_with_two_free_volunteers_assigns_nobody_and_suggests_both(
    organizer, member, other_member
):
    UserFactory()  # someone who did not volunteer
    week = coming_week()
    paper = CandidatePaperFactory()
    mark(member, paper)
    mark(other_member, paper)
    done = agenda.schedule_from_agenda(paper=paper, week=week, actor=organizer, now=NOW)
    assert done.presenter is None and done.topic.presenter_id is None
    assert {m.pk for m in done.free_volunteers} == {member.pk, other_member.pk}
    topic = Topic.objects.select_related("week").get(pk=done.topic.pk)
    top_two = {s.member.pk for s in scheduling.suggest_presenters(topic=topic)[:2]}
    assert top_two == {member.pk, other_member.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["away", "presents", "reviews"])
def test_a_volunteer_busy_that_week_is_not_assigned(organizer, member, why):
    week = coming_week()
    if why == "away":
        Unavailability.objects.create(member=member, date=timezone.localdate(week.starts_at))
    elif why == "presents":
        TopicFactory(week=week, presenter=member)
    else:
        ReviewerSlotFactory(topic=TopicFactory(week=week), number=1, reviewer=member)
    paper = CandidatePaperFactory()
    mark(member, paper)
    done = agenda.schedule_from_agenda(paper=paper, week=week, actor=organizer, now=NOW)
    assert done.presenter is None and done.free_volunteers == []


@pytest.mark.django_db
def test_one_click_refuses_a_paper_already_on_the_programme(organizer):
    week = coming_week()
    paper = CandidatePaperFactory()
    agenda.schedule_from_agenda(paper=paper, week=week, actor=organizer, now=NOW)
    with pytest.raises(ValidationError) as caught:
        agenda.schedule_from_agenda(paper=paper, week=week, actor=organizer, now=NOW)
    assert caught.value.code == "status"
    assert Topic.objects.filter(paper=paper).count() == 1


@pytest.mark.django_db
def test_one_click_refuses_a_dismissed_paper(organizer):
    paper = CandidatePaperFactory(status=CandidatePaper.Status.DISMISSED)
    with pytest.raises(ValidationError) as caught:
        agenda.schedule_from_agenda(paper=paper, week=coming_week(), actor=organizer, now=NOW)
    assert caught.value.code == "status"
    assert not Topic.objects.exists()


@pytest.mark.django_db
def test_one_click_refuses_a_week_that_has_begun_or_a_closed_term(organizer):
    paper = CandidatePaperFactory()
    with pytest.raises(ValidationError) as caught:
        agenda.schedule_from_agenda(
            paper=paper, week=coming_week(days=-1), actor=organizer, now=NOW
        )
    assert caught.value.code == "week"
    closed = coming_week(term=TermFactory(closed_at=NOW - timedelta(days=1)))
    with pytest.raises(ValidationError) as caught:
        agenda.schedule_from_agenda(paper=paper, week=closed, actor=organizer, now=NOW)
    assert caught.value.code == "week"
    assert not Topic.objects.exists()
