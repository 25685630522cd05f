"""A coming week with one topic: a presenter, two reviewers (the first has submitted), and
members who only read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from reviews import services as review_services
from reviews.models import Review
from reviews.weekpage import ReviewSection
from seminar.models import ReviewerSlot, Topic, User, Week
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory


@dataclass
class Scene:
    week: Week
    topic: Topic
    presenter: User
    first: User  # reviewer 1, submitted
    second: User  # reviewer 2, not yet
    reader: User  # a member with no part in the topic
    third: User  # another member
    first_slot: ReviewerSlot
    second_slot: ReviewerSlot
    review: Review


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every discussion test starts from an empty cache (tests/conftest.py)."""


@pytest.fixture
def scene(db, fixed_clock, django_capture_on_commit_callbacks) -> Scene:
    now = fixed_clock  # the clock stands there (ticking): the same scene on any day
    week = WeekFactory(
        starts_at=now + timedelta(days=5),
        review_deadline=now + timedelta(days=4),
        hide_reviews_until_submitted=True,
    )
    presenter = UserFactory(name="발표자", email="presenter@example.com")
    first = UserFactory(name="김민수", email="first@example.com")
    second = UserFactory(name="이서연", email="second@example.com")
    reader = UserFactory(name="박민경", email="reader@example.com")
    third = UserFactory(name="조재현", email="third@example.com")
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards", presenter=presenter)
    first_slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=first)
    second_slot = ReviewerSlotFactory(topic=topic, number=2, reviewer=second)
    # Its commit tells the presenter (`week_changed`, then the task, run in-process).
    with django_capture_on_commit_callbacks(execute=True):
        review = review_services.submit_review(
            slot=first_slot, sections=[ReviewSection("리뷰", "첫 리뷰어의 글")], actor=first
        )
    return Scene(
        week, topic, presenter, first, second, reader, third, first_slot, second_slot, review
    )
