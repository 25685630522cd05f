"""Same-week conflicts (`seminar.conflicts`): the pure rule, and every path that uses it —
claiming a slot, the board's reviewer assignment, swaps, the week page and the dashboard —
and the board's "already scheduled" confirmation when a paper is added again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services as review_services
from reviews.permissions import can_claim_slot, claim_conflict
from reviews.selectors import dashboard_for
from seminar import scheduling
from seminar.conflicts import PRESENTER, REVIEWER, same_week_conflict, same_week_verdict
from seminar.models import ReviewerSlot, Topic, Week
from seminar.scheduling import swaps
from tests.conftest import FIXED_INSTANT
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

NOW = FIXED_INSTANT


# --- the pure rule (no database) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "presents", "reviews", "policy", "expected"),
    [
        (REVIEWER, False, False, "refuse", None),
        (REVIEWER, False, True, "refuse", None),  # reviewing two topics is fine
        (REVIEWER, True, False, "refuse", True),
        (REVIEWER, True, False, "warn", False),
        (PRESENTER, False, False, "refuse", None),
        (PRESENTER, True, False, "refuse", None),  # presenting two topics is the board's call
        (PRESENTER, False, True, "refuse", True),
        (PRESENTER, False, True, "warn", False),
    ],
)
def test_same_week_verdict(role, presents, reviews, policy, expected):
    verdict = same_week_verdict(role=role, presents=presents, reviews=reviews, policy=policy)
    assert (None if verdict is None else verdict.refused) == expected


def test_the_verdict_says_why_for_each_role():
    reviewer = same_week_verdict(role=REVIEWER, presents=True, reviews=False, policy="refuse")
    assert reviewer.message == "You present in this week, so you cannot also review in it."
    presenter = same_week_verdict(role=PRESENTER, presents=False, reviews=True, policy="warn")
    assert presenter.message == "Note: you also review in this week."


# --- with the database -----------------------------------------------------------------------


def week_in(days: int, **fields) -> Week:
    starts = NOW + timedelta(days=days, hours=9)
    return WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20), **fields)


@pytest.fixture
def busy_week(db, member):
    """`member` presents topic 1; topic 2 (someone else's) has an open slot."""
    week = week_in(7)
    TopicFactory(week=week, order=1, presenter=member, title="My talk")
    other = TopicFactory(week=week, order=2, title="Their talk")
    ReviewerSlotFactory(topic=other, number=1)
    return week


def open_slot(week: Week) -> ReviewerSlot:
    return (
        ReviewerSlot.objects.select_related("topic__week")
        .prefetch_related("topic__slots", "topic__week__topics")
        .get(topic__week=week, reviewer__isnull=True)
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_claiming_a_slot_in_a_week_one_presents_is_refused_by_default(busy_week, member):
    slot = open_slot(busy_week)
    with pytest.raises(ValidationError) as refused:
        review_services.claim_slot(slot=slot, member=member)
    assert refused.value.code == "same_week"
    slot.refresh_from_db()
    assert slot.reviewer is None


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_a_warning_week_lets_the_claim_through(busy_week, member):
    Week.objects.filter(pk=busy_week.pk).update(same_week_policy="warn")
    slot = open_slot(busy_week)
    review_services.claim_slot(slot=slot, member=member)
    slot.refresh_from_db()
    assert slot.reviewer == member


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_claim_view_warns_in_a_warning_week(busy_week, member, member_client):
    Week.objects.filter(pk=busy_week.pk).update(same_week_policy="warn")
    slot = open_slot(busy_week)
    response = member_client.post(reverse("slot_claim", args=[slot.pk]), follow=True)
    assert "Note: you also present in this week." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_claim_button_is_replaced_by_the_reason(busy_week, member, member_client):
    slot = open_slot(busy_week)
    assert not can_claim_slot(member, slot)
    assert claim_conflict(member, slot).refused
    html = member_client.get(busy_week.get_absolute_url()).content.decode()
    assert f'data-claim="{slot.pk}"' not in html
    assert f'data-claim-refused="{slot.pk}"' in html
    assert "You present in this week, so you cannot also review in it." in html


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_others_still_see_the_claim_button(busy_week, other_member, client):
    client.force_login(other_member)
    slot = open_slot(busy_week)
    assert can_claim_slot(other_member, slot)
    assert claim_conflict(other_member, slot) is None
    html = client.get(busy_week.get_absolute_url()).content.decode()
    assert f'data-claim="{slot.pk}"' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_dashboard_does_not_offer_slots_of_a_week_one_presents(busy_week, member):
    assert dashboard_for(member, NOW).open_topics == []
    Week.objects.filter(pk=busy_week.pk).update(same_week_policy="warn")
    titles = [o.topic.title for o in dashboard_for(member, NOW).open_topics]
    assert titles == ["Their talk"]


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_board_cannot_make_a_presenter_review_in_their_week(busy_week, member, organizer):
    slot = open_slot(busy_week)
    with pytest.raises(ValidationError) as refused:
        scheduling.assign_reviewer(slot=slot, member=member, actor=organizer)
    assert refused.value.messages == [
        "박민경 presents in this week, so they cannot also review in it."
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_a_swap_cannot_create_a_same_week_conflict(busy_week, member, other_member):
    holder = UserFactory(name="holder")
    slot = open_slot(busy_week)
    ReviewerSlot.objects.filter(pk=slot.pk).update(reviewer=holder)
    slot.refresh_from_db()
    offer = swaps.offer_role(member=holder, topic=slot.topic, slot=slot)
    assert swaps.take_refusal(member, offer) == (
        "You present in this week, so you cannot also review in it."
    )
    with pytest.raises(ValidationError) as refused:
        swaps.take_offer(offer=offer, member=member)
    assert refused.value.messages == ["You present in this week, so you cannot also review in it."]
    # The presenter role of topic 2, offered: a member who reviews in the week is refused.
    reviewer = UserFactory(name="reviewer")
    ReviewerSlotFactory(
        topic=Topic.objects.get(week=busy_week, order=1), number=9, reviewer=reviewer
    )
    talk = Topic.objects.get(week=busy_week, order=2)
    talk_offer = swaps.offer_role(member=talk.presenter, topic=talk)
    with pytest.raises(ValidationError):
        swaps.take_offer(offer=talk_offer, member=reviewer)
    assert same_week_conflict(member=reviewer, week=busy_week, role=PRESENTER).refused
    swaps.take_offer(offer=talk_offer, member=other_member)  # no role that week: fine


# --- a paper already scheduled ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_adding_a_scheduled_paper_names_its_week_and_needs_confirmation(organizer):
    paper = CandidatePaperFactory(arxiv_id="2506.00001", title="Mamba")
    first = week_in(7)
    first.term.name = "2025 가을"
    first.term.save()
    Week.objects.filter(pk=first.pk).update(number=3)
    first.refresh_from_db()
    scheduling.add_topic(week=first, paper=paper, actor=organizer)
    second = week_in(14)
    with pytest.raises(ValidationError) as refused:
        scheduling.add_topic(week=second, paper=paper, actor=organizer, confirmed=False)
    assert refused.value.code == "already_scheduled"
    assert "already scheduled in 2025 가을 · week 3" in refused.value.messages[0]
    assert not second.topics.exists()
    scheduling.add_topic(week=second, paper=paper, actor=organizer, confirmed=True)
    assert second.topics.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_board_asks_to_confirm_then_adds_with_confirm(organizer_client):
    paper = CandidatePaperFactory(arxiv_id="2506.00002", title="Hyena")
    first, second = week_in(7), week_in(14)
    TopicFactory(week=first, paper=paper, title="Hyena")
    url = reverse("schedule_add_topic", args=[second.pk])
    data = {"title": "", "paper": paper.arxiv_id, "slot_count": 2}
    asked = organizer_client.post(url, data)
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "is already scheduled in" in html
    assert "data-add-topic-confirm" in html
    assert 'name="confirm" value="1"' in html
    assert not second.topics.exists()
    added = organizer_client.post(url, {**data, "confirm": "1"})
    assert added.status_code == 302
    assert second.topics.get().paper == paper


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_the_board_does_not_suggest_a_presenter_of_the_week_as_reviewer(busy_week, member):
    topic = Topic.objects.get(week=busy_week, order=2)
    suggested = [s.member for s in scheduling.suggest_reviewers(topic=topic, limit=50)]
    assert member not in suggested
    Week.objects.filter(pk=busy_week.pk).update(same_week_policy="warn")
    topic = Topic.objects.select_related("week").get(pk=topic.pk)
    assert member in [s.member for s in scheduling.suggest_reviewers(topic=topic, limit=50)]


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_a_warning_week_lets_a_swap_through(busy_week, member):
    Week.objects.filter(pk=busy_week.pk).update(same_week_policy="warn")
    holder = UserFactory(name="holder")
    slot = open_slot(busy_week)
    ReviewerSlot.objects.filter(pk=slot.pk).update(reviewer=holder)
    slot.refresh_from_db()
    offer = swaps.offer_role(member=holder, topic=slot.topic, slot=slot)
    assert swaps.take_refusal(member, offer) is None
    swaps.take_offer(offer=offer, member=member)
    slot.refresh_from_db()
    assert slot.reviewer == member
