"""The domain's rules hold in the database itself, whatever code path writes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from papers.models import CandidatePaper
from reviews.models import Review
from seminar.models import ReviewerSlot, Week
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db


def test_second_review_for_a_slot_is_rejected():
    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(slot=review.slot, author=review.author)
    assert Review.objects.filter(slot=review.slot).count() == 1


def test_same_member_twice_on_one_topic_is_rejected():
    topic = TopicFactory()
    reviewer = UserFactory()
    ReviewerSlot.objects.create(topic=topic, number=1, reviewer=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerSlot.objects.create(topic=topic, number=2, reviewer=reviewer)


def test_many_open_slots_on_one_topic_are_allowed():
    topic = TopicFactory()
    ReviewerSlot.objects.create(topic=topic, number=1)
    ReviewerSlot.objects.create(topic=topic, number=2)
    assert topic.slots.filter(reviewer__isnull=True).count() == 2


def test_duplicate_slot_number_on_a_topic_is_rejected():
    slot = ReviewerSlotFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerSlot.objects.create(topic=slot.topic, number=slot.number)


def test_duplicate_week_number_in_a_term_is_rejected():
    week = WeekFactory(number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeekFactory(term=week.term, number=3)
    assert Week.objects.filter(term=week.term, number=3).count() == 1


def test_same_week_number_in_another_term_is_allowed():
    week = WeekFactory(number=3)
    other = WeekFactory(number=3)
    assert other.term_id != week.term_id


def test_duplicate_topic_order_in_a_week_is_rejected():
    topic = TopicFactory(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(week=topic.week, order=1)


def test_duplicate_arxiv_id_is_rejected():
    CandidatePaperFactory(arxiv_id="2505.17612")
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidatePaper.objects.create(arxiv_id="2505.17612", title="again")


@pytest.mark.parametrize("versioned", ["2505.17612v1", "2505.17612v2", "hep-th/9901001v3"])
def test_arxiv_id_with_a_version_suffix_is_rejected(versioned):
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidatePaper.objects.create(arxiv_id=versioned, title="versioned")
    assert not CandidatePaper.objects.filter(arxiv_id=versioned).exists()


def test_empty_arxiv_id_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidatePaper.objects.create(arxiv_id="", title="no id")


def test_submitted_review_without_a_submission_time_is_rejected():
    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(status=Review.Status.SUBMITTED)
