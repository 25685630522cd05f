"""Scheduling services: weeks in bulk, topics, people, fair suggestions and conflicts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from papers.models import CandidatePaper
from reviews.models import Review
from seminar import scheduling
from seminar.models import AssignmentChange, ReviewerSlot, Topic, Unavailability, Week
from seminar.scheduling import ConflictKind, DeadlineRule
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def future(days: int, hour: int = 19) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=SEOUL)


def week_at(starts_at: datetime, **fields) -> Week:
    return WeekFactory(
        starts_at=starts_at, review_deadline=starts_at - timedelta(hours=20), **fields
    )


def changes(topic: Topic) -> list[tuple[str, str, bool]]:
    return [
        (c.member.display_name, c.role, c.assigned)
        for c in AssignmentChange.objects.filter(topic=topic).order_by("pk")
    ]


# --- weeks ------------------------------------------------------------------------------------


def test_session_dates_skip_given_dates_and_still_give_count():
    dates = scheduling.session_dates(
        first=date(2026, 3, 5), count=3, skip=[date(2026, 3, 12), date(2026, 1, 1)]
    )
    assert dates == [date(2026, 3, 5), date(2026, 3, 19), date(2026, 3, 26)]


def test_deadline_rule_is_days_before_at_a_local_time():
    rule = DeadlineRule(days_before=2, at=time(18, 0))
    assert rule.deadline_for(kst(2026, 3, 5, 19)) == kst(2026, 3, 3, 18)
    # A week starting just after midnight UTC is still on its Seoul day.
    assert DeadlineRule().deadline_for(datetime(2026, 3, 4, 15, 30, tzinfo=ZoneInfo("UTC"))) == (
        kst(2026, 3, 4, 23, 59)
    )


def test_bulk_weeks_continue_the_terms_numbers_with_their_deadlines():
    term = TermFactory(starts_on=date(2026, 1, 1))
    WeekFactory(
        term=term, number=1, starts_at=kst(2026, 2, 5, 19), review_deadline=kst(2026, 2, 4, 23, 59)
    )
    WeekFactory(
        term=term,
        number=2,
        starts_at=kst(2026, 2, 12, 19),
        review_deadline=kst(2026, 2, 11, 23, 59),
    )
    weeks = scheduling.create_weeks_in_bulk(
        term=term,
        first_date=date(2026, 3, 5),
        at=time(19, 0),
        count=4,
        skip_dates=[date(2026, 3, 12)],
        place="세미나실",
    )
    assert [w.number for w in weeks] == [3, 4, 5, 6]
    assert [timezone.localtime(w.starts_at) for w in weeks] == [
        kst(2026, 3, 5, 19),
        kst(2026, 3, 19, 19),
        kst(2026, 3, 26, 19),
        kst(2026, 4, 2, 19),
    ]
    assert weeks[0].review_deadline == kst(2026, 3, 4, 23, 59)
    assert {w.place for w in weeks} == {"세미나실"}
    assert term.weeks.count() == 6


def test_create_week_makes_one_numbered_after_the_last():
    term = TermFactory(starts_on=date(2026, 1, 1))
    WeekFactory(
        term=term, number=7, starts_at=kst(2026, 2, 5, 19), review_deadline=kst(2026, 2, 4, 23, 59)
    )
    week = scheduling.create_week(
        term=term, starts_at=kst(2026, 2, 26, 18, 30), rule=DeadlineRule(3, time(12, 0))
    )
    assert week.number == 8
    assert week.review_deadline == kst(2026, 2, 23, 12, 0)


def test_bulk_weeks_refuse_a_taken_date_and_create_none():
    term = TermFactory(starts_on=date(2026, 1, 1))
    WeekFactory(
        term=term, number=1, starts_at=kst(2026, 3, 12, 10), review_deadline=kst(2026, 3, 11, 10)
    )
    with pytest.raises(ValidationError) as error:
        scheduling.create_weeks_in_bulk(
            term=term, first_date=date(2026, 3, 5), at=time(19), count=3
        )
    assert error.value.code == "exists"
    assert "2026-03-12" in error.value.messages[0]
    assert term.weeks.count() == 1


def test_bulk_weeks_refuse_dates_outside_the_term():
    term = TermFactory(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 20))
    with pytest.raises(ValidationError) as error:
        scheduling.create_weeks_in_bulk(
            term=term, first_date=date(2026, 3, 5), at=time(19), count=4
        )
    assert error.value.code == "outside_term"
    assert "2026-03-26" in error.value.messages[0]
    assert not Week.objects.exists()


def test_a_deadline_after_the_week_starts_is_refused():
    term = TermFactory(starts_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        scheduling.create_week(
            term=term, starts_at=kst(2026, 3, 5, 19), rule=DeadlineRule(0, time(23, 59))
        )
    assert error.value.code == "deadline_after_start"


def test_too_many_weeks_at_once_are_refused():
    term = TermFactory(starts_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        scheduling.create_weeks_in_bulk(
            term=term, first_date=date(2026, 3, 5), at=time(19), count=53
        )
    assert error.value.code == "too_many"


# --- topics -----------------------------------------------------------------------------------


def test_add_topic_from_a_paper_takes_its_title_opens_slots_and_schedules_it(organizer):
    week = week_at(future(7))
    TopicFactory(week=week, order=1)
    paper = CandidatePaperFactory(title="Hallucination in RL")
    topic = scheduling.add_topic(week=week, paper=paper, slot_count=3, actor=organizer)
    assert (topic.order, topic.title, topic.paper) == (2, "Hallucination in RL", paper)
    assert list(topic.slots.values_list("number", "reviewer")) == [(1, None), (2, None), (3, None)]
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.SCHEDULED


def test_add_topic_needs_a_title_or_a_paper(organizer):
    with pytest.raises(ValidationError) as error:
        scheduling.add_topic(week=week_at(future(7)), title="   ", actor=organizer)
    assert error.value.code == "title"
    assert not Topic.objects.exists()


def test_add_topic_with_a_presenter_records_the_assignment(organizer, member):
    topic = scheduling.add_topic(
        week=week_at(future(7)), title="Free title", presenter=member, actor=organizer
    )
    assert topic.presenter == member
    assert changes(topic) == [(member.display_name, "presenter", True)]


def test_unlinking_a_paper_puts_it_back_in_the_pool_unless_another_topic_has_it(organizer):
    paper = CandidatePaperFactory()
    first = scheduling.add_topic(week=week_at(future(7)), paper=paper, actor=organizer)
    second = scheduling.add_topic(week=week_at(future(14)), paper=paper, actor=organizer)
    scheduling.link_paper(topic=first, paper=None)
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.SCHEDULED
    scheduling.link_paper(topic=second, paper=None)
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.CANDIDATE


def test_linking_never_downgrades_a_presented_paper(organizer):
    paper = CandidatePaperFactory(status=CandidatePaper.Status.PRESENTED)
    topic = scheduling.add_topic(week=week_at(future(7)), paper=paper, actor=organizer)
    scheduling.link_paper(topic=topic, paper=None)
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.PRESENTED


def test_remove_topic_refuses_while_someone_is_assigned_then_renumbers(organizer, member):
    week = week_at(future(7))
    paper = CandidatePaperFactory()
    first = scheduling.add_topic(week=week, paper=paper, actor=organizer)
    second = scheduling.add_topic(week=week, title="Second", presenter=member, actor=organizer)
    scheduling.assign_presenter(topic=first, member=member, actor=organizer)
    with pytest.raises(ValidationError) as error:
        scheduling.remove_topic(topic=first)
    assert error.value.code == "assigned"
    scheduling.assign_presenter(topic=first, member=None, actor=organizer)
    scheduling.remove_topic(topic=first)
    second.refresh_from_db()
    assert second.order == 1
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.CANDIDATE


def test_move_topic_goes_to_the_end_of_the_week_renumbers_and_tells_its_people(
    organizer, member, other_member
):
    source, target = week_at(future(7)), week_at(future(14))
    moving = TopicFactory(week=source, order=1, presenter=member)
    staying = TopicFactory(week=source, order=2)
    TopicFactory(week=target, order=1)
    ReviewerSlotFactory(topic=moving, number=1, reviewer=other_member)
    scheduling.move_topic(topic=moving, week=target, actor=organizer)
    moving.refresh_from_db()
    staying.refresh_from_db()
    assert (moving.week, moving.order) == (target, 2)
    assert staying.order == 1
    assert set(changes(moving)) == {
        (other_member.display_name, "reviewer", True),
        (member.display_name, "presenter", True),
    }
    assert moving.slots.get().reviewer == other_member


def test_move_topic_refuses_a_week_that_has_taken_place(organizer):
    topic = TopicFactory(week=week_at(future(7)))
    past = week_at(future(-7))
    with pytest.raises(ValidationError) as error:
        scheduling.move_topic(topic=topic, week=past, actor=organizer)
    assert error.value.code == "past"
    topic.refresh_from_db()
    assert topic.week != past


def test_set_slot_count_adds_and_removes_open_slots_only(organizer, member):
    topic = TopicFactory(week=week_at(future(7)))
    ReviewerSlotFactory(topic=topic, number=1)
    ReviewerSlotFactory(topic=topic, number=2, reviewer=member)
    scheduling.set_slot_count(topic=topic, count=4)
    assert list(topic.slots.order_by("number").values_list("number", "reviewer")) == [
        (1, None),
        (2, member.pk),
        (3, None),
        (4, None),
    ]
    slots = scheduling.set_slot_count(topic=topic, count=1)
    # The open ones went, the taken one stays, numbered 1 now.
    assert [(s.number, s.reviewer_id) for s in slots] == [(1, member.pk)]
    with pytest.raises(ValidationError) as error:
        scheduling.set_slot_count(topic=topic, count=0)
    assert error.value.code == "taken"
    assert topic.slots.count() == 1


def test_set_slot_count_keeps_an_open_slot_that_has_a_review():
    topic = TopicFactory(week=week_at(future(7)))
    kept = ReviewerSlotFactory(topic=topic, number=1)
    ReviewFactory(slot=kept, author=None)
    ReviewerSlotFactory(topic=topic, number=2)
    with pytest.raises(ValidationError):
        scheduling.set_slot_count(topic=topic, count=0)
    assert [s.pk for s in scheduling.set_slot_count(topic=topic, count=1)] == [kept.pk]


def test_slot_count_is_bounded():
    topic = TopicFactory(week=week_at(future(7)))
    with pytest.raises(ValidationError):
        scheduling.set_slot_count(topic=topic, count=scheduling.MAX_SLOT_COUNT + 1)


# --- people -----------------------------------------------------------------------------------


def test_changing_the_presenter_records_who_lost_and_who_gained_it(organizer, member, other_member):
    topic = TopicFactory(week=week_at(future(7)), presenter=None)
    scheduling.assign_presenter(topic=topic, member=member, actor=organizer)
    scheduling.assign_presenter(topic=topic, member=member, actor=organizer)  # no change
    scheduling.assign_presenter(topic=topic, member=other_member, actor=organizer)
    assert changes(topic) == [
        (member.display_name, "presenter", True),
        (member.display_name, "presenter", False),
        (other_member.display_name, "presenter", True),
    ]
    assert set(AssignmentChange.objects.values_list("actor", flat=True)) == {organizer.pk}


def test_inactive_members_cannot_be_assigned(organizer):
    topic = TopicFactory(week=week_at(future(7)), presenter=None)
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        scheduling.assign_presenter(topic=topic, member=gone, actor=organizer)
    assert error.value.code == "inactive"
    assert not AssignmentChange.objects.exists()


def test_assign_reviewer_replaces_records_and_discards_the_old_draft(
    organizer, member, other_member
):
    slot = ReviewerSlotFactory(topic__week=week_at(future(7)), reviewer=member)
    ReviewFactory(slot=slot, author=member)
    scheduling.assign_reviewer(slot=slot, member=other_member, actor=organizer)
    slot.refresh_from_db()
    assert slot.reviewer == other_member
    assert not Review.objects.exists()
    assert changes(slot.topic) == [
        (member.display_name, "reviewer", False),
        (other_member.display_name, "reviewer", True),
    ]


def test_a_submitted_review_keeps_its_reviewer(organizer, member, other_member):
    slot = ReviewerSlotFactory(topic__week=week_at(future(7)), reviewer=member)
    ReviewFactory(slot=slot, author=member, status="submitted", submitted_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        scheduling.assign_reviewer(slot=slot, member=other_member, actor=organizer)
    assert error.value.code == "submitted"
    slot.refresh_from_db()
    assert slot.reviewer == member


def test_one_member_reviews_a_topic_once(organizer, member):
    topic = TopicFactory(week=week_at(future(7)))
    ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    second = ReviewerSlotFactory(topic=topic, number=2)
    with pytest.raises(ValidationError) as error:
        scheduling.assign_reviewer(slot=second, member=member, actor=organizer)
    assert error.value.code == "one_per_topic"


def test_opening_a_slot_records_the_loss(organizer, member):
    slot = ReviewerSlotFactory(topic__week=week_at(future(7)), reviewer=member)
    scheduling.assign_reviewer(slot=slot, member=None, actor=organizer)
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer is None
    assert changes(slot.topic) == [(member.display_name, "reviewer", False)]


# --- fairness ---------------------------------------------------------------------------------


@pytest.fixture
def group(db):
    """Four active members and an inactive placeholder, named so names never decide."""
    names = ["가", "나", "다", "라"]
    people = {name: UserFactory(name=name) for name in names}
    people["placeholder"] = UserFactory(name="예전회원", is_active=False)
    return people


def ranked(suggestions) -> list[str]:
    return [s.member.name for s in suggestions]


def test_presenter_suggestions_favour_fewest_talks_this_term_then_longest_ago(group):
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=200))
    old_term = TermFactory(starts_on=timezone.localdate() - timedelta(days=900))
    target = week_at(future(14), term=term)
    topic = TopicFactory(week=target, presenter=None)
    # 가 presented twice this term; 나 once, 3 weeks ago; 다 once, 10 weeks ago; 라 only in
    # an old term.
    for weeks_ago in (1, 2):
        TopicFactory(week=week_at(future(-7 * weeks_ago), term=term), presenter=group["가"])
    TopicFactory(week=week_at(future(14 - 21), term=term), presenter=group["나"])
    TopicFactory(week=week_at(future(14 - 70), term=term), presenter=group["다"])
    TopicFactory(week=week_at(future(-500), term=old_term), presenter=group["라"])
    suggestions = scheduling.suggest_presenters(topic=topic, limit=10)
    assert ranked(suggestions) == ["라", "다", "나", "가"]
    assert suggestions[0].in_role_this_term == 0
    assert suggestions[0].weeks_apart == (future(14) - future(-500)).days // 7
    assert "예전회원" not in ranked(suggestions)  # inactive


def test_scheduled_future_talks_count_as_much_as_past_ones(group):
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    topic = TopicFactory(week=week_at(future(7), term=term), presenter=None)
    TopicFactory(week=week_at(future(14), term=term), presenter=group["가"])
    assert ranked(scheduling.suggest_presenters(topic=topic, limit=10))[-1] == "가"


def test_reviewer_suggestions_skip_the_presenter_its_reviewers_and_the_unavailable(group):
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    week = week_at(future(7), term=term)
    topic = TopicFactory(week=week, presenter=group["가"])
    ReviewerSlotFactory(topic=topic, number=1, reviewer=group["나"])
    ReviewerSlotFactory(topic=topic, number=2)
    Unavailability.objects.create(member=group["다"], date=timezone.localdate(week.starts_at))
    assert ranked(scheduling.suggest_reviewers(topic=topic, limit=10)) == ["라"]


def test_members_busy_that_week_come_last(group):
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    # A week that only warns about presenting and reviewing together (one that refuses does
    # not suggest 가 at all: tests/seminar/scheduling/test_conflicts.py).
    week = week_at(future(7), term=term, same_week_policy="warn")
    topic = TopicFactory(week=week, presenter=None)
    TopicFactory(week=week, presenter=group["가"])  # 가 presents another topic that week
    # 나 reviewed often this term, but is free that week: still before 가.
    for offset in (-7, -14, -21):
        ReviewerSlotFactory(
            topic=TopicFactory(week=week_at(future(offset), term=term), presenter=None),
            reviewer=group["나"],
        )
    suggestions = scheduling.suggest_reviewers(topic=topic, limit=10)
    assert ranked(suggestions)[-1] == "가"
    assert suggestions[-1].busy_this_week
    assert ranked(suggestions).index("나") < ranked(suggestions).index("가")
    assert ranked(suggestions)[-2] == "나"  # fewest reviews first among the free ones


def test_load_this_term_breaks_ties(group):
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    topic = TopicFactory(week=week_at(future(7), term=term), presenter=None)
    # Nobody presented, so no distance to compare: the lightest load this term comes first
    # (다 and 라 none, 가 one review, 나 two).
    for who in ("가", "나"):
        ReviewerSlotFactory(
            topic=TopicFactory(week=week_at(future(-14), term=term), presenter=None),
            reviewer=group[who],
        )
    ReviewerSlotFactory(
        topic=TopicFactory(week=week_at(future(-21), term=term), presenter=None),
        reviewer=group["나"],
    )
    # Presenter suggestions: no one presented, nobody has a distance; load decides.
    order = ranked(scheduling.suggest_presenters(topic=topic, limit=10))
    assert order.index("가") < order.index("나")
    assert order[:2] == ["다", "라"]


# --- conflicts --------------------------------------------------------------------------------


def test_find_conflicts_flags_own_topic_two_roles_and_unavailable_dates(member, other_member):
    week = week_at(future(7))
    calm = week_at(future(14))
    own = TopicFactory(week=week, presenter=member)
    ReviewerSlotFactory(topic=own, number=1, reviewer=member)
    second = TopicFactory(week=week, presenter=None)
    ReviewerSlotFactory(topic=second, number=1, reviewer=other_member)
    Unavailability.objects.create(member=other_member, date=timezone.localdate(week.starts_at))
    TopicFactory(week=calm, presenter=other_member)
    weeks = scheduling.board_weeks()
    found = {(c.kind, c.week_id, c.member.pk) for c in scheduling.find_conflicts(weeks=weeks)}
    assert found == {
        (ConflictKind.OWN_TOPIC, week.pk, member.pk),
        (ConflictKind.TWO_ROLES, week.pk, member.pk),
        (ConflictKind.UNAVAILABLE, week.pk, other_member.pk),
    }


def test_mark_unavailable_is_idempotent_and_keeps_the_latest_note(member, other_member):
    day = timezone.localdate() + timedelta(days=3)
    scheduling.mark_unavailable(member=member, day=day, note="출장")
    scheduling.mark_unavailable(member=member, day=day, note="학회")
    assert list(Unavailability.objects.values_list("date", "note")) == [(day, "학회")]
    entry = Unavailability.objects.get()
    assert not scheduling.unmark_unavailable(member=other_member, entry_id=entry.pk)
    assert scheduling.unmark_unavailable(member=member, entry_id=entry.pk)
    assert not Unavailability.objects.exists()


def test_a_change_from_a_stale_page_is_refused(organizer, member, other_member):
    slot = ReviewerSlotFactory(topic__week=week_at(future(7)))
    # The board showed the slot open; meanwhile `member` took it from their dashboard.
    slot.reviewer = member
    slot.save()
    with pytest.raises(ValidationError) as error:
        scheduling.assign_reviewer(slot=slot, member=other_member, actor=organizer, expected=None)
    assert error.value.code == "changed"
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == member
    scheduling.assign_reviewer(slot=slot, member=other_member, actor=organizer, expected=member.pk)
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == other_member
    topic = TopicFactory(week=week_at(future(7)), presenter=member)
    with pytest.raises(ValidationError):
        scheduling.assign_presenter(
            topic=topic, member=other_member, actor=organizer, expected=None
        )
    assert Topic.objects.get(pk=topic.pk).presenter == member
