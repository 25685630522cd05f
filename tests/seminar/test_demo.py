from __future__ import annotations

import pytest
from django.core.management import call_command

from reviews.models import Review, ReviewSection
from seminar.models import ReviewerSlot, Topic, User, Week
from seminar.permissions import is_organizer

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (User, Week, Topic, ReviewerSlot, Review, ReviewSection)
    )


def test_seed_demo_builds_week_one_from_the_seed_page():
    call_command("seed_demo")
    week = Week.objects.get(number=1)
    topics = list(week.topics.order_by("order"))
    assert [t.title for t in topics] == [
        "Spurious Rewards: Rethinking Training Signals in RLVR",
        "Absolute Zero: Reinforced Self-play Reasoning with Zero Data",
        "Calm-Whisper: Reduce Whisper Hallucination On Non-Speech By Calming Crazy Heads Down",
    ]
    assert [t.presenter.name for t in topics] == ["박민경", "조재현", "장재후"]
    assert ReviewerSlot.objects.filter(topic__week=week, reviewer__isnull=True).count() == 4
    reviews = Review.objects.filter(slot__topic__week=week).order_by("slot__topic__order")
    assert [r.author.name for r in reviews] == ["박민경", "박민경"]
    assert [s.heading for s in reviews[0].sections.order_by("order")] == [
        "문제의식",
        "Absolute Zero",
        "문제 생성",
        "리뷰",
    ]
    assert [s.heading for s in reviews[1].sections.order_by("order")] == [
        "문제 정의",
        "해결 방법",
        "리뷰",
    ]


def test_seed_demo_accounts_sign_in_with_the_demo_password(client):
    call_command("seed_demo")
    organizer = User.objects.get(email="organizer@example.com")
    assert is_organizer(organizer)
    assert set(User.objects.filter(is_active=True).values_list("name", flat=True)) == {
        "운영자",
        "박민경",
        "조재현",
        "장재후",
    }
    response = client.post(
        "/accounts/login/", {"login": "organizer@example.com", "password": "seminar-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before
